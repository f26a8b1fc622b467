// SPDX-License-Identifier: MIT
// Files through the client library against the real engine on loopback
// (docs/files-and-search.md): uploads with progress, cancel, refusals, messages that carry
// attachments to others and in history, downloads, and expired URLs asked for again.
#include "accounttestutil.h"
#include "attachment.h"
#include "chatsession.h"
#include "fileclient.h"
#include "filetransfer.h"
#include "messagemodel.h"
#include "servertestutil.h"
#include "sessiontestutil.h"

#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace chatter::client;

using namespace sessiontest;

namespace {

//! Waits for a transfer's end (at most 30 s).
bool finished(FileTransfer *transfer)
{
    if (!transfer->isRunning())
        return true;
    QSignalSpy spy(transfer, &FileTransfer::finished);
    return spy.wait(30000) || !transfer->isRunning();
}

QList<Attachment> attachmentsOf(const MessageModel *model, int row)
{
    return model->index(row).data(MessageModel::AttachmentsRole).value<QList<Attachment>>();
}

} // namespace

class tst_FileUpload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void uploadShowsProgressAndTheMessageCarriesIt();
    void cancelStopsAnUpload();
    void tooLargeIsRefusedWithTheLimit();
    void uploadNeedsASession();
    void expiredUrlsAreAskedForAgain();
    void pinnedCertificateCoversFiles();
};

void tst_FileUpload::uploadShowsProgressAndTheMessageCarriesIt()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, guest(server, "alice"), "files");
    auto bob = joinedSession(server, guest(server, "bob"), "files");
    QVERIFY(alice && bob);
    QVERIFY(alice->files()->canUpload());

    QTemporaryDir dir;
    const QByteArray bytes = randomBytes(3 * 1024 * 1024 + 17);
    const QString path = writeFile(dir, "report & data.bin", bytes);
    QVERIFY(!path.isEmpty());
    FileTransfer *upload = alice->files()->upload(path);
    QSignalSpy progress(upload, &FileTransfer::progress);
    QVERIFY(finished(upload));
    QCOMPARE(upload->state(), FileTransfer::State::Done);
    QCOMPARE(upload->status(), 201);
    // The body went out in pieces, each reported, the last one complete.
    QVERIFY(progress.size() >= 1);
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(bytes.size()));
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(bytes.size()));
    const Attachment uploaded = upload->attachment();
    QCOMPARE(uploaded.name, QStringLiteral("report & data.bin"));
    QCOMPARE(uploaded.size, qint64(bytes.size()));
    QCOMPARE(uploaded.id.size(), 22);
    QVERIFY(!uploaded.isImage());

    // Sent without words; bob's broadcast carries the attachment object.
    QVERIFY(alice->sendMessage("files", QString(), 0, {uploaded}));
    const MessageModel *bobs = bob->messages("files");
    QTRY_VERIFY_WITH_TIMEOUT(bobs->chatCount() == 1, 10000);
    const int row = bobs->rowCount() - 1;
    QCOMPARE(bobs->at(row).body, QString());
    QList<Attachment> received = attachmentsOf(bobs, row);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().id, uploaded.id);
    QCOMPARE(received.first().name, uploaded.name);
    QCOMPARE(received.first().size, uploaded.size);
    QVERIFY(!received.first().isExpired());

    // Bob fetches it: the same bytes.
    FileTransfer *download = bob->files()->download(received.first().url, received.first().name);
    QVERIFY(finished(download));
    QCOMPARE(download->state(), FileTransfer::State::Done);
    QCOMPARE(download->data().size(), bytes.size());
    QVERIFY(download->data() == bytes);

    // Someone who joins later finds it in the join reply's history.
    auto carol = joinedSession(server, guest(server, "carol"), "files");
    QVERIFY(carol);
    const MessageModel *carols = carol->messages("files");
    QTRY_VERIFY_WITH_TIMEOUT(carols->chatCount() == 1, 10000);
    received = attachmentsOf(carols, carols->rowCount() - 1);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().id, uploaded.id);
}

void tst_FileUpload::cancelStopsAnUpload()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = joinedSession(server, guest(server, "alice"), "files");
    QVERIFY(alice);
    QTemporaryDir dir;
    const QString path = writeFile(dir, "big.bin", randomBytes(20 * 1024 * 1024));
    FileTransfer *upload = alice->files()->upload(path);
    QSignalSpy finishedSpy(upload, &FileTransfer::finished);
    // Cancelled at the first sign of progress: far from the end of 20 MiB.
    connect(upload, &FileTransfer::progress, upload, [upload](qint64 done, qint64 total) {
        if (done < total)
            upload->cancel();
    });
    QVERIFY(finished(upload));
    QCOMPARE(upload->state(), FileTransfer::State::Cancelled);
    QCOMPARE(finishedSpy.size(), 1);
    QVERIFY(upload->bytesDone() < upload->bytesTotal());
    QVERIFY(upload->attachment().id.isEmpty());
    // Nothing stuck: the next upload goes through.
    FileTransfer *next = alice->files()->upload(writeFile(dir, "small.txt", "hello"));
    QVERIFY(finished(next));
    QCOMPARE(next->state(), FileTransfer::State::Done);
}

void tst_FileUpload::tooLargeIsRefusedWithTheLimit()
{
    TestServer server;
    server.config().maxUploadBytes = 64 * 1024;
    QVERIFY(server.start());
    auto alice = joinedSession(server, guest(server, "alice"), "files");
    QVERIFY(alice);
    QTemporaryDir dir;
    // Just over the limit: the upload handler measures the file and answers with the limit.
    FileTransfer *upload =
        alice->files()->upload(writeFile(dir, "large.bin", randomBytes(64 * 1024 + 1000)));
    QVERIFY(finished(upload));
    QCOMPARE(upload->state(), FileTransfer::State::Failed);
    QCOMPARE(upload->status(), 413);
    // The server's limit, in words.
    QCOMPARE(upload->error(),
             FileClient::describeRefusal(413, QJsonObject{{"limit", 64 * 1024}}, 0));
    const QString limit =
        QLocale().formattedDataSize(64 * 1024, 1, QLocale::DataSizeTraditionalFormat);
    QVERIFY2(upload->error().contains(limit), qPrintable(upload->error()));

    // Far over: refused on the request head, before the body is read, with the limit too.
    FileTransfer *huge =
        alice->files()->upload(writeFile(dir, "huge.bin", randomBytes(1024 * 1024)));
    QVERIFY(finished(huge));
    QCOMPARE(huge->state(), FileTransfer::State::Failed);
    QCOMPARE(huge->status(), 413);
    QVERIFY2(huge->error().startsWith("Too large"), qPrintable(huge->error()));
    QVERIFY2(huge->error().contains(limit), qPrintable(huge->error()));

    // Just under the limit is fine.
    FileTransfer *fits = alice->files()->upload(writeFile(dir, "fits.bin", randomBytes(60 * 1024)));
    QVERIFY(finished(fits));
    QCOMPARE(fits->state(), FileTransfer::State::Done);
}

void tst_FileUpload::uploadNeedsASession()
{
    TestServer server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    const QString path = writeFile(dir, "a.txt", "abc");
    // A bare guest has no token: refused here, nothing sent.
    ChatSession bare(fastOptions());
    bare.connectToServer(server.address(), QStringLiteral("bare"));
    QVERIFY(!bare.files()->canUpload());
    FileTransfer *upload = bare.files()->upload(path);
    QVERIFY(finished(upload));
    QCOMPARE(upload->state(), FileTransfer::State::Failed);
    QCOMPARE(upload->status(), 0);
    QVERIFY(upload->error().contains("session"));
    // A token the server does not know: its 401.
    FileClient files;
    files.setServer(server.address());
    files.setToken(QStringLiteral("not-a-token"));
    FileTransfer *forged = files.upload(path);
    QVERIFY(finished(forged));
    QCOMPARE(forged->status(), 401);
    QVERIFY(forged->error().contains("sign in"));
}

void tst_FileUpload::expiredUrlsAreAskedForAgain()
{
    TestServer server;
    server.config().fileUrlTtlMs = 2000;
    QVERIFY(server.start());
    auto alice = joinedSession(server, guest(server, "alice"), "files");
    QVERIFY(alice);
    QTemporaryDir dir;
    FileTransfer *upload = alice->files()->upload(writeFile(dir, "a.txt", "expiring"));
    QVERIFY(finished(upload));
    QCOMPARE(upload->state(), FileTransfer::State::Done);
    QVERIFY(alice->sendMessage("files", QStringLiteral("see"), 0, {upload->attachment()}));
    const MessageModel *model = alice->messages("files");
    QTRY_VERIFY_WITH_TIMEOUT(model->chatCount() == 1, 10000);
    const int row = model->rowCount() - 1;
    // A newer message, so that the one asked for is not simply the newest.
    QVERIFY(alice->sendMessage("files", QStringLiteral("after it")));
    QTRY_VERIFY_WITH_TIMEOUT(model->chatCount() == 2, 10000);
    const Attachment old = attachmentsOf(model, row).value(0);
    QTRY_VERIFY_WITH_TIMEOUT(old.isExpired(), 10000);
    // The server agrees: 403 expired.
    FileTransfer *stale = alice->files()->download(old.url, old.name);
    QVERIFY(finished(stale));
    QCOMPARE(stale->status(), 403);
    QVERIFY(stale->isExpired());
    // Asked again (`history {around}`): the model carries a later signature.
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    alice->refreshAttachments("files", model->at(row).id);
    QTRY_VERIFY_WITH_TIMEOUT(attachmentsOf(model, row).value(0).url != old.url, 10000);
    const Attachment fresh = attachmentsOf(model, row).value(0);
    QVERIFY(fresh.expiresAt() > old.expiresAt());
    QCOMPARE(fresh.id, old.id);
}

void tst_FileUpload::pinnedCertificateCoversFiles()
{
    // Pins live in QSettings: the test's own, never the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_fileupload"));
    TestServer server;
    server.setTlsSelfSigned(true);
    QVERIFY(server.start());
    const QString wss = QStringLiteral("wss://127.0.0.1:%1").arg(server.port());
    CertificatePins pins;
    pins.forget(QStringLiteral("127.0.0.1:%1").arg(server.port()));
    AccountClient accounts;
    accounts.setServer(wss);
    accounts.setCertificatePins(&pins);
    const auto refused = waitFor([&](auto done) { accounts.enterAsGuest("alice", done); });
    QVERIFY(refused.untrustedCertificate);

    // Not pinned yet: the upload ends on the certificate, as the socket would.
    QTemporaryDir dir;
    const QByteArray bytes = randomBytes(100 * 1024);
    const QString path = writeFile(dir, "over-tls.bin", bytes);
    FileClient files;
    files.setServer(wss);
    files.setCertificatePins(&pins);
    files.setToken(QStringLiteral("whatever"));
    FileTransfer *untrusted = files.upload(path);
    QVERIFY(finished(untrusted));
    QCOMPARE(untrusted->state(), FileTransfer::State::Failed);
    QVERIFY2(untrusted->error().contains("not trusted"), qPrintable(untrusted->error()));

    // Trusted once (the dialog's "Trust and connect"): uploads and downloads go through.
    pins.pin(refused.certificate.hostPort, refused.certificate.fingerprint);
    const auto entered = waitFor([&](auto done) { accounts.enterAsGuest("alice", done); });
    QCOMPARE(entered.status, 201);
    files.setToken(entered.identity.token);
    FileTransfer *upload = files.upload(path);
    QVERIFY(finished(upload));
    QCOMPARE(upload->state(), FileTransfer::State::Done);
    FileTransfer *download = files.download(upload->attachment().url, "over-tls.bin");
    QVERIFY(finished(download));
    QCOMPARE(download->state(), FileTransfer::State::Done);
    QVERIFY(download->data() == bytes);
    pins.forget(refused.certificate.hostPort);
}

QTEST_GUILESS_MAIN(tst_FileUpload)
#include "tst_fileupload.moc"
