// SPDX-License-Identifier: MIT
// Files in the chat window against the real engine (docs/files-and-search.md, "Clients"):
// dropping and pasting attach and upload, refusals say why in the composer, images show as
// thumbnails that open in the viewer, file cards save the very bytes that were sent.
#include "accounttestutil.h"
#include "attachment.h"
#include "attachmentactions.h"
#include "chatsession.h"
#include "composer.h"
#include "filetransfer.h"
#include "imageviewer.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messagemodel.h"
#include "messageview.h"
#include "pendingattachments.h"
#include "servertestutil.h"
#include "sessiontestutil.h"
#include "thumbnailcache.h"

#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

using namespace chatter;
using namespace chatter::ui;

using namespace sessiontest;

namespace {

//! A window signed in as the guest `nick` (uploads need a session) that joined `room`.
std::unique_ptr<MainWindow> openWindow(const TestServer &server, const QString &nick,
                                       const QString &room)
{
    client::AccountClient accounts;
    accounts.setServer(server.address());
    const auto guest = waitFor([&](auto done) { accounts.enterAsGuest(nick, done); });
    if (!guest.ok())
        return nullptr;
    auto window = std::make_unique<MainWindow>(fastOptions());
    window->setWindowTitle(nick);
    window->show();
    QSignalSpy joined(window->session(), &client::ChatSession::roomJoined);
    window->connectWithSession(server.address(), guest.identity);
    auto *joinEdit = window->findChild<QLineEdit *>("joinEdit");
    joinEdit->setFocus();
    QTest::keyClicks(joinEdit, room);
    QTest::keyClick(joinEdit, Qt::Key_Return);
    if (!joined.wait(10000))
        return nullptr;
    return window;
}

//! Drops `paths` as a file manager does (text/uri-list) onto `target`.
void dropFiles(QWidget *target, const QStringList &paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls.append(QUrl::fromLocalFile(path));
    mime.setUrls(urls);
    const QPointF at = QPointF(target->rect().center());
    QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    QDragMoveEvent move(at.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &move);
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
}

PendingAttachments *pendingOf(MainWindow *window)
{
    return window->attachmentActions()->pending();
}

//! Every upload in the composer finished.
bool uploaded(MainWindow *window)
{
    return QTest::qWaitFor([window] { return !pendingOf(window)->isUploading(); }, 30000);
}

//! The newest message of the current room, once it carries attachments.
int newestWithFiles(MainWindow *window)
{
    const client::MessageModel *model =
        window->session()->messages(window->session()->currentRoom());
    for (int row = model ? model->rowCount() - 1 : -1; row >= 0; --row) {
        if (!model->at(row).attachments.isEmpty() && !model->at(row).pending)
            return row;
    }
    return -1;
}

} // namespace

class tst_ChatWindowFiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void droppedFileIsSentAndSavedIdentically();
    void fileDroppedOnTheComposerAttaches();
    void pastedImageShowsAsAThumbnailAndOpens();
    void refusedUploadSaysWhyInTheComposer();
    void cancelButtonStopsAnUpload();
    void filesStayWithTheirConversation();
    void expiredThumbnailIsAskedForAgain();
};

void tst_ChatWindowFiles::initTestCase()
{
    // Session tokens go to a test's own settings, never the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_chatwindowfiles"));
}

void tst_ChatWindowFiles::droppedFileIsSentAndSavedIdentically()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    auto bob = openWindow(server, "bob", "files");
    QVERIFY(alice && bob);
    QTemporaryDir dir;
    const QByteArray bytes = randomBytes(700 * 1024 + 3);
    const QString path = writeFile(dir, "minutes.pdf", bytes);

    auto *view = alice->findChild<MessageView *>("messageView");
    dropFiles(view->viewport(), {path});
    QCOMPARE(pendingOf(alice.get())->count(), 1);
    QVERIFY(pendingOf(alice.get())->isVisible());
    auto *bar = pendingOf(alice.get())->findChild<QProgressBar *>("uploadProgress");
    QVERIFY(bar);
    QVERIFY(uploaded(alice.get()));
    QCOMPARE(pendingOf(alice.get())->transfer(0)->state(), client::FileTransfer::State::Done);
    QCOMPARE(bar->value(), bar->maximum());

    // Enter with nothing typed sends the file alone.
    auto *composer = alice->findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(pendingOf(alice.get())->count(), 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(newestWithFiles(bob.get()) >= 0, 10000);
    const int row = newestWithFiles(bob.get());
    const client::Attachment received =
        bob->session()->messages("files")->at(row).attachments.first();
    QCOMPARE(received.name, QStringLiteral("minutes.pdf"));
    QCOMPARE(received.size, qint64(bytes.size()));

    // A card with a Save button; a click on it asks where (the dialog is closed here).
    auto *bobsView = bob->findChild<MessageView *>("messageView");
    const QRect card = bobsView->attachmentRect(row, 0);
    const QRect save = bobsView->saveRect(row, 0);
    QVERIFY(!card.isEmpty());
    QVERIFY(card.contains(save));
    QSignalSpy saveClicked(bobsView, &MessageView::saveClicked);
    QTimer::singleShot(0, [] {
        QTRY_VERIFY_WITH_TIMEOUT(QApplication::activeModalWidget(), 5000);
        QApplication::activeModalWidget()->close();
    });
    QTest::mouseClick(bobsView->viewport(), Qt::LeftButton, {}, save.center());
    QCOMPARE(saveClicked.size(), 1);
    QCOMPARE(saveClicked.first().at(1).toInt(), 0);

    // Saved: the very bytes that were sent.
    const QString target = dir.filePath("saved.pdf");
    QSignalSpy saved(bob->attachmentActions(), &AttachmentActions::saved);
    bob->attachmentActions()->saveTo(row, 0, target);
    QVERIFY(saved.wait(30000));
    QCOMPARE(saved.first().at(1).toBool(), true);
    QFile file(target);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll() == bytes);
}

void tst_ChatWindowFiles::fileDroppedOnTheComposerAttaches()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    QVERIFY(alice);
    QTemporaryDir dir;
    auto *composer = alice->findChild<Composer *>("composer");
    QTest::keyClicks(composer, "the plan");
    dropFiles(composer->viewport(), {writeFile(dir, "plan.txt", "step one\n")});
    QCOMPARE(pendingOf(alice.get())->count(), 1);
    // The file attached; the words stay as typed, no path pasted into them.
    QCOMPARE(composer->toPlainText(), QStringLiteral("the plan"));
    QVERIFY(uploaded(alice.get()));
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(newestWithFiles(alice.get()) >= 0, 10000);
    const client::ChatMessage sent =
        alice->session()->messages("files")->at(newestWithFiles(alice.get()));
    QCOMPARE(sent.body, QStringLiteral("the plan"));
    QCOMPARE(sent.attachments.first().name, QStringLiteral("plan.txt"));
}

void tst_ChatWindowFiles::pastedImageShowsAsAThumbnailAndOpens()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    auto bob = openWindow(server, "bob", "files");
    QVERIFY(alice && bob);
    QImage image(400, 300, QImage::Format_RGB32);
    image.fill(QColor(220, 20, 30));
    QGuiApplication::clipboard()->setImage(image);
    auto *composer = alice->findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(pendingOf(alice.get())->count(), 1);
    const QString name = pendingOf(alice.get())->transfer(0)->name();
    QVERIFY2(name.startsWith("pasted-") && name.endsWith(".png"), qPrintable(name));
    QVERIFY(uploaded(alice.get()));
    QTest::keyClick(composer, Qt::Key_Return);

    QTRY_VERIFY_WITH_TIMEOUT(newestWithFiles(bob.get()) >= 0, 10000);
    const int row = newestWithFiles(bob.get());
    const client::Attachment received =
        bob->session()->messages("files")->at(row).attachments.first();
    QVERIFY(received.isImage());
    QCOMPARE(received.type, QStringLiteral("image/png"));
    QCOMPARE(QSize(received.width, received.height), image.size());

    // The row grew by the thumbnail, and the thumbnail is painted there once fetched.
    auto *view = bob->findChild<MessageView *>("messageView");
    const QRect box = view->attachmentRect(row, 0);
    QCOMPARE(box.size(), MessageDelegate::imageSize(received));
    QVERIFY(box.height() > 100);
    QVERIFY(view->visualRect(view->model()->index(row, 0)).contains(box));
    QVERIFY(view->bodyRect(row).height() == 0);
    ThumbnailCache *thumbnails = bob->attachmentActions()->thumbnails();
    view->viewport()->grab();
    QTRY_VERIFY_WITH_TIMEOUT(thumbnails->contains(received.id), 10000);
    const QImage painted = view->viewport()->grab().toImage();
    const QColor centre = painted.pixelColor(box.center());
    QVERIFY2(centre.red() > 180 && centre.green() < 70 && centre.blue() < 80,
             qPrintable(centre.name()));

    // A click opens the viewer with the full image.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, box.center());
    ImageViewer *viewer = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((viewer = bob->findChild<ImageViewer *>()) != nullptr, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!viewer->image().isNull(), 10000);
    QCOMPARE(viewer->image().size(), image.size());
    viewer->close();
}

void tst_ChatWindowFiles::refusedUploadSaysWhyInTheComposer()
{
    TestServer server;
    server.config().maxUploadBytes = 256 * 1024;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    QVERIFY(alice);
    QTemporaryDir dir;
    auto *view = alice->findChild<MessageView *>("messageView");
    // Just over the limit (a far larger file is refused on its request head, and the server
    // then sends no limit: see tst_fileupload).
    dropFiles(view->viewport(), {writeFile(dir, "video.bin", randomBytes(257 * 1024))});
    QVERIFY(uploaded(alice.get()));
    PendingAttachments *pending = pendingOf(alice.get());
    QCOMPARE(pending->count(), 1);
    QCOMPARE(pending->transfer(0)->status(), 413);
    auto *status = pending->findChild<QLabel *>("uploadStatus");
    QVERIFY(status && status->isVisible());
    const QString limit =
        QLocale().formattedDataSize(256 * 1024, 1, QLocale::DataSizeTraditionalFormat);
    QVERIFY2(status->text().contains(limit), qPrintable(status->text()));
    QVERIFY(pending->ready().isEmpty());
    // Dismissed with its button.
    QTest::mouseClick(pending->findChild<QToolButton *>("cancelUpload"), Qt::LeftButton);
    QTRY_COMPARE(pending->count(), 0);
    QVERIFY(!pending->isVisible());
}

void tst_ChatWindowFiles::cancelButtonStopsAnUpload()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    QVERIFY(alice);
    QTemporaryDir dir;
    auto *view = alice->findChild<MessageView *>("messageView");
    dropFiles(view->viewport(), {writeFile(dir, "big.bin", randomBytes(20 * 1024 * 1024))});
    PendingAttachments *pending = pendingOf(alice.get());
    QCOMPARE(pending->count(), 1);
    QPointer<client::FileTransfer> transfer = pending->transfer(0);
    // Clicked before the event loop ran again: the upload has not finished.
    QVERIFY(transfer->isRunning());
    QSignalSpy finishedSpy(transfer.data(), &client::FileTransfer::finished);
    QTest::mouseClick(pending->findChild<QToolButton *>("cancelUpload"), Qt::LeftButton);
    QCOMPARE(finishedSpy.size(), 1);
    QVERIFY(transfer);
    QCOMPARE(transfer->state(), client::FileTransfer::State::Cancelled);
    QCOMPARE(pending->count(), 0);
    QVERIFY(!pending->isVisible());
    QVERIFY(pending->ready().isEmpty());
}

void tst_ChatWindowFiles::filesStayWithTheirConversation()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    QVERIFY(alice);
    QSignalSpy joined(alice->session(), &client::ChatSession::roomJoined);
    QVERIFY(alice->session()->joinRoom("other"));
    QVERIFY(joined.wait(10000));
    alice->session()->setCurrentRoom("files");
    QTemporaryDir dir;
    auto *composer = alice->findChild<Composer *>("composer");
    dropFiles(composer->viewport(), {writeFile(dir, "private.txt", "for #files only")});
    QVERIFY(uploaded(alice.get()));
    PendingAttachments *pending = pendingOf(alice.get());
    QCOMPARE(pending->ready().size(), 1);

    // In another conversation the file is not there, and Enter sends nothing.
    alice->session()->setCurrentRoom("other");
    QCOMPARE(pending->count(), 0);
    QVERIFY(pending->ready().isEmpty());
    QVERIFY(!pending->isVisible());
    composer->setFocus();
    QSignalSpy submitted(composer, &Composer::submitted);
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(submitted.size(), 0);

    // Back: it waits where it was attached.
    alice->session()->setCurrentRoom("files");
    QCOMPARE(pending->count(), 1);
    QVERIFY(pending->isVisible());
    QCOMPARE(pending->ready().first().name, QStringLiteral("private.txt"));
}

void tst_ChatWindowFiles::expiredThumbnailIsAskedForAgain()
{
    TestServer server;
    // Short enough to wait for, long enough for the fresh URL to be fetched in time.
    server.config().fileUrlTtlMs = 4000;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "files");
    auto bob = openWindow(server, "bob", "files");
    QVERIFY(alice && bob);
    // Bob is away (his window hidden, nothing painted) while the image comes and its URLs expire.
    bob->hide();
    QImage image(200, 100, QImage::Format_RGB32);
    image.fill(QColor(20, 160, 40));
    QGuiApplication::clipboard()->setImage(image);
    auto *composer = alice->findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_V, Qt::ControlModifier);
    QVERIFY(uploaded(alice.get()));
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(newestWithFiles(bob.get()) >= 0, 10000);
    const int row = newestWithFiles(bob.get());
    const client::MessageModel *model = bob->session()->messages("files");
    const client::Attachment old = model->at(row).attachments.first();
    QTRY_VERIFY_WITH_TIMEOUT(old.isExpired(), 10000);

    // Back: the thumbnail's URL is asked for again, then fetched and shown.
    ThumbnailCache *thumbnails = bob->attachmentActions()->thumbnails();
    QVERIFY(!thumbnails->contains(old.id));
    bob->show();
    bob->findChild<MessageView *>("messageView")->viewport()->grab();
    QTRY_VERIFY_WITH_TIMEOUT(model->at(row).attachments.first().thumbUrl != old.thumbUrl, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(thumbnails->contains(old.id), 10000);
}

QTEST_MAIN(tst_ChatWindowFiles)
#include "tst_chatwindowfiles.moc"
