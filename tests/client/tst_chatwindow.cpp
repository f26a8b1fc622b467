// SPDX-License-Identifier: MIT
// Two chat windows in one process against the real engine, driven through their widgets.
#include "accountclient.h"
#include "chatsession.h"
#include "composer.h"
#include "composermodebar.h"
#include "connectdialog.h"
#include "darkpalette.h"
#include "mainwindow.h"
#include "membermodel.h"
#include "messageactions.h"
#include "messagedelegate.h"
#include "messageformatter.h"
#include "messagemodel.h"
#include "messageview.h"
#include "personalchannel.h"
#include "reactionpicker.h"
#include "roombrowser.h"
#include "roomdirectorymodel.h"
#include "roomlistmodel.h"
#include "roomsession.h"
#include "servertestutil.h"
#include "sessiontestutil.h"
#include "traynotifier.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QTimer>
#include <QToolButton>

#include <cmath>

using namespace chatter;
using namespace chatter::ui;

using namespace sessiontest;

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

//! WCAG relative luminance contrast, written out here rather than taken from the code tested.
double contrastRatio(const QColor &a, const QColor &b)
{
    const auto lum = [](const QColor &c) {
        const auto ch = [](double v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
    };
    const double x = lum(a);
    const double y = lum(b);
    return (std::max(x, y) + 0.05) / (std::min(x, y) + 0.05);
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::WindowText, Qt::black);
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

client::ChatMessage chat(qint64 id, const QString &user, const QString &body,
                         const QDateTime &at = QDateTime::currentDateTimeUtc())
{
    client::ChatMessage m;
    m.id = id;
    m.user = user;
    m.body = body;
    m.at = at;
    return m;
}

//! Closes the next modal dialog once it is up, handing it to `inspect` first.
void whenModalShows(std::function<void(QWidget *)> inspect)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, inspect] {
        if (QWidget *modal = QApplication::activeModalWidget()) {
            timer->stop();
            timer->deleteLater();
            inspect(modal);
            if (auto *dialog = qobject_cast<QDialog *>(modal))
                dialog->reject();
        }
    });
    timer->start();
}

//! A window signed in as `identity` that joined `room`, its personal topic joined.
std::unique_ptr<MainWindow> openSignedIn(const TestServer &server, const client::Identity &identity,
                                         const QString &room)
{
    auto window = std::make_unique<MainWindow>(fastOptions());
    window->show();
    QSignalSpy joined(window->session(), &client::ChatSession::roomJoined);
    window->connectWithSession(server.address(), identity);
    window->session()->joinRoom(room);
    if (!joined.wait(10000))
        return nullptr;
    client::ChatSession *session = window->session();
    if (!QTest::qWaitFor(
            [session] { return session->personal() && session->personal()->isJoined(); }, 10000))
        return nullptr;
    return window;
}

//! The row of the first line whose body is `body` in the current room of `window`.
QModelIndex lineWithBody(MainWindow *window, const QString &body)
{
    const client::MessageModel *model =
        window->session()->messages(window->session()->currentRoom());
    for (int row = 0; model && row < model->rowCount(); ++row) {
        if (model->at(row).body == body)
            return model->index(row);
    }
    return {};
}

//! Makes `window` the active one: window shortcuts answer only there.
bool activate(MainWindow *window)
{
    window->activateWindow();
    QApplication::setActiveWindow(window);
    return QTest::qWaitForWindowActive(window);
}

//! Types `text` into the composer of `window` and presses Enter.
void send(MainWindow *window, const QString &text)
{
    auto *composer = window->findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClicks(composer, text);
    QTest::keyClick(composer, Qt::Key_Return);
}

} // namespace

class tst_ChatWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void nickColoursMatchTheBrowser_data();
    void nickColoursMatchTheBrowser();
    void userTextIsEscaped_data();
    void userTextIsEscaped();
    void typingInOneWindowShowsInTheOther();
    void unreadCountsInTheRoomList();
    void memberListFollowsJoinsAndLeaves();
    void statusBarExplainsFailedConnects_data();
    void statusBarExplainsFailedConnects();
    void connectAgainKeepsTheRoomViewLive();
    void offlineMessageIsShownPendingThenSent();
    void overLimitIsRefusedWithAVisibleMessage_data();
    void overLimitIsRefusedWithAVisibleMessage();
    void errorsAreVisibleInTheStatusBar();
    void shortcutsAreUniqueAndWork();
    void leavingTheLastRoomClearsTheView();
    void keyboardEntryIntoMessagesStartsAtTheNewest();
    void messageTextFollowsThePalette_data();
    void messageTextFollowsThePalette();
    void draftsStayWithTheirRoom();
    void cancelledFirstConnectKeepsTheWindow();
    void continuationLinesStayInTheBodyColumn();
    void daySeparatorsAndFullDateTooltip();
    void narrowWindowKeepsTheMessagesReadable();
    void browseRoomsJoinsFromTheDirectory();
    void preferencesAndAbout();
    void replyActionQuotesTheMessage();
    void clickOnAQuoteLoadsOlderHistory();
    void upEditsTheLastMessage();
    void reactionFromThePicker();
    void deleteAsksFirst();
    void directMessageFromTheMemberList();
    void notificationsRespectMuteAndDoNotDisturb();
};

void tst_ChatWindow::initTestCase()
{
    // Session tokens and preferences go to a test's own settings, never the user's.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ChatterTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_chatwindow"));
}

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
                          << "<a href=\"https://example.org/a?b=1&amp;c=2\" "
                          << "c=2.\"";
    QTest::newRow("link with quote") << "https://x.org/\"onmouseover=1"
                                     << "https://x.org/</a>"
                                     << "onmouseover=1\"";
    QTest::newRow("mention") << "hi @bob!"
                             << "font-weight:600\">@bob</span>"
                             << "hi <b";
    QTest::newRow("bare name is no mention") << "hi bob!"
                                             << "hi bob!"
                                             << "<span";
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
    alice->session()->sendMessage("dev", "two for @bob");

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

void tst_ChatWindow::connectAgainKeepsTheRoomViewLive()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);
    bob->session()->sendMessage("before the reconnect");
    auto *messages = alice->findChild<QListView *>("messageView");
    auto *members = alice->findChild<QListView *>("memberView");
    QTRY_VERIFY_WITH_TIMEOUT(
        column(messages->model(), client::MessageModel::BodyRole).contains("before the reconnect"),
        10000);

    // Chat › Connect… as another nickname: the window's connectTo(), as the dialog calls it.
    QSignalSpy joined(alice->session(), &client::ChatSession::roomJoined);
    alice->connectTo(server.address(), "alice2");
    QVERIFY(joined.wait(10000));
    QVERIFY2(messages->model(), "the message view lost its model");
    QVERIFY(
        column(messages->model(), client::MessageModel::BodyRole).contains("before the reconnect"));
    QTRY_COMPARE_WITH_TIMEOUT(column(members->model(), client::MemberModel::NickRole),
                              QStringList({"alice2", "bob"}), 10000);
    auto *header = alice->findChild<QLabel *>("memberHeader");
    QVERIFY(header);
    QCOMPARE(header->text(), QStringLiteral("&Members (2)"));

    bob->session()->sendMessage("after the reconnect");
    auto *composer = alice->findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClicks(composer, "mine after it");
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(
        column(messages->model(), client::MessageModel::BodyRole).contains("after the reconnect") &&
            column(messages->model(), client::MessageModel::BodyRole).contains("mine after it"),
        10000);
}

void tst_ChatWindow::offlineMessageIsShownPendingThenSent()
{
    TestServer server;
    QVERIFY(server.start());
    server.stop();
    MainWindow alice(fastOptions());
    alice.show();
    alice.connectTo(server.address(), "alice");
    alice.session()->joinRoom("lobby");
    auto *composer = alice.findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClicks(composer, "written offline");
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), QString());
    auto *messages = alice.findChild<QListView *>("messageView");
    QVERIFY(messages->model());
    QCOMPARE(column(messages->model(), client::MessageModel::BodyRole),
             QStringList{"written offline"});
    QVERIFY(messages->model()->index(0, 0).data(client::MessageModel::PendingRole).toBool());

    QVERIFY(server.start());
    QSignalSpy joined(alice.session(), &client::ChatSession::roomJoined);
    alice.connectTo(server.address(), "alice"); // Chat › Connect…
    QVERIFY(joined.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(
        messages->model()->rowCount() == 1 &&
            !messages->model()->index(0, 0).data(client::MessageModel::PendingRole).toBool() &&
            messages->model()->index(0, 0).data(client::MessageModel::IdRole).toLongLong() > 0,
        10000);
    QCOMPARE(column(messages->model(), client::MessageModel::BodyRole),
             QStringList{"written offline"});
}

void tst_ChatWindow::overLimitIsRefusedWithAVisibleMessage_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<QString>("counter");
    QTest::newRow("far below") << 100 << QString();
    QTest::newRow("near the limit") << 3600 << QStringLiteral("3,600 / 4,000");
    QTest::newRow("at the limit") << 4000 << QStringLiteral("4,000 / 4,000");
    QTest::newRow("over") << 4001 << QStringLiteral("4,001 / 4,000 — 1 too many");
}

void tst_ChatWindow::overLimitIsRefusedWithAVisibleMessage()
{
    QFETCH(int, length);
    QFETCH(QString, counter);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    auto *composer = alice->findChild<Composer *>("composer");
    auto *counterLabel = alice->findChild<QLabel *>("composerCounter");
    QVERIFY(counterLabel);
    const QString text(length, QLatin1Char('x'));
    composer->setFocus();
    composer->setPlainText(text);
    QCOMPARE(counterLabel->text(), counter);
    QTest::keyClick(composer, Qt::Key_Return);
    auto *messages = alice->findChild<QListView *>("messageView");
    if (length > Composer::maxLength()) {
        QCOMPARE(composer->toPlainText(), text); // kept, not cut, not lost
        QVERIFY2(alice->statusBar()->currentMessage().contains("limit is 4,000"),
                 qPrintable(alice->statusBar()->currentMessage()));
        // Nothing went out: the next message is the only one that arrives.
        composer->setPlainText("short one");
        QTest::keyClick(composer, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(column(messages->model(), client::MessageModel::BodyRole),
                                  QStringList{"short one"}, 10000);
    } else {
        QCOMPARE(composer->toPlainText(), QString());
        QTRY_COMPARE_WITH_TIMEOUT(column(messages->model(), client::MessageModel::BodyRole),
                                  QStringList{text}, 10000);
    }
    QLocale::setDefault(QLocale::system());
}

void tst_ChatWindow::errorsAreVisibleInTheStatusBar()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    auto *joinEdit = alice->findChild<QLineEdit *>("joinEdit");
    joinEdit->setFocus();
    QTest::keyClicks(joinEdit, "bad room!");
    QTest::keyClick(joinEdit, Qt::Key_Return);
    const QString message = alice->statusBar()->currentMessage();
    QVERIFY2(message.contains("bad room!") && message.contains("invalid room name"),
             qPrintable(message));
    // Shown, not just set: the status bar draws it left of its permanent widgets, so they
    // must leave it the width of the text.
    auto *status = alice->findChild<QLabel *>("connectionStatus");
    const int room = status->geometry().left();
    const int needed = alice->statusBar()->fontMetrics().horizontalAdvance(message);
    QVERIFY2(room >= needed,
             qPrintable(QStringLiteral("%1 px left of the connection label, the message needs %2")
                            .arg(room)
                            .arg(needed)));
}

void tst_ChatWindow::shortcutsAreUniqueAndWork()
{
    MainWindow window(fastOptions());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QHash<QKeySequence, QString> owner;
    const auto actions = window.findChildren<QAction *>();
    for (const QAction *action : actions) {
        for (const QKeySequence &key : action->shortcuts()) {
            QVERIFY2(!owner.contains(key),
                     qPrintable(QStringLiteral("%1 is both '%2' and '%3'")
                                    .arg(key.toString(), owner.value(key), action->text())));
            owner.insert(key, action->text());
        }
    }
    // Quit and the shortcut list answer their keys (an ambiguous key triggers nothing).
    auto *quit = window.findChild<QAction *>("quitAction");
    QVERIFY(quit);
    disconnect(quit, &QAction::triggered, nullptr, nullptr); // do not end the test
    QSignalSpy quitTriggered(quit, &QAction::triggered);
    QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
    QCOMPARE(quitTriggered.size(), 1);

    QString listed;
    whenModalShows([&listed](QWidget *modal) {
        if (auto *box = qobject_cast<QMessageBox *>(modal))
            listed = box->text();
    });
    QTest::keyClick(&window, Qt::Key_F1);
    QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty(), 5000);
    QCOMPARE(listed.count(QStringLiteral("Ctrl+Q")), 1);
    QCOMPARE(listed.count(QStringLiteral("F1")), 1);
}

void tst_ChatWindow::leavingTheLastRoomClearsTheView()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    auto *members = alice->findChild<QListView *>("memberView");
    QTRY_VERIFY_WITH_TIMEOUT(members->model() && members->model()->rowCount() == 1, 10000);
    QTest::keyClick(alice.get(), Qt::Key_W, Qt::ControlModifier);
    QCOMPARE(alice->session()->roomNames(), QStringList());
    QVERIFY(alice->findChild<QLabel *>("roomTitle")->text().startsWith("No room"));
    QCOMPARE(alice->findChild<QLabel *>("memberHeader")->text(), QStringLiteral("&Members (0)"));
    QVERIFY(!members->model() || members->model()->rowCount() == 0);
    auto *messages = alice->findChild<QListView *>("messageView");
    QVERIFY(!messages->model() || messages->model()->rowCount() == 0);
    QVERIFY(!alice->findChild<Composer *>("composer")->isEnabled());
    QCOMPARE(alice->windowTitle(), QStringLiteral("Chatter"));
}

void tst_ChatWindow::keyboardEntryIntoMessagesStartsAtTheNewest()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    for (const char *body : {"one", "two", "three"})
        alice->session()->sendMessage(body);
    auto *messages = alice->findChild<QListView *>("messageView");
    QTRY_COMPARE_WITH_TIMEOUT(messages->model()->rowCount(), 3, 10000);
    QTest::keyClick(alice.get(), Qt::Key_2, Qt::ControlModifier); // Go › Messages
    QVERIFY(messages->hasFocus());
    QCOMPARE(messages->currentIndex().row(), 2);
    QTest::keyClick(messages, Qt::Key_Up);
    QCOMPARE(messages->currentIndex().data(client::MessageModel::BodyRole).toString(),
             QStringLiteral("two"));
    QTest::keyClick(messages, Qt::Key_Down);
    QCOMPARE(messages->currentIndex().data(client::MessageModel::BodyRole).toString(),
             QStringLiteral("three"));
}

void tst_ChatWindow::messageTextFollowsThePalette_data()
{
    QTest::addColumn<QPalette>("palette");
    QTest::newRow("light") << lightPalette();
    QTest::newRow("dark") << darkPalette();
}

void tst_ChatWindow::messageTextFollowsThePalette()
{
    QFETCH(QPalette, palette);
    client::MessageModel model;
    client::ChatMessage own = chat(2, "alice", "my own words");
    own.own = true;
    model.append(chat(1, "bob", "words from bob"));
    model.append(own);
    model.append(
        client::ChatMessage::system(client::ChatMessage::Kind::Joined, "carol", "carol joined"));
    model.append(chat(3, "bob", "https://example.org/a/link/only"));
    MessageView view;
    view.setPalette(palette);
    view.messageDelegate()->setMyNickname("alice");
    view.setModel(&model);
    view.resize(520, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage image = view.viewport()->grab().toImage();
    const qreal dpr = image.devicePixelRatio();
    for (int row = 0; row < model.rowCount(); ++row) {
        const QRect rect = view.visualRect(model.index(row, 0));
        const QColor background =
            image.pixelColor(int((rect.right() - 3) * dpr), int((rect.bottom() - 2) * dpr));
        double best = 1;
        // The body only (right of the avatar and under the header), where the text itself is.
        const int bodyLeft = view.bodyRect(row).left();
        for (int y = rect.top(); y <= rect.bottom(); ++y) {
            for (int x = bodyLeft; x < rect.right() - 6; ++x)
                best = std::max(
                    best, contrastRatio(image.pixelColor(int(x * dpr), int(y * dpr)), background));
        }
        QVERIFY2(best >= 4.5, qPrintable(QStringLiteral("row %1: text reaches only %2:1 on %3")
                                             .arg(row)
                                             .arg(best, 0, 'f', 2)
                                             .arg(background.name())));
    }
    // Every nickname colour reads at AA on the palette's base, whatever its hue.
    const QColor base = palette.color(QPalette::Base);
    for (int i = 0; i < 360; ++i) {
        const QString nick = QStringLiteral("user%1").arg(i);
        const double ratio = contrastRatio(MessageFormatter::nickColor(nick, base), base);
        QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(nick).arg(ratio)));
    }
}

void tst_ChatWindow::draftsStayWithTheirRoom()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    QSignalSpy joined(alice->session(), &client::ChatSession::roomJoined);
    alice->session()->joinRoom("dev");
    QVERIFY(joined.wait(10000));
    alice->session()->setCurrentRoom("lobby");
    auto *composer = alice->findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClicks(composer, "for lobby");
    QTest::keyClick(alice.get(), Qt::Key_Down, Qt::AltModifier); // to #dev
    QCOMPARE(alice->session()->currentRoom(), QStringLiteral("dev"));
    QCOMPARE(composer->toPlainText(), QString());
    composer->setFocus();
    QTest::keyClicks(composer, "for dev");
    QTest::keyClick(alice.get(), Qt::Key_Up, Qt::AltModifier); // back to #lobby
    QCOMPARE(composer->toPlainText(), QStringLiteral("for lobby"));
    QCOMPARE(alice->draft("dev"), QStringLiteral("for dev"));
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(
        column(alice->session()->messages("lobby"), client::MessageModel::BodyRole),
        QStringList{"for lobby"}, 10000);
    QCOMPARE(column(alice->session()->messages("dev"), client::MessageModel::BodyRole),
             QStringList());
    QCOMPARE(alice->draft("dev"), QStringLiteral("for dev"));
}

void tst_ChatWindow::cancelledFirstConnectKeepsTheWindow()
{
    TestServer server;
    QVERIFY(server.start());
    MainWindow window(fastOptions());
    window.show();
    bool sawDialog = false;
    whenModalShows([&sawDialog](QWidget *modal) {
        sawDialog = qobject_cast<ConnectDialog *>(modal) != nullptr;
    });
    window.startUp({}, {}, {"lobby", "dev"});
    QVERIFY(sawDialog);
    QVERIFY(window.isVisible());
    QCOMPARE(window.session()->roomNames(), QStringList({"lobby", "dev"}));
    QCOMPARE(window.findChild<QLabel *>("connectionStatus")->text(),
             QStringLiteral("Not connected"));
    // Typing now keeps the text and says why nothing happened.
    auto *composer = window.findChild<Composer *>("composer");
    composer->setFocus();
    QTest::keyClicks(composer, "hello?");
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), QStringLiteral("hello?"));
    QVERIFY2(window.statusBar()->currentMessage().contains("not connected"),
             qPrintable(window.statusBar()->currentMessage()));
    // Connecting later joins the listed rooms.
    QSignalSpy joined(window.session(), &client::ChatSession::roomJoined);
    window.connectTo(server.address(), "alice");
    QTRY_COMPARE_WITH_TIMEOUT(joined.size(), 2, 10000);
}

void tst_ChatWindow::continuationLinesStayInTheBodyColumn()
{
    client::MessageModel model;
    model.append(chat(1, "bob", "first line\nsecond line"));
    MessageView view;
    view.setModel(&model);
    view.resize(500, 200);
    QStyleOptionViewItem option;
    option.initFrom(&view);
    option.rect = QRect(0, 0, 500, 100);
    option.font = view.font();
    QTextDocument doc;
    view.messageDelegate()->layout(doc, option, model.index(0, 0));
    QVERIFY(doc.size().height() > 0); // lays the document out
    QTextLayout *layout = doc.firstBlock().layout();
    QVERIFY(layout->lineCount() >= 2);
    // Both lines start where the body does, right of the avatar, not under it.
    QCOMPARE(layout->lineAt(0).x(), 0);
    QCOMPARE(layout->lineAt(1).x(), 0);
    const auto geometry = view.messageDelegate()->geometry(option, model.index(0, 0));
    QVERIFY(geometry.body.left() > geometry.avatar.right());
    QCOMPARE(geometry.body.left(), geometry.header.left());
}

void tst_ChatWindow::daySeparatorsAndFullDateTooltip()
{
    const QDateTime monday(QDate(2026, 11, 30), QTime(9, 0));
    client::MessageModel model;
    model.append(chat(1, "bob", "monday morning", monday));
    model.append(chat(2, "bob", "monday noon", monday.addSecs(3 * 3600)));
    model.append(chat(3, "bob", "tuesday", monday.addDays(1)));
    const auto dayStart = [&model](int row) {
        return model.index(row, 0).data(client::MessageModel::DayStartRole).toBool();
    };
    QVERIFY(dayStart(0));
    QVERIFY(!dayStart(1));
    QVERIFY(dayStart(2));
    const QString tip = model.index(0, 0).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains("2026") && tip.contains("09:00:00"), qPrintable(tip));

    MessageView view;
    view.setModel(&model);
    view.resize(500, 300);
    QStyleOptionViewItem option;
    option.initFrom(&view);
    option.rect = QRect(0, 0, 500, 100);
    option.font = view.font();
    const auto height = [&](int row) {
        return view.messageDelegate()->sizeHint(option, model.index(row, 0)).height();
    };
    QVERIFY2(height(0) > height(1), "the first message of a day has no room for its date");
    QCOMPARE(height(2), height(0));
}

void tst_ChatWindow::narrowWindowKeepsTheMessagesReadable()
{
    MainWindow window(fastOptions());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.resize(1000, 640);
    QTest::qWait(20);
    window.resize(560, 640);
    auto *messages = window.findChild<QListView *>("messageView");
    QTRY_VERIFY_WITH_TIMEOUT(messages->width() >= 240, 2000);
    QVERIFY2(messages->width() * 2 >= window.width(),
             qPrintable(QStringLiteral("messages %1 px of a %2 px window")
                            .arg(messages->width())
                            .arg(window.width())));
}

void tst_ChatWindow::browseRoomsJoinsFromTheDirectory()
{
    TestServer server;
    QVERIFY(server.start());
    auto bob = openWindow(server, "bob", "gardening");
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice && bob);
    RoomBrowser *browser = alice->roomBrowser();
    QSignalSpy loaded(alice->session()->directory(), &client::RoomDirectoryModel::loaded);
    QTest::keyClick(alice.get(), Qt::Key_J, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(browser->isVisible());
    QVERIFY(loaded.wait(10000));
    auto *filter = browser->findChild<QLineEdit *>("roomFilter");
    QTest::keyClicks(filter, "garden");
    QCOMPARE(browser->view()->model()->rowCount(), 1);
    QTest::keyClick(filter, Qt::Key_Return);
    QVERIFY(!browser->isVisible());
    QCOMPARE(alice->session()->currentRoom(), QStringLiteral("gardening"));
    QVERIFY(!alice->session()->directory()->isWatching());
    QTRY_COMPARE_WITH_TIMEOUT(
        column(alice->session()->members("gardening"), client::MemberModel::NickRole),
        QStringList({"alice", "bob"}), 10000);
}

void tst_ChatWindow::preferencesAndAbout()
{
    MainWindow window(fastOptions());
    window.show();
    QString about;
    whenModalShows([&about](QWidget *modal) {
        if (auto *box = qobject_cast<QMessageBox *>(modal))
            about = box->text();
    });
    window.findChild<QAction *>("aboutAction")->trigger();
    QVERIFY2(about.contains("Chatter") && about.contains(QString::fromLatin1(qVersion())),
             qPrintable(about));
    QVERIFY(window.findChild<QAction *>("preferencesAction"));

    // Notifications follow the preference.
    auto *tray = window.findChild<TrayNotifier *>();
    QVERIFY(tray);
    client::ChatMessage plain = chat(1, "bob", "hello");
    client::ChatMessage mention = chat(2, "bob", "hi alice");
    mention.mention = true;
    tray->setNotify(Preferences::Notify::AllMessages);
    QVERIFY(tray->shouldNotify("elsewhere", plain));
    tray->setNotify(Preferences::Notify::Mentions);
    QVERIFY(!tray->shouldNotify("elsewhere", plain));
    QVERIFY(tray->shouldNotify("elsewhere", mention));
    tray->setNotify(Preferences::Notify::Never);
    QVERIFY(!tray->shouldNotify("elsewhere", mention));
}

void tst_ChatWindow::replyActionQuotesTheMessage()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);
    send(bob.get(), "what time is the demo?");
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "what time is the demo?").isValid(), 10000);
    send(bob.get(), "something else");
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "something else").isValid(), 10000);
    const QModelIndex parent = lineWithBody(alice.get(), "what time is the demo?");
    const qint64 parentId = parent.data(client::MessageModel::IdRole).toLongLong();

    // Alice selects bob's question in the list and replies with Ctrl+R.
    QVERIFY(activate(alice.get()));
    auto *view = alice->findChild<MessageView *>("messageView");
    view->setFocus();
    view->setCurrentIndex(parent);
    QTest::keyClick(alice.get(), Qt::Key_R, Qt::ControlModifier);
    auto *bar = alice->findChild<ComposerModeBar *>("composerModeBar");
    QVERIFY(bar->isVisible());
    QCOMPARE(bar->mode(), ComposerModeBar::Mode::Reply);
    QVERIFY2(bar->text().startsWith("Replying to bob"), qPrintable(bar->text()));
    auto *composer = alice->findChild<Composer *>("composer");
    QVERIFY(composer->hasFocus());
    // Escape cancels; Ctrl+R again starts over.
    QTest::keyClick(composer, Qt::Key_Escape);
    QVERIFY(!bar->isVisible());
    view->setCurrentIndex(parent);
    QTest::keyClick(alice.get(), Qt::Key_R, Qt::ControlModifier);
    QVERIFY(bar->isVisible());
    send(alice.get(), "at three");
    QVERIFY(!bar->isVisible());
    QCOMPARE(composer->toPlainText(), QString());

    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(bob.get(), "at three").isValid(), 10000);
    const QModelIndex reply = lineWithBody(bob.get(), "at three");
    QCOMPARE(reply.data(client::MessageModel::ReplyToRole).toLongLong(), parentId);
    QCOMPARE(reply.data(client::MessageModel::QuoteUserRole).toString(), QStringLiteral("bob"));
    QCOMPARE(reply.data(client::MessageModel::QuoteBodyRole).toString(),
             QStringLiteral("what time is the demo?"));

    // Going to the quoted message (what a click on the quote does) selects it.
    QVERIFY(activate(bob.get()));
    auto *bobView = bob->findChild<MessageView *>("messageView");
    bobView->setFocus();
    bobView->setCurrentIndex(reply);
    QTest::keyClick(bob.get(), Qt::Key_G, Qt::ControlModifier);
    QCOMPARE(bobView->currentIndex().data(client::MessageModel::IdRole).toLongLong(), parentId);
}

void tst_ChatWindow::clickOnAQuoteLoadsOlderHistory()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    QVERIFY(alice);
    alice->session()->sendMessage("lobby", "the parent, long ago");
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "the parent, long ago").isValid(), 10000);
    const qint64 parent = lineWithBody(alice.get(), "the parent, long ago")
                              .data(client::MessageModel::IdRole)
                              .toLongLong();
    // More than a join's first page (50) after it, then the reply.
    for (int i = 0; i < 60; ++i)
        alice->session()->sendMessage("lobby", QStringLiteral("filler %1").arg(i));
    alice->session()->sendMessage("lobby", "the reply", parent);
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "the reply").isValid(), 10000);

    // Bob comes later: his first page has the reply, not its parent.
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(bob);
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(bob.get(), "the reply").isValid(), 10000);
    const client::MessageModel *lines = bob->session()->messages("lobby");
    QCOMPARE(lines->rowOfId(parent), -1);
    auto *view = bob->findChild<MessageView *>("messageView");
    const int replyRow = lineWithBody(bob.get(), "the reply").row();
    view->scrollTo(lines->index(replyRow));
    QTRY_VERIFY_WITH_TIMEOUT(!view->quoteRect(replyRow).isEmpty(), 5000);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->quoteRect(replyRow).center());
    QTRY_VERIFY_WITH_TIMEOUT(lines->rowOfId(parent) >= 0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view->currentIndex().data(client::MessageModel::IdRole).toLongLong(),
                              parent, 10000);
    QVERIFY(view->viewport()->rect().intersects(view->visualRect(view->currentIndex())));
}

void tst_ChatWindow::upEditsTheLastMessage()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);
    send(alice.get(), "first");
    send(alice.get(), "teh second");
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(bob.get(), "teh second").isValid(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "teh second").isValid(), 10000);
    const qint64 id =
        lineWithBody(alice.get(), "teh second").data(client::MessageModel::IdRole).toLongLong();

    auto *composer = alice->findChild<Composer *>("composer");
    auto *bar = alice->findChild<ComposerModeBar *>("composerModeBar");
    QVERIFY(activate(alice.get()));
    composer->setFocus();
    QTest::keyClick(composer, Qt::Key_Up);
    QCOMPARE(bar->mode(), ComposerModeBar::Mode::Edit);
    QCOMPARE(bar->messageId(), id);
    QCOMPARE(composer->toPlainText(), QStringLiteral("teh second"));
    // Escape gives the empty composer back; Up with text typed is just a cursor move.
    QTest::keyClick(composer, Qt::Key_Escape);
    QCOMPARE(composer->toPlainText(), QString());
    QTest::keyClicks(composer, "draft");
    QTest::keyClick(composer, Qt::Key_Up);
    QCOMPARE(bar->mode(), ComposerModeBar::Mode::None);
    // Ctrl+E edits the newest own message whatever is typed; the draft comes back after.
    QTest::keyClick(alice.get(), Qt::Key_E, Qt::ControlModifier);
    QCOMPARE(bar->mode(), ComposerModeBar::Mode::Edit);
    QCOMPARE(composer->toPlainText(), QStringLiteral("teh second"));
    QTest::keyClick(composer, Qt::Key_Escape);
    QCOMPARE(composer->toPlainText(), QStringLiteral("draft"));
    composer->clear();

    QTest::keyClick(composer, Qt::Key_Up);
    composer->selectAll();
    QTest::keyClicks(composer, "the second");
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(bar->mode(), ComposerModeBar::Mode::None);
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(bob.get(), "the second").isValid(), 10000);
    const QModelIndex edited = lineWithBody(bob.get(), "the second");
    QCOMPARE(edited.data(client::MessageModel::IdRole).toLongLong(), id);
    QVERIFY(edited.data(client::MessageModel::EditedAtRole).toDateTime().isValid());
    QVERIFY(!lineWithBody(bob.get(), "teh second").isValid());
}

void tst_ChatWindow::reactionFromThePicker()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);
    send(bob.get(), "shipped it");
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "shipped it").isValid(), 10000);
    const auto chips = [](MainWindow *window) {
        QStringList out;
        const QModelIndex line = lineWithBody(window, "shipped it");
        for (const QVariant &chip : line.data(client::MessageModel::ReactionsRole).toList()) {
            QStringList users = chip.toMap().value("users").toStringList();
            users.sort();
            out << chip.toMap().value("emoji").toString() + "=" + users.join(",");
        }
        return out;
    };

    // Ctrl+Shift+E on the newest message opens the picker; Right, Enter picks the second.
    QVERIFY(activate(alice.get()));
    QTest::keyClick(alice.get(), Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
    ReactionPicker *picker = alice->messageActions()->picker();
    QVERIFY(picker);
    QTRY_VERIFY_WITH_TIMEOUT(picker->isVisible(), 5000);
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : picker,
                    Qt::Key_Right);
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : picker,
                    Qt::Key_Return);
    const QString second = ReactionPicker::commonEmoji().at(1);
    QTRY_COMPARE_WITH_TIMEOUT(chips(bob.get()), QStringList{second + "=alice"}, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!alice->messageActions()->picker(), 5000);

    // A click on the chip adds bob's own; a second click takes it back.
    QVERIFY(activate(bob.get()));
    auto *bobView = bob->findChild<MessageView *>("messageView");
    const auto clickChip = [&] {
        const int row = lineWithBody(bob.get(), "shipped it").row();
        const QRect chip = bobView->reactionRect(row, second);
        QVERIFY(!chip.isEmpty());
        QTest::mouseClick(bobView->viewport(), Qt::LeftButton, {}, chip.center());
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        !bobView->reactionRect(lineWithBody(bob.get(), "shipped it").row(), second).isEmpty(),
        10000);
    clickChip();
    QTRY_COMPARE_WITH_TIMEOUT(chips(alice.get()), QStringList{second + "=alice,bob"}, 10000);
    clickChip();
    QTRY_COMPARE_WITH_TIMEOUT(chips(alice.get()), QStringList{second + "=alice"}, 10000);

    // The picker shows it as mine; clicking it again takes it back.
    QTRY_COMPARE_WITH_TIMEOUT(chips(alice.get()), QStringList{second + "=alice"}, 10000);
    QVERIFY(activate(alice.get()));
    QTest::keyClick(alice.get(), Qt::Key_E, Qt::ControlModifier | Qt::ShiftModifier);
    picker = alice->messageActions()->picker();
    QVERIFY(picker);
    QToolButton *button = picker->buttonFor(second);
    QVERIFY(button && button->isChecked());
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(chips(bob.get()), QStringList(), 10000);
}

void tst_ChatWindow::deleteAsksFirst()
{
    TestServer server;
    QVERIFY(server.start());
    auto alice = openWindow(server, "alice", "lobby");
    auto bob = openWindow(server, "bob", "lobby");
    QVERIFY(alice && bob);
    send(alice.get(), "oops, wrong room");
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(bob.get(), "oops, wrong room").isValid(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(lineWithBody(alice.get(), "oops, wrong room").isValid(), 10000);
    const qint64 id = lineWithBody(alice.get(), "oops, wrong room")
                          .data(client::MessageModel::IdRole)
                          .toLongLong();
    auto *view = alice->findChild<MessageView *>("messageView");
    QVERIFY(activate(alice.get()));
    view->setFocus();
    view->setCurrentIndex(lineWithBody(alice.get(), "oops, wrong room"));

    // Delete in the list asks; cancelling keeps the message.
    QString asked;
    whenModalShows([&asked](QWidget *modal) {
        if (auto *box = qobject_cast<QMessageBox *>(modal))
            asked = box->text();
    });
    QTest::keyClick(view, Qt::Key_Delete);
    QVERIFY2(asked.contains("Delete this message"), qPrintable(asked));
    QTest::qWait(300);
    QVERIFY(lineWithBody(bob.get(), "oops, wrong room").isValid());

    // Confirmed, it goes for everyone.
    auto *timer = new QTimer;
    timer->setInterval(20);
    connect(timer, &QTimer::timeout, timer, [timer] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            timer->deleteLater();
            timer->stop();
            if (auto *yes = box->findChild<QPushButton *>("confirmDeleteButton"))
                yes->click();
        }
    });
    timer->start();
    QVERIFY(activate(alice.get()));
    view->setFocus();
    view->setCurrentIndex(lineWithBody(alice.get(), "oops, wrong room"));
    QTest::keyClick(view, Qt::Key_Delete);
    const client::MessageModel *bobLines = bob->session()->messages("lobby");
    QTRY_VERIFY_WITH_TIMEOUT(bobLines->at(bobLines->rowOfId(id)).deleted, 10000);
    QVERIFY(!lineWithBody(bob.get(), "oops, wrong room").isValid());
}

void tst_ChatWindow::directMessageFromTheMemberList()
{
    TestServer server;
    server.config().minimumPasswordCost = true;
    QVERIFY(server.start());
    const client::Identity aliceId = registered(server, "alice");
    const client::Identity bobId = registered(server, "bob");
    QVERIFY(aliceId.isValid() && bobId.isValid());
    auto alice = openSignedIn(server, aliceId, "lobby");
    auto bob = openSignedIn(server, bobId, "lobby");
    QVERIFY(alice && bob);
    auto *bobDms = bob->findChild<QListView *>("conversationView");
    QVERIFY(!bobDms->isVisible()); // nothing to list yet

    // Alice: "Message bob" on bob's row of the member list.
    auto *members = alice->findChild<QListView *>("memberView");
    QTRY_COMPARE_WITH_TIMEOUT(members->model() ? members->model()->rowCount() : 0, 2, 10000);
    QModelIndex bobRow;
    for (int row = 0; row < members->model()->rowCount(); ++row) {
        if (members->model()->index(row, 0).data(client::MemberModel::NickRole) == "bob")
            bobRow = members->model()->index(row, 0);
    }
    std::unique_ptr<QMenu> menu(alice->memberMenu(bobRow));
    QVERIFY(menu);
    auto *message = menu->findChild<QAction *>("messageMemberAction");
    QVERIFY(message);
    message->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(alice->session()->currentRoom(), QStringLiteral("dm:alice:bob"),
                              10000);
    auto *aliceDms = alice->findChild<QListView *>("conversationView");
    QVERIFY(aliceDms->isVisible());
    QCOMPARE(aliceDms->model()->rowCount(), 1);
    QCOMPARE(aliceDms->currentIndex().row(), 0);
    QCOMPARE(alice->findChild<QLabel *>("roomTitle")->text(), QStringLiteral("@bob"));
    QTRY_COMPARE_WITH_TIMEOUT(alice->session()
                                  ->rooms()
                                  ->index(alice->session()->rooms()->rowOf("dm:alice:bob"))
                                  .data(client::RoomListModel::StatusRole)
                                  .toInt(),
                              int(client::RoomListModel::Status::Joined), 10000);

    // Bob, reading #lobby, gets the DM in his list with one unread.
    send(alice.get(), "lunch at noon?");
    QTRY_COMPARE_WITH_TIMEOUT(bobDms->model() ? bobDms->model()->rowCount() : 0, 1, 10000);
    QVERIFY(bobDms->isVisible());
    const QModelIndex dm = bobDms->model()->index(0, 0);
    QCOMPARE(dm.data(client::RoomListModel::TitleRole).toString(), QStringLiteral("alice"));
    QTRY_COMPARE_WITH_TIMEOUT(dm.data(client::RoomListModel::UnreadRole).toInt(), 1, 10000);
    QVERIFY(bob->windowTitle().startsWith("(1)"));
    QCOMPARE(bob->session()->currentRoom(), QStringLiteral("lobby"));

    // Opening it reads it, here and in the stored marker.
    bobDms->setCurrentIndex(dm);
    QCOMPARE(bob->session()->currentRoom(), QStringLiteral("dm:alice:bob"));
    QCOMPARE(dm.data(client::RoomListModel::UnreadRole).toInt(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob->session()->room("dm:alice:bob")->lastReadId() ==
                                 bob->session()->messages("dm:alice:bob")->lastId(),
                             10000);
    QVERIFY(!bob->windowTitle().startsWith("("));
}

void tst_ChatWindow::notificationsRespectMuteAndDoNotDisturb()
{
    MainWindow window(fastOptions());
    auto *tray = window.findChild<TrayNotifier *>();
    QVERIFY(tray);
    tray->setNotify(Preferences::Notify::AllMessages);
    client::RoomListModel *rooms = window.session()->rooms();
    rooms->addRoom("quiet");
    rooms->addRoom("dm:alice:bob", client::RoomListModel::Kind::Direct, "bob");
    client::ChatMessage plain = chat(1, "bob", "hello");
    client::ChatMessage mention = chat(2, "bob", "alice?");
    mention.mention = true;
    QVERIFY(tray->shouldNotify("quiet", plain));
    QVERIFY(tray->titleFor("dm:alice:bob", plain).contains("direct message"));

    // Muted: mentions only.
    rooms->setMuted("quiet", true);
    QVERIFY(!tray->shouldNotify("quiet", plain));
    QVERIFY(tray->shouldNotify("quiet", mention));
    // "Mentions only" still tells about direct messages.
    tray->setNotify(Preferences::Notify::Mentions);
    QVERIFY(tray->shouldNotify("dm:alice:bob", plain));
    QVERIFY(!tray->shouldNotify("elsewhere", plain));

    // Do not disturb, from the Status menu: nothing at all.
    auto *dnd = window.findChild<QAction *>("dndStatusAction");
    QVERIFY(dnd);
    dnd->trigger();
    QCOMPARE(window.session()->status(), QStringLiteral("dnd"));
    QVERIFY(!tray->shouldNotify("quiet", mention));
    QVERIFY(!tray->shouldNotify("dm:alice:bob", plain));
    window.findChild<QAction *>("onlineStatusAction")->trigger();
    QVERIFY(tray->shouldNotify("dm:alice:bob", plain));
}

QTEST_MAIN(tst_ChatWindow)
#include "tst_chatwindow.moc"
