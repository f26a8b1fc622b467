// SPDX-License-Identifier: MIT
// Ctrl+F in the chat window against the real engine: the search pane, its grouped results,
// and a result opened in its conversation with the message in view and highlighted.
#include "accountclient.h"
#include "chatsession.h"
#include "composer.h"
#include "mainwindow.h"
#include "messagemodel.h"
#include "messageview.h"
#include "personalchannel.h"
#include "roomsession.h"
#include "search.h"
#include "searchpane.h"
#include "searchresultsmodel.h"
#include "servertestutil.h"
#include "sessiontestutil.h"

#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using namespace chatter;
using namespace chatter::ui;

using namespace sessiontest;

namespace {

qint64 idOf(const client::MessageModel *model, const QString &body)
{
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->at(row).body == body)
            return model->at(row).id;
    }
    return 0;
}

//! The result index of message `id` in the search view's model, invalid when not listed.
QModelIndex resultIndex(const QTreeView *view, qint64 id)
{
    const QAbstractItemModel *model = view->model();
    for (int group = 0; group < model->rowCount(); ++group) {
        const QModelIndex parent = model->index(group, 0);
        for (int row = 0; row < model->rowCount(parent); ++row) {
            const QModelIndex index = model->index(row, 0, parent);
            if (index.data(client::SearchResultsModel::IdRole).toLongLong() == id)
                return index;
        }
    }
    return {};
}

} // namespace

class tst_SearchWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void ctrlFFindsAndOpensAtTheMessage();
    void aWindowShorterThanTheViewFillsItself();
};

void tst_SearchWindow::initTestCase()
{
    // The session token the window keeps goes to a throwaway settings file.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_searchwindow"));
}

void tst_SearchWindow::ctrlFFindsAndOpensAtTheMessage()
{
    TestServer server;
    server.config().minimumPasswordCost = true;
    QVERIFY(server.start());
    const client::Identity aliceId = registered(server, "alice");
    const client::Identity bobId = registered(server, "bob");
    QVERIFY(aliceId.isValid() && bobId.isValid());

    // Alice writes in #archive: one old message about the deploy, then 120 others.
    client::ChatSession alice(fastOptions());
    QSignalSpy aliceJoined(&alice, &client::ChatSession::roomJoined);
    alice.connectToServer(server.address(), aliceId);
    alice.joinRoom("archive");
    QVERIFY(aliceJoined.wait(10000));
    alice.sendMessage("archive", "the deploy checklist is in the wiki");
    for (int i = 1; i <= 120; ++i)
        alice.sendMessage("archive", QStringLiteral("filler %1").arg(i));
    alice.joinRoom("ops");
    QTRY_VERIFY_WITH_TIMEOUT(alice.room("ops") && alice.room("ops")->isJoined(), 10000);
    alice.sendMessage("ops", "deploy at noon");
    QTRY_VERIFY_WITH_TIMEOUT(idOf(alice.messages("ops"), "deploy at noon") > 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(idOf(alice.messages("archive"), "filler 120") > 0, 20000);
    const qint64 target = idOf(alice.messages("archive"), "the deploy checklist is in the wiki");
    QVERIFY(target > 0);

    // Bob is in #ops only; #archive is one he never joined.
    MainWindow bob(fastOptions());
    bob.resize(1100, 700);
    bob.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bob));
    bob.connectWithSession(server.address(), bobId);
    bob.session()->joinRoom("ops");
    QTRY_VERIFY_WITH_TIMEOUT(bob.session()->personal() && bob.session()->personal()->isJoined() &&
                                 bob.session()->room("ops") &&
                                 bob.session()->room("ops")->isJoined(),
                             10000);

    auto *dock = bob.findChild<QDockWidget *>("searchDock");
    auto *edit = bob.findChild<QLineEdit *>("searchEdit");
    auto *results = bob.findChild<QTreeView *>("searchResults");
    QVERIFY(dock && edit && results);
    QVERIFY(dock->isHidden());
    QCOMPARE(edit->accessibleName(), QStringLiteral("Search messages"));
    QCOMPARE(results->accessibleName(), QStringLiteral("Search results"));

    // Ctrl+F: the pane, its field focused.
    bob.activateWindow();
    QTest::keyClick(&bob, Qt::Key_F, Qt::ControlModifier);
    QVERIFY(dock->isVisible());
    QTRY_VERIFY(edit->hasFocus());
    QTest::keyClicks(edit, "deploy");
    QSignalSpy loaded(bob.session()->search(), &client::Search::pageLoaded);
    QTest::keyClick(edit, Qt::Key_Return);
    QVERIFY(loaded.wait(10000));

    // Grouped by conversation, each group open with its result under it.
    const QAbstractItemModel *model = results->model();
    QCOMPARE(model->rowCount(), 2);
    QStringList groups;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex group = model->index(row, 0);
        groups << group.data().toString();
        QVERIFY(results->isExpanded(group));
        QCOMPARE(model->rowCount(group), 1);
    }
    groups.sort();
    QCOMPARE(groups, (QStringList{"#archive", "#ops"}));
    QVERIFY(bob.findChild<QLabel *>("searchStatus")->text().contains("2 results"));
    const QModelIndex hit = resultIndex(results, target);
    QVERIFY(hit.isValid());
    // The delegate gives a result room for its header and snippet.
    QVERIFY(results->visualRect(hit).height() > 2 * results->fontMetrics().height());

    // Down into the results, to the archive's hit, and Enter: #archive joined, current, and
    // the message in view and highlighted, far back in its history.
    QTest::keyClick(edit, Qt::Key_Down);
    QTRY_VERIFY(results->hasFocus());
    results->setCurrentIndex(hit);
    QSignalSpy opened(bob.session(), &client::ChatSession::openedAt);
    QTest::keyClick(results->viewport(), Qt::Key_Return);
    QVERIFY(opened.wait(10000));
    QCOMPARE(bob.session()->currentRoom(), QStringLiteral("archive"));
    QVERIFY(bob.session()->isDetached("archive"));
    auto *view = bob.findChild<MessageView *>("messageView");
    QCOMPARE(view->model(), bob.session()->messages("archive"));
    const int row = view->rowOfId(target);
    QVERIFY(row >= 0);
    QTRY_COMPARE(view->flashedId(), target);
    QVERIFY(view->selectionModel()->isRowSelected(row));
    QTRY_VERIFY(
        view->viewport()->rect().intersects(view->visualRect(view->model()->index(row, 0))));

    // Scrolling to the bottom of the window pages forward to the live end.
    QScrollBar *bar = view->verticalScrollBar();
    for (int page = 0; page < 20 && bob.session()->isDetached("archive"); ++page) {
        bar->setValue(bar->maximum());
        QTest::qWait(100);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!bob.session()->isDetached("archive"), 10000);
    const client::MessageModel *archive = bob.session()->messages("archive");
    QCOMPARE(archive->at(archive->rowCount() - 1).body, QStringLiteral("filler 120"));

    // The next action ends the highlight; Escape closes the pane, back to the composer.
    view->setFocus();
    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(view->flashedId(), 0);
    bob.openSearch();
    QTRY_VERIFY(edit->hasFocus());
    QTest::keyClick(edit, Qt::Key_Escape);
    QVERIFY(dock->isHidden());
    QTRY_VERIFY(bob.findChild<Composer *>("composer")->hasFocus());
}

void tst_SearchWindow::aWindowShorterThanTheViewFillsItself()
{
    TestServer server;
    QVERIFY(server.start());
    client::ChatSession alice(fastOptions());
    QSignalSpy aliceJoined(&alice, &client::ChatSession::roomJoined);
    alice.connectToServer(server.address(), "alice");
    alice.joinRoom("lobby");
    QVERIFY(aliceJoined.wait(10000));
    for (int i = 1; i <= 80; ++i)
        alice.sendMessage("lobby", QStringLiteral("m%1").arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(idOf(alice.messages("lobby"), "m80") > 0, 20000);

    // A view tall enough for the whole window of 50 one-line messages: nothing to scroll.
    MainWindow bob(fastOptions());
    bob.resize(900, 2600);
    bob.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bob));
    QSignalSpy bobJoined(bob.session(), &client::ChatSession::roomJoined);
    bob.connectTo(server.address(), "bob");
    bob.session()->joinRoom("lobby");
    QVERIFY(bobJoined.wait(10000));
    auto *view = bob.findChild<MessageView *>("messageView");
    QSignalSpy opened(bob.session(), &client::ChatSession::openedAt);
    bob.session()->openAtMessage("lobby", idOf(alice.messages("lobby"), "m5"));
    QVERIFY(opened.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(!bob.session()->isDetached("lobby"), 10000);
    QCOMPARE(view->verticalScrollBar()->maximum(), 0);
    const client::MessageModel *lobby = bob.session()->messages("lobby");
    QCOMPARE(lobby->at(lobby->rowCount() - 1).body, QStringLiteral("m80"));
}

QTEST_MAIN(tst_SearchWindow)
#include "tst_searchwindow.moc"
