// SPDX-License-Identifier: MIT
#include "audittablemodel.h"
#include "bantablemodel.h"
#include "copyabletableview.h"
#include "engine.h"
#include "eventlogmodel.h"
#include "headerpanel.h"
#include "monitorwindow.h"
#include "roomtablemodel.h"
#include "socketactions.h"
#include "sockettablemodel.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace chatter::monitor;
using namespace chatter::server;

namespace {

//! Answers the admin dialogs with scripted values and records what it was asked.
class ScriptedPrompt : public AdminPrompt
{
public:
    bool accept = true;
    QString topic;
    SystemMessageRequest message;
    BanRequest banRequest;
    QStringList asked;

    bool confirm(QWidget *, const QString &title, const QString &) override
    {
        asked.append(QStringLiteral("confirm:") + title);
        return accept;
    }
    std::optional<QString> chooseTopic(QWidget *, const QStringList &topics) override
    {
        asked.append(QStringLiteral("topics:") + topics.join(QLatin1Char(',')));
        return topic;
    }
    std::optional<SystemMessageRequest> systemMessage(QWidget *, const QStringList &rooms,
                                                      const QString &suggested) override
    {
        asked.append(QStringLiteral("rooms:") + rooms.join(QLatin1Char(',')) +
                     QStringLiteral(" suggested:") + suggested);
        return message;
    }
    std::optional<BanRequest> ban(QWidget *, const QString &nickname,
                                  const QHostAddress &address) override
    {
        asked.append(QStringLiteral("ban:") + nickname + QLatin1Char('@') + address.toString());
        return banRequest;
    }
};

QStringList column(const QAbstractItemModel *model, int column, int role = Qt::DisplayRole)
{
    QStringList values;
    for (int row = 0; row < model->rowCount(); ++row)
        values.append(model->index(row, column).data(role).toString());
    return values;
}

bool logHas(const EventLogModel *log, EngineEvent::Kind kind, const QString &user,
            const QString &topic = {})
{
    for (int row = 0; row < log->rowCount(); ++row) {
        const EngineEvent &e = log->event(row);
        if (e.kind == kind && e.user == user && (topic.isEmpty() || e.topic == topic))
            return true;
    }
    return false;
}

bool logHasKind(const EventLogModel *log, EngineEvent::Kind kind)
{
    for (int row = 0; row < log->rowCount(); ++row) {
        if (log->event(row).kind == kind)
            return true;
    }
    return false;
}

bool logHasText(const EventLogModel *log, EngineEvent::Kind kind, const QString &text)
{
    for (int row = 0; row < log->rowCount(); ++row) {
        if (log->event(row).kind == kind && log->event(row).text.contains(text))
            return true;
    }
    return false;
}

} // namespace

//! The monitor over a real engine: three clients, ann and bob in #lobby, bob also in #dev, cat
//! in no room.
class tst_Monitor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void socketsShowNicknamesAndTopics();
    void logShowsConnectsAndJoins();
    void roomsShowMembers();
    void filterSockets();
    void filterEvents();
    void disconnectClosesExactlyThatSocket();
    void declinedConfirmationDoesNothing();
    void removeFromRoom();
    void systemMessageReachesRoom();
    void banNickname();
    void bansTabListsAndLiftsStoredBans();
    void auditTabShowsTheStoredLogNewestFirst();
    void pauseFreezesSocketTable();
    void listeningSwitch();
    void copySelectedEvents();
    void followsDarkPalette();
    void showsRefusedConnections();
    void tlsShowsHttpsAndTheCertificateFingerprint();

private:
    quint64 idOf(const QString &user) const;
    TestClient *client(const QString &user) { return m_clients.at(m_users.indexOf(user)).get(); }

    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<MonitorWindow> m_window;
    ScriptedPrompt *m_prompt = nullptr;
    std::vector<std::unique_ptr<TestClient>> m_clients;
    QStringList m_users{"ann", "bob", "cat"};
};

void tst_Monitor::init()
{
    ServerConfig config = loopbackTestConfig();
    // Room for the three clients from 127.0.0.1, and no more.
    if (QLatin1String(QTest::currentTestFunction()) == QLatin1String("showsRefusedConnections"))
        config.maxConnectionsPerAddress = 3;
    m_engine = std::make_unique<Engine>(config);
    QVERIFY(m_engine->start());
    m_window = std::make_unique<MonitorWindow>(*m_engine);
    auto prompt = std::make_unique<ScriptedPrompt>();
    m_prompt = prompt.get();
    m_window->setPrompt(std::move(prompt));
    m_window->show();
    m_clients.clear();
    for (const QString &user : std::as_const(m_users)) {
        m_clients.push_back(std::make_unique<TestClient>());
        QVERIFY(
            m_clients.back()->open(m_engine->port(), user, user == "ann" ? "&client=desktop" : ""));
    }
    QCOMPARE(client("ann")->join("chatter:room:lobby").value("status").toString(),
             QStringLiteral("ok"));
    QCOMPARE(client("bob")->join("chatter:room:lobby").value("status").toString(),
             QStringLiteral("ok"));
    QCOMPARE(client("bob")->join("chatter:room:dev").value("status").toString(),
             QStringLiteral("ok"));
    // Wait until the table shows everyone with their rooms.
    QTRY_COMPARE(m_window->socketModel()->rowCount(), 3);
    QTRY_VERIFY(m_window->socketModel()->socket(idOf("bob")) &&
                m_window->socketModel()->socket(idOf("bob"))->topics.size() == 2);
}

void tst_Monitor::cleanup()
{
    m_clients.clear();
    m_window.reset();
    if (m_engine)
        m_engine->stop(1012);
    m_engine.reset();
}

quint64 tst_Monitor::idOf(const QString &user) const
{
    for (const SocketRow &row : m_window->socketModel()->rows()) {
        if (row.user == user)
            return row.id;
    }
    return 0;
}

void tst_Monitor::socketsShowNicknamesAndTopics()
{
    const SocketTableModel *model = m_window->socketModel();
    QStringList users = column(model, SocketTableModel::Nickname);
    users.sort();
    QCOMPARE(users, m_users);
    const auto topicsOf = [&](const QString &user) {
        return model->index(model->rowOfKey(idOf(user)), SocketTableModel::Topics)
            .data()
            .toString();
    };
    QCOMPARE(topicsOf("ann"), QStringLiteral("#lobby"));
    QCOMPARE(topicsOf("bob"), QStringLiteral("#dev, #lobby")); // sorted
    QCOMPARE(topicsOf("cat"), QString());
    const int ann = model->rowOfKey(idOf("ann"));
    QCOMPARE(model->index(ann, SocketTableModel::Client).data().toString(),
             QStringLiteral("desktop"));
    QCOMPARE(model->index(ann, SocketTableModel::Transport).data().toString(),
             QStringLiteral("websocket"));
    QVERIFY(model->index(ann, SocketTableModel::Peer)
                .data()
                .toString()
                .startsWith(QLatin1String("127.0.0.1:")));
    QVERIFY(model->index(ann, SocketTableModel::Protocol)
                .data()
                .toString()
                .startsWith(QLatin1Char('2')));
    QTRY_VERIFY(model->socket(idOf("ann"))->messagesIn >= 1);
    // The view is sorted by id through the proxy, and shows the same three rows.
    QCOMPARE(m_window->socketProxy()->rowCount(), 3);
    QCOMPARE(m_window->header()->urlsText(),
             QStringLiteral("http://127.0.0.1:%1/").arg(m_engine->port()));
}

void tst_Monitor::logShowsConnectsAndJoins()
{
    const EventLogModel *log = m_window->eventModel();
    for (const QString &user : std::as_const(m_users))
        QTRY_VERIFY2(logHas(log, EngineEvent::Kind::Connect, user), qPrintable(user));
    QTRY_VERIFY(logHas(log, EngineEvent::Kind::Join, "ann", "chatter:room:lobby"));
    QTRY_VERIFY(logHas(log, EngineEvent::Kind::Join, "bob", "chatter:room:dev"));
    client("ann")->request("", "chatter:room:lobby", "phx_leave", QJsonObject());
    QTRY_VERIFY(logHas(log, EngineEvent::Kind::Leave, "ann", "chatter:room:lobby"));
    client("cat")->socket().close();
    QTRY_VERIFY(logHas(log, EngineEvent::Kind::Disconnect, "cat"));
    QTRY_COMPARE(m_window->socketModel()->rowCount(), 2);
}

void tst_Monitor::roomsShowMembers()
{
    const RoomTableModel *rooms = m_window->roomModel();
    const auto membersOf = [&](const QString &name) {
        const int row = rooms->rowOfKey(name);
        return row < 0 ? -1 : rooms->rows().at(row).room.members;
    };
    QTRY_COMPARE(membersOf("lobby"), 2);
    QTRY_COMPARE(membersOf("dev"), 1);
    QCOMPARE(rooms->index(rooms->rowOfKey("lobby"), RoomTableModel::Topic).data().toString(),
             QStringLiteral("chatter:room:lobby"));
    client("bob")->request("", "chatter:room:lobby", "new_msg", QJsonObject{{"body", "hi"}});
    QTRY_COMPARE(rooms->rows().at(rooms->rowOfKey("lobby")).room.messages, 1);
}

void tst_Monitor::filterSockets()
{
    QSortFilterProxyModel *proxy = m_window->socketProxy();
    m_window->socketFilter()->setText(QStringLiteral("BOB"));
    QTRY_COMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, SocketTableModel::Nickname).data().toString(), QStringLiteral("bob"));
    // Any column: a room name finds its members.
    m_window->socketFilter()->setText(QStringLiteral("#lobby"));
    QTRY_COMPARE(proxy->rowCount(), 2);
    // The filter holds while snapshots keep arriving.
    QSignalSpy applied(m_window.get(), &MonitorWindow::snapshotApplied);
    QVERIFY(applied.wait());
    QCOMPARE(proxy->rowCount(), 2);
    m_window->socketFilter()->clear();
    QTRY_COMPARE(proxy->rowCount(), 3);
}

void tst_Monitor::filterEvents()
{
    QTRY_VERIFY(logHas(m_window->eventModel(), EngineEvent::Kind::Join, "bob", "chatter:room:dev"));
    QSortFilterProxyModel *proxy = m_window->eventProxy();
    m_window->eventFilter()->setText(QStringLiteral("chatter:room:dev"));
    QTRY_COMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, EventLogModel::User).data().toString(), QStringLiteral("bob"));
    m_window->eventFilter()->clear();
    QTRY_COMPARE(proxy->rowCount(), m_window->eventModel()->rowCount());
}

void tst_Monitor::disconnectClosesExactlyThatSocket()
{
    const quint64 bob = idOf("bob");
    QVERIFY(m_window->selectSocket(bob));
    QAction *action = m_window->socketActions()->disconnectAction();
    QVERIFY(action->isEnabled());
    action->trigger();
    QCOMPARE(m_prompt->asked, QStringList{"confirm:Disconnect socket"});
    QVERIFY(client("bob")->waitClosed());
    QCOMPARE(client("bob")->closeCode(), 1001);
    QTRY_COMPARE(m_window->socketModel()->rowCount(), 2);
    QCOMPARE(m_window->socketModel()->rowOfKey(bob), -1);
    QVERIFY(!client("ann")->isClosed());
    QVERIFY(!client("cat")->isClosed());
    // The admin action and the disconnect it caused are both in the log; the selection went
    // with the row, so the per-socket actions are disabled again.
    QTRY_VERIFY(logHasText(m_window->eventModel(), EngineEvent::Kind::Admin,
                           QStringLiteral("disconnect socket %1").arg(bob)));
    QTRY_VERIFY(logHas(m_window->eventModel(), EngineEvent::Kind::Disconnect, "bob"));
    QVERIFY(!action->isEnabled());
}

void tst_Monitor::declinedConfirmationDoesNothing()
{
    m_prompt->accept = false;
    QVERIFY(m_window->selectSocket(idOf("cat")));
    m_window->socketActions()->disconnectAction()->trigger();
    QCOMPARE(m_prompt->asked.size(), 1);
    // Two full refreshes later cat is still there and nothing was logged as an admin action.
    QSignalSpy applied(m_window.get(), &MonitorWindow::snapshotApplied);
    QVERIFY(applied.wait());
    QVERIFY(applied.wait());
    QCOMPARE(m_window->socketModel()->rowCount(), 3);
    QVERIFY(!client("cat")->isClosed());
    QVERIFY(!logHasText(m_window->eventModel(), EngineEvent::Kind::Admin,
                        QStringLiteral("disconnect")));
}

void tst_Monitor::removeFromRoom()
{
    const quint64 bob = idOf("bob");
    QVERIFY(m_window->selectSocket(bob));
    m_prompt->topic = QStringLiteral("chatter:room:dev");
    m_window->socketActions()->removeFromRoomAction()->trigger();
    QCOMPARE(m_prompt->asked.first(), QStringLiteral("topics:chatter:room:dev,chatter:room:lobby"));
    QVERIFY(!client("bob")
                 ->waitFor([](const QJsonArray &f) {
                     return f.at(2).toString() == QLatin1String("chatter:room:dev") &&
                            f.at(3).toString() == QLatin1String("phx_close");
                 })
                 .isEmpty());
    QTRY_COMPARE(m_window->socketModel()->socket(bob)->topics, QStringList{"chatter:room:lobby"});
    QVERIFY(!client("bob")->isClosed());
    QTRY_VERIFY(logHasText(m_window->eventModel(), EngineEvent::Kind::Admin,
                           QStringLiteral("from chatter:room:dev")));
}

void tst_Monitor::systemMessageReachesRoom()
{
    QTRY_VERIFY(m_window->roomModel()->rowOfKey("lobby") >= 0);
    QVERIFY(m_window->selectSocket(idOf("ann")));
    m_prompt->message = {QStringLiteral("lobby"), QStringLiteral("server restarts at noon")};
    m_window->socketActions()->systemMessageAction()->trigger();
    QVERIFY(m_prompt->asked.first().startsWith(QLatin1String("rooms:")));
    QVERIFY(m_prompt->asked.first().endsWith(QLatin1String("suggested:lobby")));
    for (const QString &user : {QStringLiteral("ann"), QStringLiteral("bob")}) {
        const QJsonArray frame = client(user)->waitFor(
            [](const QJsonArray &f) { return f.at(3).toString() == QLatin1String("new_msg"); });
        QCOMPARE(frame.at(4).toObject().value("user").toString(), QStringLiteral("system"));
        QCOMPARE(frame.at(4).toObject().value("body").toString(),
                 QStringLiteral("server restarts at noon"));
    }
    QTRY_VERIFY(logHasText(m_window->eventModel(), EngineEvent::Kind::Admin,
                           QStringLiteral("server restarts at noon")));
}

void tst_Monitor::banNickname()
{
    QVERIFY(m_window->selectSocket(idOf("bob")));
    m_prompt->banRequest.target = BanRequest::Target::Nickname;
    m_prompt->banRequest.nickname = QStringLiteral("bob");
    m_prompt->banRequest.minutes = 5;
    m_window->socketActions()->banAction()->trigger();
    QCOMPARE(m_prompt->asked.first(), QStringLiteral("ban:bob@127.0.0.1"));
    QVERIFY(client("bob")->waitClosed());
    QTRY_COMPARE(m_window->socketModel()->rowCount(), 2);
    QTRY_VERIFY(logHasText(m_window->eventModel(), EngineEvent::Kind::Admin,
                           QStringLiteral("ban bob until")));
    // bob cannot come back while banned; the refusal is logged too.
    QWebSocket again;
    again.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&user=bob")
                        .arg(m_engine->port())));
    QTRY_VERIFY(logHasKind(m_window->eventModel(), EngineEvent::Kind::Refused));
    QVERIFY(again.state() != QAbstractSocket::ConnectedState);
}

void tst_Monitor::bansTabListsAndLiftsStoredBans()
{
    QCOMPARE(m_window->logTabs()->tabText(1), QStringLiteral("Bans"));
    QCOMPARE(m_window->banModel()->rowCount(), 0);
    QVERIFY(!m_window->socketActions()->liftBanAction()->isEnabled());
    // One ban from an admin socket's path (until lifted), one from the monitor's own action.
    m_engine->banNickname(QStringLiteral("troll"), 0, QStringLiteral("spam"),
                          QStringLiteral("root"));
    QVERIFY(m_window->selectSocket(idOf("cat")));
    m_prompt->banRequest.target = BanRequest::Target::Nickname;
    m_prompt->banRequest.nickname = QStringLiteral("cat");
    m_prompt->banRequest.minutes = 5;
    m_window->socketActions()->banAction()->trigger();
    QTRY_COMPARE(m_window->banModel()->rowCount(), 2);
    const BanTableModel *model = m_window->banModel();
    const int troll = model->rowOfKey(m_engine->activeBans().first().id);
    QVERIFY(troll >= 0);
    QCOMPARE(model->index(troll, BanTableModel::Target).data().toString(), QStringLiteral("troll"));
    QCOMPARE(model->index(troll, BanTableModel::Reason).data().toString(), QStringLiteral("spam"));
    QCOMPARE(model->index(troll, BanTableModel::Until).data().toString(),
             QStringLiteral("until lifted"));
    QCOMPARE(model->index(troll, BanTableModel::By).data().toString(), QStringLiteral("root"));
    const int cat = 1 - troll;
    QCOMPARE(model->index(cat, BanTableModel::Target).data().toString(), QStringLiteral("cat"));
    QCOMPARE(model->index(cat, BanTableModel::By).data().toString(), QStringLiteral("monitor"));
    QVERIFY(model->index(cat, BanTableModel::Until).data().toString() != "until lifted");

    // Lift: asks, then the engine forgets the ban and the row goes.
    QVERIFY(m_window->selectBan(m_engine->activeBans().first().id));
    QVERIFY(m_window->socketActions()->liftBanAction()->isEnabled());
    m_prompt->accept = false;
    m_window->socketActions()->liftBanAction()->trigger();
    QCOMPARE(m_engine->activeBans().size(), 2);
    m_prompt->accept = true;
    m_window->socketActions()->liftBanAction()->trigger();
    QCOMPARE(m_prompt->asked.last(), QStringLiteral("confirm:Lift ban"));
    QTRY_COMPARE(m_window->banModel()->rowCount(), 1);
    QCOMPARE(m_engine->activeBans().size(), 1);
    QCOMPARE(m_engine->activeBans().first().target, QStringLiteral("cat"));
    QCOMPARE(model->index(0, BanTableModel::Target).data().toString(), QStringLiteral("cat"));
    QTRY_VERIFY(!m_window->socketActions()->liftBanAction()->isEnabled());
    // troll may come back.
    TestClient back;
    QVERIFY(back.open(m_engine->port(), QStringLiteral("troll")));
}

void tst_Monitor::auditTabShowsTheStoredLogNewestFirst()
{
    QCOMPARE(m_window->logTabs()->tabText(2), QStringLiteral("Audit"));
    m_engine->banAddress(QHostAddress(QStringLiteral("10.0.0.9")), 5);
    m_engine->banNickname(QStringLiteral("troll"), 10, QStringLiteral("spam"),
                          QStringLiteral("root"), QHostAddress(QStringLiteral("127.0.0.1")));
    QVERIFY(m_engine->liftBan(m_engine->activeBans().last().id));
    // Read again on the admin events.
    const AuditTableModel *model = m_window->auditModel();
    QTRY_COMPARE(model->rowCount(), 3);
    QCOMPARE(column(model, AuditTableModel::Action), QStringList({"unban", "ban", "ban"}));
    QCOMPARE(column(model, AuditTableModel::Actor), QStringList({"monitor", "root", "monitor"}));
    QCOMPARE(model->index(2, AuditTableModel::Target).data().toString(),
             QStringLiteral("10.0.0.9"));
    QCOMPARE(model->index(1, AuditTableModel::Target).data().toString(), QStringLiteral("troll"));
    QCOMPARE(model->index(1, AuditTableModel::Address).data().toString(),
             QStringLiteral("127.0.0.1"));
    QVERIFY(model->index(1, AuditTableModel::Detail).data().toString().contains("spam"));
}

void tst_Monitor::pauseFreezesSocketTable()
{
    m_window->pauseSocketsAction()->setChecked(true);
    TestClient dan;
    QVERIFY(dan.open(m_engine->port(), QStringLiteral("dan")));
    QSignalSpy applied(m_window.get(), &MonitorWindow::snapshotApplied);
    // Wait for snapshots taken after dan connected: the header counts him, the table does not.
    QTRY_VERIFY(m_engine->connectionCount() == 4);
    QVERIFY(applied.wait());
    QVERIFY(applied.wait());
    QCOMPARE(m_window->socketModel()->rowCount(), 3);
    m_window->pauseSocketsAction()->setChecked(false);
    QTRY_COMPARE(m_window->socketModel()->rowCount(), 4);
}

void tst_Monitor::listeningSwitch()
{
    QPushButton *toggle = m_window->header()->listeningSwitch();
    QVERIFY(toggle->isChecked());
    toggle->click();
    QVERIFY(!m_engine->isListening());
    QVERIFY(!toggle->isChecked());
    QTRY_VERIFY(logHasText(m_window->eventModel(), EngineEvent::Kind::Admin,
                           QStringLiteral("stopped accepting")));
    // Open sockets stay.
    QVERIFY(!client("ann")->isClosed());
    toggle->click();
    QVERIFY(m_engine->isListening());
    TestClient dan;
    QVERIFY(dan.open(m_engine->port(), QStringLiteral("dan")));
}

void tst_Monitor::copySelectedEvents()
{
    QTRY_VERIFY(logHas(m_window->eventModel(), EngineEvent::Kind::Join, "bob", "chatter:room:dev"));
    m_window->eventFilter()->setText(QStringLiteral("join"));
    QTRY_COMPARE(m_window->eventProxy()->rowCount(), 3);
    CopyableTableView *view = m_window->eventsView();
    view->setFocus();
    view->selectAll();
    QTest::keySequence(view, QKeySequence::Copy);
    const QStringList lines = QApplication::clipboard()->text().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 3);
    for (const QString &line : lines) {
        const QStringList cells = line.split(QLatin1Char('\t'));
        QCOMPARE(cells.size(), int(EventLogModel::ColumnCount));
        QCOMPARE(cells.at(EventLogModel::Kind), QStringLiteral("join"));
    }
    QVERIFY(lines.last().contains(QLatin1String("chatter:room:dev")));
}

void tst_Monitor::followsDarkPalette()
{
    const QPalette original = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2f));
    dark.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x22));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x2b));
    dark.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x3a));
    dark.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    dark.setColor(QPalette::Highlight, QColor(0x2d, 0x6c, 0xb5));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0xa0));
    dark.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    QApplication::setPalette(dark);
    QVERIFY(m_window->selectSocket(idOf("bob")));
    QSignalSpy applied(m_window.get(), &MonitorWindow::snapshotApplied);
    QVERIFY(applied.wait());
    const QImage shot = m_window->grab().toImage();
    // The header band is a step lighter than the dark window, not a light band.
    const QColor band = shot.pixelColor(4, 4);
    QVERIFY2(band.lightness() < 100, qPrintable(band.name()));
    QVERIFY(band.lightness() > dark.color(QPalette::Window).lightness());
    if (const QString dir = qEnvironmentVariable("CHATTER_MONITOR_GRAB_DIR"); !dir.isEmpty())
        shot.save(dir + QStringLiteral("/monitor-dark.png"));
    QApplication::setPalette(original);
}

void tst_Monitor::showsRefusedConnections()
{
    QLabel *refused = m_window->header()->findChild<QLabel *>(QStringLiteral("refusedTile"));
    QVERIFY(refused);
    QCOMPARE(refused->text(), QStringLiteral("0"));
    QTcpSocket fourth;
    fourth.connectToHost(QHostAddress::LocalHost, m_engine->port());
    QByteArray answer;
    QTRY_VERIFY((answer += fourth.readAll()).contains("\r\n\r\n"));
    QVERIFY2(answer.startsWith("HTTP/1.1 503 "), answer.constData());
    QTRY_COMPARE(refused->text(), QStringLiteral("1"));
    QTRY_VERIFY(
        logHasText(m_window->eventModel(), EngineEvent::Kind::Refused, QStringLiteral("HTTP 503")));
}

void tst_Monitor::tlsShowsHttpsAndTheCertificateFingerprint()
{
    ServerConfig config = loopbackTestConfig();
    config.tlsSelfSigned = true;
    Engine engine(config);
    QVERIFY(engine.start());
    MonitorWindow window(engine);
    window.show();
    const QString fingerprint = engine.tlsFingerprint();
    QVERIFY(!fingerprint.isEmpty());
    QVERIFY2(window.header()->tlsFingerprintText().contains(fingerprint),
             qPrintable(window.header()->tlsFingerprintText()));
    QCOMPARE(window.header()->urlsText(),
             QStringLiteral("https://127.0.0.1:%1/").arg(engine.port()));
    // A new certificate in the same files, then the reload SIGHUP asks for.
    const QString dir = config.dataDir + QStringLiteral("/tls/");
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                   "-days", "1", "-subj", "/CN=renewed", "-keyout", dir + "self-signed.key", "-out",
                   dir + "self-signed.pem"});
    QVERIFY(openssl.waitForFinished(30000) && openssl.exitCode() == 0);
    const auto reloaded = engine.reloadTls();
    QVERIFY2(reloaded.has_value(), qPrintable(reloaded.error()));
    QVERIFY(*reloaded != fingerprint);
    QVERIFY2(window.header()->tlsFingerprintText().contains(*reloaded),
             qPrintable(window.header()->tlsFingerprintText()));
    engine.stop(1012);
}

QTEST_MAIN(tst_Monitor)
#include "tst_monitor.moc"
