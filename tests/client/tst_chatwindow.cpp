// SPDX-License-Identifier: MIT
// Two chat windows in one process against the real engine, driven through their widgets.
#include "chatsession.h"
#include "composer.h"
#include "mainwindow.h"
#include "membermodel.h"
#include "messageformatter.h"
#include "messagemodel.h"
#include "roomlistmodel.h"
#include "servertestutil.h"

#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QTest>

using namespace chatter;
using namespace chatter::ui;

namespace {

QStringList column(const QAbstractItemModel *model, int role)
{
    QStringList out;
    for (int row = 0; model && row < model->rowCount(); ++row)
        out << model->index(row, 0).data(role).toString();
    return out;
}

//! A window connected as `nick` that joined `room` by typing into the join field.
std::unique_ptr<MainWindow> openWindow(const TestServer &server, const QString &nick,
                                       const QString &room)
{
    auto window = std::make_unique<MainWindow>(fastOptions());
    window->setWindowTitle(nick);
    window->show();
    QSignalSpy joined(window->session(), &client::ChatSession::roomJoined);
    window->connectTo(server.address(), nick);
    auto *joinEdit = window->findChild<QLineEdit *>("joinEdit");
    joinEdit->setFocus();
    QTest::keyClicks(joinEdit, room);
    QTest::keyClick(joinEdit, Qt::Key_Return);
    if (!joined.wait(10000))
        return nullptr;
    return window;
}

} // namespace

class tst_ChatWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nickColoursMatchTheBrowser_data();
    void nickColoursMatchTheBrowser();
    void userTextIsEscaped_data();
    void userTextIsEscaped();
    void typingInOneWindowShowsInTheOther();
    void unreadCountsInTheRoomList();
    void memberListFollowsJoinsAndLeaves();
    void statusBarExplainsFailedConnects_data();
    void statusBarExplainsFailedConnects();
};

void tst_ChatWindow::nickColoursMatchTheBrowser_data()
{
    // Hues from the browser client's nickHue() for the same nicknames.
    QTest::addColumn<QString>("nick");
    QTest::addColumn<int>("hue");
    QTest::newRow("ann") << "ann" << 320;
    QTest::newRow("Ann differs") << "Ann" << 160;
    QTest::newRow("bob") << "bob" << 284;
    QTest::newRow("non-ASCII") << QStringLiteral("J\u00fcrgen") << 95;
    QTest::newRow("punctuation") << "u_1.x" << 162;
}

void tst_ChatWindow::nickColoursMatchTheBrowser()
{
    QFETCH(QString, nick);
    QFETCH(int, hue);
    QCOMPARE(MessageFormatter::nickColor(nick).hslHue(), hue);
}

void tst_ChatWindow::userTextIsEscaped_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("mustContain");
    QTest::addColumn<QString>("mustNotContain");
    QTest::newRow("tags") << "<b>bold</b>"
                          << "&lt;b&gt;bold&lt;/b&gt;"
                          << "<b>bold";
    QTest::newRow("script") << "<script>x</script>"
                            << "&lt;script&gt;"
                            << "<script>";
    QTest::newRow("link") << "see https://example.org/a?b=1&c=2."
                          << "<a href=\"https://example.org/a?b=1&amp;c=2\">"
                          << "c=2.\"";
    QTest::newRow("link with quote") << "https://x.org/\"onmouseover=1"
                                     << "https://x.org/</a>"
                                     << "onmouseover=1\"";
    QTest::newRow("mention") << "hi bob!"
                             << "<b>bob</b>"
                             << "hi <b";
}

void tst_ChatWindow::userTextIsEscaped()
{
    QFETCH(QString, body);
    QFETCH(QString, mustContain);
    QFETCH(QString, mustNotContain);
    const QString html = MessageFormatter::bodyHtml(body, QStringLiteral("bob"));
    QVERIFY2(html.contains(mustContain), qPrintable(html));
    QVERIFY2(!html.contains(mustNotContain), qPrintable(html));
}

void tst_ChatWindow::typingInOneWindowShowsInTheOther()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);

    auto *composer = alice->findChild<Composer *>("composer");
    auto *bobTyping = bob->findChild<QLabel *>("typingLabel");
    composer->setFocus();
    QTest::keyClicks(composer, "hello from alice");
    QTRY_COMPARE_WITH_TIMEOUT(bobTyping->text(), QStringLiteral("alice is typing…"), 10000);
    // Shift+Enter adds a line; Enter sends both.
    QTest::keyClick(composer, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(composer, "second line");
    QTest::keyClick(composer, Qt::Key_Return);
    QVERIFY(composer->toPlainText().isEmpty());

    auto *bobMessages = bob->findChild<QListView *>("messageView");
    QTRY_VERIFY_WITH_TIMEOUT(column(bobMessages->model(), client::MessageModel::BodyRole)
                                 .contains("hello from alice\nsecond line"),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(bobTyping->text().isEmpty(), 10000);
    auto *aliceMessages = alice->findChild<QListView *>("messageView");
    QTRY_VERIFY_WITH_TIMEOUT(column(aliceMessages->model(), client::MessageModel::BodyRole)
                                 .contains("hello from alice\nsecond line"),
                             10000);
    const int row = int(column(aliceMessages->model(), client::MessageModel::BodyRole)
                            .indexOf("hello from alice\nsecond line"));
    QVERIFY(aliceMessages->model()->index(row, 0).data(client::MessageModel::OwnRole).toBool());
}

void tst_ChatWindow::unreadCountsInTheRoomList()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);
    // Bob also joins #dev, then goes back to #lobby with Alt+1.
    QSignalSpy bobJoined(bob->session(), &client::ChatSession::roomJoined);
    auto *bobJoin = bob->findChild<QLineEdit *>("joinEdit");
    bobJoin->setFocus();
    QTest::keyClicks(bobJoin, "dev");
    QTest::keyClick(bobJoin, Qt::Key_Return);
    QVERIFY(bobJoined.wait(10000));
    QCOMPARE(bob->session()->currentRoom(), QStringLiteral("dev"));
    QTest::keyClick(bob.get(), Qt::Key_1, Qt::AltModifier);
    QCOMPARE(bob->session()->currentRoom(), QStringLiteral("lobby"));

    QSignalSpy aliceJoined(alice->session(), &client::ChatSession::roomJoined);
    alice->session()->joinRoom("dev");
    QVERIFY(aliceJoined.wait(10000));
    alice->session()->sendMessage("dev", "one");
    alice->session()->sendMessage("dev", "two for bob");

    auto *roomView = bob->findChild<QListView *>("roomView");
    const QModelIndex dev = roomView->model()->index(1, 0);
    QTRY_COMPARE_WITH_TIMEOUT(dev.data(client::RoomListModel::UnreadRole).toInt(), 2, 10000);
    QVERIFY(dev.data(client::RoomListModel::MentionedRole).toBool());
    QVERIFY(bob->windowTitle().startsWith("(2)"));
    QVERIFY(roomView->model()->index(0, 0).data(client::RoomListModel::CurrentRole).toBool());

    // Moving to #dev (Alt+Down) reads it.
    QTest::keyClick(bob.get(), Qt::Key_Down, Qt::AltModifier);
    QCOMPARE(bob->session()->currentRoom(), QStringLiteral("dev"));
    QCOMPARE(dev.data(client::RoomListModel::UnreadRole).toInt(), 0);
    QCOMPARE(roomView->currentIndex().row(), 1);
}

void tst_ChatWindow::memberListFollowsJoinsAndLeaves()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    auto *members = alice->findChild<QListView *>("memberView");
    QVERIFY(members);
    QVERIFY2(
        QTest::qWaitFor([&] { return members->model() && members->model()->rowCount() > 0; }, 5000),
        "no presence_state within 5 s of the join: the member list is empty");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(bob);
    QTRY_COMPARE_WITH_TIMEOUT(column(members->model(), client::MemberModel::NickRole),
                              QStringList({"alice", "bob"}), 10000);
    // Bob leaves with Ctrl+W.
    QTest::keyClick(bob.get(), Qt::Key_W, Qt::ControlModifier);
    QCOMPARE(bob->session()->roomNames(), QStringList());
    QTRY_COMPARE_WITH_TIMEOUT(column(members->model(), client::MemberModel::NickRole),
                              QStringList{"alice"}, 10000);
    auto *messages = alice->findChild<QListView *>("messageView");
    const QStringList lines = column(messages->model(), Qt::DisplayRole);
    QVERIFY(lines.contains("bob joined"));
    QVERIFY(lines.contains("bob left"));
}

void tst_ChatWindow::statusBarExplainsFailedConnects_data()
{
    QTest::addColumn<bool>("serverUp");
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("explanation");
    QTest::newRow("nothing listening") << false << "alice"
                                       << "connection refused";
    QTest::newRow("upgrade refused (HTTP 403)") << true << "bad nick!"
                                                << "the server refused the connection";
}

void tst_ChatWindow::statusBarExplainsFailedConnects()
{
    QFETCH(bool, serverUp);
    QFETCH(QString, nick);
    QFETCH(QString, explanation);
    TestServer server;
    QVERIFY(server.start());
    if (!serverUp)
        server.stop(); // the port is now closed: connects are refused
    // The real schedule (10 ms … 2 s, then 5 s), so a countdown in seconds shows up.
    MainWindow window;
    window.show();
    window.connectTo(server.address(), nick);
    auto *status = window.findChild<QLabel *>("connectionStatus");
    QTRY_VERIFY2_WITH_TIMEOUT(status->text().contains(explanation) &&
                                  status->text().contains(" s…"),
                              qPrintable(status->text()), 20000);
    QVERIFY2(status->text().contains("reconnecting in"), qPrintable(status->text()));
}

QTEST_MAIN(tst_ChatWindow)
#include "tst_chatwindow.moc"
