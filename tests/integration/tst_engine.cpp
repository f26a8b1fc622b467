// SPDX-License-Identifier: MIT
#include "connectionlimiter.h"
#include "engine.h"
#include "messagestore.h"
#include "rawwebsocket.h"
#include "storehold.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <vector>

using namespace chatter::server;

namespace {

bool isEvent(const QJsonArray &frame, const char *event)
{
    return frame.at(3).toString() == QLatin1String(event);
}

//! Runs a test with sends batched into one io_uring submission and with one send() each.
void addBatchedSendsRows()
{
    QTest::addColumn<bool>("batchedSends");
    QTest::newRow("sends batched (io_uring)") << true;
    QTest::newRow("one send() per recipient") << false;
}

} // namespace

class tst_Engine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void workersUseEpollDispatcher();
    void chatReachesEveryoneAcrossWorkers();
    void searchAnswersThroughTheWorkersInOrder();
    void joinReplyCarriesBothRefs();
    void oversizedFrameClosesWith1009();
    void unfinishedRequestHeadIsCut();
    void malformedFrameClosesWith1011();
    void idleSocketClosesWith1001();
    void disconnectBySocketIdClosesOnlyThatUser();
    void stopClosesEverySocketWith1012();
    void refusedUpgradeGetsHttp403();
    void connectBurstLosesNobody();
    void slowReaderIsClosedAndOthersKeepGoing_data();
    void slowReaderIsClosedAndOthersKeepGoing();
    void snapshotListsSocketsAndTopics();
    void eventsAreKeptOnlyOnceSomeoneReadsThem();
    void adminActions();
    void banRefusesAndDisconnects();
    void banOutlivesARestart();
    void closeIdentityClosesEveryLookAlikeSocket();
    void listeningCanBePaused();
    void floodIsRateLimited();
    void webSocketFramesAfterTheUpgrade();
    void upgradeHeadInPieces_data();
    void upgradeHeadInPieces();
    void pingsDoNotKeepAnIdleSocketOpen();
    void joinStormReachesMembersAsMergedPresenceDiffs();
    void presenceOfAJoinPrecedesTheJoinersFirstMessage();
    void statusChangeReachesItsSenderBeforeTheReply();
    void senderGetsItsOwnCopyBeforeTheReply_data();
    void senderGetsItsOwnCopyBeforeTheReply();
    void clientWaitingForTheStoreIsNotReadFurther();
    void clientKeepingToTheRateIsNotRefusedAfterAPause();
};

void tst_Engine::workersUseEpollDispatcher()
{
    ServerConfig config = loopbackTestConfig();
    config.workers = 3;
    Engine engine(config);
    QVERIFY(engine.start());
    const QStringList dispatchers = engine.workerDispatchers();
    QCOMPARE(dispatchers.size(), 3);
    for (const QString &name : dispatchers)
        QCOMPARE(name, QStringLiteral("chatter::server::EpollEventDispatcher"));
}

void tst_Engine::chatReachesEveryoneAcrossWorkers()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        QVERIFY(clients.back()->open(engine.port(), QStringLiteral("user%1").arg(i)));
        QCOMPARE(
            clients.back()->join(QStringLiteral("chatter:room:lobby")).value("status").toString(),
            QStringLiteral("ok"));
    }
    const QJsonObject reply =
        clients[0]->request(QStringLiteral("1"), QStringLiteral("chatter:room:lobby"),
                            QStringLiteral("new_msg"), QJsonObject{{"body", "hello all"}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    const qint64 id = qint64(reply.value("response").toObject().value("id").toDouble());
    QVERIFY(id > 0);
    for (auto &client : clients) {
        const QJsonArray frame =
            client->waitFor([](const QJsonArray &f) { return isEvent(f, "new_msg"); });
        QVERIFY(!frame.isEmpty());
        QVERIFY(frame.at(0).isNull());
        QVERIFY(frame.at(1).isNull());
        const QJsonObject payload = frame.at(4).toObject();
        QCOMPARE(qint64(payload.value("id").toDouble()), id);
        QCOMPARE(payload.value("user").toString(), QStringLiteral("user0"));
        QCOMPARE(payload.value("body").toString(), QStringLiteral("hello all"));
    }
    // Typing reaches the others but not the typist.
    clients[1]->send(
        QJsonArray{"1", "99", "chatter:room:lobby", "typing", QJsonObject{{"typing", true}}});
    QVERIFY(
        !clients[2]->waitFor([](const QJsonArray &f) { return isEvent(f, "typing"); }).isEmpty());
    QTest::qWait(100);
    for (const QJsonArray &f : clients[1]->frames())
        QVERIFY(!isEvent(f, "typing"));
}

void tst_Engine::searchAnswersThroughTheWorkersInOrder()
{
    // Searches go from the worker to the search thread and back through the worker's mailbox
    // (docs/files-and-search.md); the reply keeps its place among the socket's replies.
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<TestClient>> clients;
    const QString topic = QStringLiteral("chatter:room:lobby");
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        QVERIFY(clients.back()->open(engine.port(), QStringLiteral("user%1").arg(i)));
        QCOMPARE(clients.back()->join(topic).value("status").toString(), QStringLiteral("ok"));
        const QJsonObject sent = clients.back()->request(
            QStringLiteral("1"), topic, QStringLiteral("new_msg"),
            QJsonObject{{"body", QStringLiteral("needle number %1").arg(i)}});
        QCOMPARE(sent.value("status").toString(), QStringLiteral("ok"));
    }
    for (auto &client : clients) {
        client->send(QJsonArray{"1", "50", topic, "search", QJsonObject{{"query", "needle"}}});
        client->send(QJsonArray{"1", "51", topic, "ping", QJsonObject{{"n", 1}}});
    }
    for (auto &client : clients) {
        const QJsonArray pong = client->waitFor([](const QJsonArray &f) {
            return isEvent(f, "phx_reply") && f.at(1).toString() == QLatin1String("51");
        });
        QVERIFY(!pong.isEmpty());
        qsizetype searchAt = -1, pongAt = -1;
        for (qsizetype i = 0; i < client->frames().size(); ++i) {
            const QJsonArray &f = client->frames().at(i);
            if (isEvent(f, "phx_reply") && f.at(1).toString() == QLatin1String("50"))
                searchAt = i;
            if (isEvent(f, "phx_reply") && f.at(1).toString() == QLatin1String("51"))
                pongAt = i;
        }
        QVERIFY(searchAt >= 0 && searchAt < pongAt);
        const QJsonObject reply = client->frames().at(searchAt).at(4).toObject();
        QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
        QCOMPARE(reply.value("response").toObject().value("results").toArray().size(), 3);
    }
    // A search still in flight when the engine stops is dropped, not answered into freed memory.
    clients[0]->send(QJsonArray{"1", "52", topic, "search", QJsonObject{{"query", "needle"}}});
    engine.stop();
}

void tst_Engine::joinReplyCarriesBothRefs()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient client;
    QVERIFY(client.open(engine.port(), QStringLiteral("ann")));
    client.send(QJsonArray{"7", "7", "chatter:room:a", "phx_join", QJsonObject()});
    const QJsonArray reply =
        client.waitFor([](const QJsonArray &f) { return isEvent(f, "phx_reply"); });
    QCOMPARE(reply.at(0).toString(), QStringLiteral("7"));
    QCOMPARE(reply.at(1).toString(), QStringLiteral("7"));
    client.send(QJsonArray{"8", "8", "chatter:room:bad name", "phx_join", QJsonObject()});
    const QJsonArray refused =
        client.waitFor([](const QJsonArray &f) { return f.at(1).toString() == "8"; });
    QCOMPARE(refused.at(4).toObject().value("response").toObject().value("reason").toString(),
             QStringLiteral("invalid room name"));
}

void tst_Engine::unfinishedRequestHeadIsCut()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    // A client that never finishes its first request head must not hold a descriptor for
    // ever (the front door cuts it after 10 s); one that finishes it is served.
    QTcpSocket stalled;
    stalled.connectToHost(QHostAddress::LocalHost, engine.port());
    QVERIFY(stalled.waitForConnected(5000));
    stalled.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QVERIFY(stalled.waitForBytesWritten(5000));
    QTcpSocket silent; // sends nothing at all: never looked at past the bare descriptor
    silent.connectToHost(QHostAddress::LocalHost, engine.port());
    QVERIFY(silent.waitForConnected(5000));
    QTcpSocket served;
    served.connectToHost(QHostAddress::LocalHost, engine.port());
    QVERIFY(served.waitForConnected(5000));
    served.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += served.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    QTRY_COMPARE_WITH_TIMEOUT(stalled.state(), QAbstractSocket::UnconnectedState, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 5000);
    QCOMPARE(served.state(), QAbstractSocket::ConnectedState);
    // Both cut connections gave their places back.
    QTRY_COMPARE(engine.limits().countFor(ConnectionLimiter::Kind::Connection,
                                          QHostAddress(QHostAddress::LocalHost)),
                 1);
}

void tst_Engine::oversizedFrameClosesWith1009()
{
    ServerConfig config = loopbackTestConfig();
    config.maxFrameBytes = 4096;
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient client;
    QVERIFY(client.open(engine.port(), QStringLiteral("big")));
    client.socket().sendTextMessage(QString(8192, QLatin1Char('x')));
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 1009);
}

void tst_Engine::malformedFrameClosesWith1011()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient bad;
    TestClient good;
    QVERIFY(bad.open(engine.port(), QStringLiteral("bad")));
    QVERIFY(good.open(engine.port(), QStringLiteral("good")));
    bad.socket().sendTextMessage(QStringLiteral("[\"1\",\"1\",\"t\"]"));
    QVERIFY(bad.waitClosed());
    QCOMPARE(bad.closeCode(), 1011);
    QCOMPARE(good.request({}, QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())
                 .value("status")
                 .toString(),
             QStringLiteral("ok"));
}

void tst_Engine::idleSocketClosesWith1001()
{
    ServerConfig config = loopbackTestConfig();
    config.idleTimeoutMs = 300;
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient client;
    QVERIFY(client.open(engine.port(), QStringLiteral("sleepy")));
    QVERIFY(client.waitClosed(5000));
    QCOMPARE(client.closeCode(), 1001);
}

void tst_Engine::disconnectBySocketIdClosesOnlyThatUser()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient kicked1, kicked2, other;
    QVERIFY(kicked1.open(engine.port(), QStringLiteral("mallory")));
    QVERIFY(kicked2.open(engine.port(), QStringLiteral("mallory")));
    QVERIFY(other.open(engine.port(), QStringLiteral("alice")));
    QCOMPARE(kicked1.join(QStringLiteral("chatter:room:x")).value("status").toString(),
             QStringLiteral("ok"));
    engine.disconnectSocketId(QStringLiteral("user_socket:mallory"));
    QVERIFY(kicked1.waitClosed());
    QVERIFY(kicked2.waitClosed());
    QCOMPARE(kicked1.closeCode(), 1001);
    QCOMPARE(kicked2.closeCode(), 1001);
    // No channel frames on a forced disconnect.
    for (const QJsonArray &f : kicked1.frames())
        QVERIFY(!isEvent(f, "phx_close") && !isEvent(f, "phx_error"));
    QVERIFY(!other.isClosed());
    QCOMPARE(
        other.request({}, QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())
            .value("status")
            .toString(),
        QStringLiteral("ok"));
}

void tst_Engine::stopClosesEverySocketWith1012()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    // Raw clients: Qt's own client rejects 1012 (Service Restart) as an unknown code.
    RawWebSocket a, b;
    QVERIFY(a.open(engine.port(), "vsn=2.0.0&user=a"));
    QVERIFY(b.open(engine.port(), "vsn=2.0.0&user=b"));
    QTRY_COMPARE(engine.connectionCount(), 2);
    engine.stop(1012);
    QCOMPARE(a.waitForCloseCode(), 1012);
    QCOMPARE(b.waitForCloseCode(), 1012);
}

void tst_Engine::refusedUpgradeGetsHttp403()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, engine.port());
    QVERIFY(socket.waitForConnected());
    socket.write(
        "GET /socket/websocket?vsn=3.0.0&user=a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n");
    QByteArray response;
    QTRY_VERIFY((response += socket.readAll()).contains("\r\n\r\n"));
    QVERIFY2(response.startsWith("HTTP/1.1 403 "), response.constData());
    // The server ends the connection after its answer, and gives its place back: refusals
    // repeated by a reconnecting client must not use up the address's connections.
    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QTRY_COMPARE(engine.limits().countFor(ConnectionLimiter::Kind::Connection,
                                          QHostAddress(QHostAddress::LocalHost)),
                 0);
}

void tst_Engine::connectBurstLosesNobody()
{
    // Qt's defaults (listen backlog 50, 30 pending connections) drop clients in a burst like
    // this; the engine must accept every one.
    constexpr int Count = 1500;
    ServerConfig config = loopbackTestConfig();
    config.maxConnectionsPerAddress = Count; // all from 127.0.0.1
    Engine engine(config);
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<QWebSocket>> sockets;
    int connected = 0;
    for (int i = 0; i < Count; ++i) {
        auto socket = std::make_unique<QWebSocket>();
        connect(socket.get(), &QWebSocket::connected, this, [&connected] { ++connected; });
        socket->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&user=u%2")
                              .arg(engine.port())
                              .arg(i)));
        sockets.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(connected, Count, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(engine.connectionCount(), Count, 10000);
}

void tst_Engine::slowReaderIsClosedAndOthersKeepGoing_data()
{
    addBatchedSendsRows();
}

void tst_Engine::slowReaderIsClosedAndOthersKeepGoing()
{
    QFETCH(bool, batchedSends);
    ServerConfig config = loopbackTestConfig();
    config.maxOutboundBytes = 256 * 1024;
    config.batchedSends = batchedSends;
    config.workers = 1; // the slow readers share the sender's worker and its broadcasts
    Engine engine(config);
    QVERIFY(engine.start());

    // Raw clients that join and then never read again. Several in one room: closing one from
    // inside the broadcast that overflowed it leaves presence while the others still wait.
    constexpr int SlowCount = 3;
    std::vector<std::unique_ptr<RawWebSocket>> slow;
    for (int i = 0; i < SlowCount; ++i) {
        slow.push_back(std::make_unique<RawWebSocket>());
        QVERIFY(slow.back()->open(engine.port(), "vsn=2.0.0&user=slow" + QByteArray::number(i)));
        slow.back()->sendText(R"(["1","1","chatter:room:flood","phx_join",{}])");
    }
    QTRY_COMPARE(engine.connectionCount(), SlowCount);
    QTest::qWait(200);
    for (auto &client : slow)
        client->socket().setReadBufferSize(1);

    TestClient sender;
    QVERIFY(sender.open(engine.port(), QStringLiteral("sender")));
    QCOMPARE(sender.join(QStringLiteral("chatter:room:flood")).value("status").toString(),
             QStringLiteral("ok"));
    const QString body(3900, QLatin1Char('z'));
    // Bounded: kernel buffers on loopback hold a few MB at most, 4000 x 4 KB is far more.
    int sent = 0;
    for (; sent < 4000 && engine.connectionCount() > 1; ++sent) {
        const QJsonObject reply =
            sender.request(QStringLiteral("1"), QStringLiteral("chatter:room:flood"),
                           QStringLiteral("new_msg"), QJsonObject{{"body", body}});
        QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    }
    QTRY_COMPARE(engine.connectionCount(), 1);
    QVERIFY(!sender.isClosed());
    QCOMPARE(
        sender.request({}, QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())
            .value("status")
            .toString(),
        QStringLiteral("ok"));
}

void tst_Engine::snapshotListsSocketsAndTopics()
{
    Engine engine(loopbackTestConfig());
    engine.events().startReading();
    QVERIFY(engine.start());
    TestClient a, b, c;
    QVERIFY(a.open(engine.port(), QStringLiteral("ann"), QStringLiteral("&client=desktop")));
    QVERIFY(b.open(engine.port(), QStringLiteral("bob")));
    QVERIFY(c.open(engine.port(), QStringLiteral("cat")));
    QCOMPARE(a.join(QStringLiteral("chatter:room:one")).value("status").toString(),
             QStringLiteral("ok"));
    QCOMPARE(b.join(QStringLiteral("chatter:room:two")).value("status").toString(),
             QStringLiteral("ok"));
    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    QVERIFY(ready.wait());
    const auto snapshot = ready.first().first().value<EngineSnapshot>();
    QCOMPARE(snapshot.sockets.size(), 3);
    QHash<QString, SocketRow> byUser;
    for (const SocketRow &row : snapshot.sockets)
        byUser.insert(row.user, row);
    QCOMPARE(byUser.value("ann").topics, QStringList{"chatter:room:one"});
    QCOMPARE(byUser.value("ann").clientKind, QStringLiteral("desktop"));
    QCOMPARE(byUser.value("bob").topics, QStringList{"chatter:room:two"});
    QVERIFY(byUser.value("cat").topics.isEmpty());
    QVERIFY(byUser.value("ann").messagesIn >= 1);
    QVERIFY(snapshot.bytesIn > 0 && snapshot.bytesOut > 0);
    QSet<QString> rooms;
    for (const RoomRow &room : snapshot.rooms)
        rooms.insert(room.name);
    QVERIFY(rooms.contains("one") && rooms.contains("two"));

    const QList<EngineEvent> events = engine.events().take();
    int connects = 0, joins = 0;
    for (const EngineEvent &e : events) {
        connects += e.kind == EngineEvent::Kind::Connect;
        joins += e.kind == EngineEvent::Kind::Join;
    }
    QCOMPARE(connects, 3);
    QCOMPARE(joins, 2);
}

void tst_Engine::eventsAreKeptOnlyOnceSomeoneReadsThem()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient unseen;
    QVERIFY(unseen.open(engine.port(), QStringLiteral("unseen")));
    QCOMPARE(unseen.join(QStringLiteral("chatter:room:quiet")).value("status").toString(),
             QStringLiteral("ok"));
    QVERIFY(engine.events().take().isEmpty()); // a headless server holds no events

    engine.events().startReading();
    TestClient seen;
    QVERIFY(seen.open(engine.port(), QStringLiteral("seen")));
    QCOMPARE(seen.join(QStringLiteral("chatter:room:quiet")).value("status").toString(),
             QStringLiteral("ok"));
    QStringList kept;
    for (const EngineEvent &e : engine.events().take())
        kept.append(EngineEvent::kindName(e.kind) + QLatin1Char(' ') + e.user);
    QCOMPARE(kept, (QStringList{QStringLiteral("connect seen"), QStringLiteral("join seen")}));
}

void tst_Engine::adminActions()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient a, b;
    QVERIFY(a.open(engine.port(), QStringLiteral("ann")));
    QVERIFY(b.open(engine.port(), QStringLiteral("bob")));
    QCOMPARE(a.join(QStringLiteral("chatter:room:lobby")).value("status").toString(),
             QStringLiteral("ok"));
    QCOMPARE(b.join(QStringLiteral("chatter:room:lobby")).value("status").toString(),
             QStringLiteral("ok"));

    engine.sendSystemMessage(QStringLiteral("lobby"), QStringLiteral("maintenance at noon"));
    for (TestClient *client : {&a, &b}) {
        const QJsonArray frame = client->waitFor([](const QJsonArray &f) {
            return isEvent(f, "new_msg") &&
                   f.at(4).toObject().value("user").toString() == QLatin1String("system");
        });
        QCOMPARE(frame.at(4).toObject().value("body").toString(),
                 QStringLiteral("maintenance at noon"));
    }

    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    QVERIFY(ready.wait());
    quint64 annId = 0, bobId = 0;
    for (const SocketRow &row : ready.first().first().value<EngineSnapshot>().sockets)
        (row.user == QLatin1String("ann") ? annId : bobId) = row.id;

    engine.removeFromRoom(bobId, QStringLiteral("chatter:room:lobby"));
    QVERIFY(!b.waitFor([](const QJsonArray &f) { return isEvent(f, "phx_close"); }).isEmpty());
    QVERIFY(!b.isClosed());

    engine.disconnectSocket(annId);
    QVERIFY(a.waitClosed());
    QCOMPARE(a.closeCode(), 1001);
    QVERIFY(!b.isClosed());
}

void tst_Engine::banRefusesAndDisconnects()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient troll;
    QVERIFY(troll.open(engine.port(), QStringLiteral("troll")));
    engine.banNickname(QStringLiteral("troll"), 10);
    QVERIFY(troll.waitClosed());
    QCOMPARE(troll.closeCode(), 1001);
    RawWebSocket again;
    QVERIFY(!again.open(engine.port(), "vsn=2.0.0&user=troll"));
    TestClient other;
    QVERIFY(other.open(engine.port(), QStringLiteral("nice")));
}

void tst_Engine::banOutlivesARestart()
{
    const ServerConfig config = loopbackTestConfig();
    {
        Engine engine(config);
        QVERIFY(engine.start());
        TestClient lookAlike;
        QVERIFY(lookAlike.open(engine.port(), QStringLiteral("TROLL")));
        engine.banNickname(QStringLiteral("troll"), 0, QStringLiteral("spam"));
        // A look-alike's sockets close too.
        QVERIFY(lookAlike.waitClosed());
        QCOMPARE(engine.activeBans().size(), 1);
        engine.stop();
    }
    // The same data directory: the ban is read back at start.
    Engine engine(config);
    QVERIFY(engine.start());
    const QList<BanRow> bans = engine.activeBans();
    QCOMPARE(bans.size(), 1);
    QCOMPARE(bans.first().target, QStringLiteral("troll"));
    QCOMPARE(bans.first().reason, QStringLiteral("spam"));
    QVERIFY(bans.first().until.isNull());
    for (const char *user : {"troll", "TROLL", "troIl"}) {
        RawWebSocket refused;
        QVERIFY2(!refused.open(engine.port(), QByteArray("vsn=2.0.0&user=") + user), user);
    }
    TestClient other;
    QVERIFY(other.open(engine.port(), QStringLiteral("nice")));
    QVERIFY(engine.liftBan(bans.first().id));
    QVERIFY(engine.activeBans().isEmpty());
    TestClient back;
    QVERIFY(back.open(engine.port(), QStringLiteral("troll")));
    engine.stop();
    // The lifting is stored too.
    Engine again(config);
    QVERIFY(again.start());
    QVERIFY(again.activeBans().isEmpty());
    TestClient stillBack;
    QVERIFY(stillBack.open(again.port(), QStringLiteral("troll")));
}

void tst_Engine::closeIdentityClosesEveryLookAlikeSocket()
{
    ServerConfig config = loopbackTestConfig();
    config.workers = 2; // the sockets spread over both workers; the count covers both
    Engine engine(config);
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<TestClient>> targets;
    for (const char *user : {"troll", "troll", "TROLL", "troIl"}) {
        targets.push_back(std::make_unique<TestClient>());
        QVERIFY(targets.back()->open(engine.port(), QString::fromLatin1(user)));
    }
    TestClient nice;
    QVERIFY(nice.open(engine.port(), QStringLiteral("nice")));
    int closed = -1;
    engine.closeIdentity(QStringLiteral("troll"), QStringLiteral("kicked"), nullptr,
                         [&closed](int n) { closed = n; });
    QTRY_COMPARE(closed, 4);
    for (const auto &target : targets) {
        QVERIFY(target->waitClosed());
        QCOMPARE(target->closeCode(), 1001);
    }
    QVERIFY(!nice.isClosed());
}

void tst_Engine::listeningCanBePaused()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient before;
    QVERIFY(before.open(engine.port(), QStringLiteral("early")));
    QVERIFY(engine.setListening(false));
    QVERIFY(!engine.isListening());
    QTcpSocket refused;
    refused.connectToHost(QHostAddress::LocalHost, engine.port());
    QVERIFY(!refused.waitForConnected(2000));
    QVERIFY(engine.setListening(true));
    TestClient after;
    QVERIFY(after.open(engine.port(), QStringLiteral("late")));
    QVERIFY(!before.isClosed());
}

void tst_Engine::floodIsRateLimited()
{
    ServerConfig config = loopbackTestConfig();
    config.maxMessagesPerSecond = 10;
    config.messageBurst = 20;
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient flooder, listener;
    QVERIFY(flooder.open(engine.port(), QStringLiteral("flooder")));
    QVERIFY(listener.open(engine.port(), QStringLiteral("listener")));
    QCOMPARE(listener.join(QStringLiteral("chatter:room:flood")).value("status").toString(),
             QStringLiteral("ok"));
    QCOMPARE(flooder.join(QStringLiteral("chatter:room:flood")).value("status").toString(),
             QStringLiteral("ok"));
    constexpr int Sent = 200;
    for (int i = 0; i < Sent; ++i) {
        flooder.send(QJsonArray{QJsonValue(), QStringLiteral("m%1").arg(i), "chatter:room:flood",
                                "new_msg",
                                QJsonObject{{"body", QStringLiteral("spam %1").arg(i)}}});
    }
    auto replies = [&] {
        int ok = 0, limited = 0;
        for (const QJsonArray &f : flooder.frames()) {
            if (!isEvent(f, "phx_reply") || !f.at(1).toString().startsWith(QLatin1Char('m')))
                continue;
            const QJsonObject payload = f.at(4).toObject();
            if (payload.value("status").toString() == QLatin1String("ok"))
                ++ok;
            else if (payload.value("response").toObject().value("reason").toString() ==
                     QLatin1String("rate limited"))
                ++limited;
        }
        return std::make_pair(ok, limited);
    };
    QTRY_COMPARE_WITH_TIMEOUT(replies().first + replies().second, Sent, 20000);
    const auto [ok, limited] = replies();
    // The burst, less the token the join took, plus whatever refilled meanwhile.
    QVERIFY2(ok >= config.messageBurst - 1 && ok < Sent / 2, qPrintable(QString::number(ok)));
    QCOMPARE(ok + limited, Sent);
    // What was refused was never broadcast.
    QTRY_COMPARE(std::count_if(listener.frames().cbegin(), listener.frames().cend(),
                               [](const QJsonArray &f) { return isEvent(f, "new_msg"); }),
                 qsizetype(ok));
    // Heartbeats are never limited, so the flooder stays connected.
    QCOMPARE(
        flooder.request({}, QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject())
            .value("status")
            .toString(),
        QStringLiteral("ok"));
}

void tst_Engine::upgradeHeadInPieces_data()
{
    // The front door decides on its first look at a connection's bytes: a whole upgrade is
    // taken on the bare descriptor, anything less goes the QTcpSocket way; both must upgrade.
    const QByteArray request = RawWebSocket::upgradeRequest("vsn=2.0.0&user=pieces");
    QTest::addColumn<qsizetype>("splitAt");
    QTest::newRow("whole") << qsizetype(-1);
    QTest::newRow("first byte alone") << qsizetype(1);
    QTest::newRow("request line alone") << request.indexOf("\r\n") + 2;
    QTest::newRow("all but the blank line") << request.size() - 2;
}

void tst_Engine::upgradeHeadInPieces()
{
    QFETCH(qsizetype, splitAt);
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    RawWebSocket raw;
    QVERIFY(raw.open(engine.port(), "vsn=2.0.0&user=pieces", {}, splitAt));
    raw.sendText(R"([null,"1","phoenix","heartbeat",{}])");
    const RawWebSocket::ServerFrame reply = raw.readFrame();
    QVERIFY2(reply.payload.contains("phx_reply") && reply.payload.contains(R"("status":"ok")"),
             reply.payload.constData());
    QCOMPARE(engine.connectionCount(), 1);
}

void tst_Engine::webSocketFramesAfterTheUpgrade()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    const QByteArray heartbeat = R"([null,"%1","phoenix","heartbeat",{}])";
    auto isReplyTo = [](const RawWebSocket::ServerFrame &frame, const char *ref) {
        return frame.opcode == 0x1 && frame.payload.contains(QByteArray("\"") + ref + "\"") &&
               frame.payload.contains("phx_reply");
    };

    // A frame sent in the same write as the upgrade request is not lost in the hand-over.
    RawWebSocket raw;
    QVERIFY(raw.open(engine.port(), "vsn=2.0.0&user=raw",
                     RawWebSocket::maskedFrame(0x1, QByteArray(heartbeat).replace("%1", "1"))));
    QVERIFY(isReplyTo(raw.readFrame(), "1"));

    // Ping is answered with a pong carrying the same payload.
    raw.sendFrame(0x9, "are you there");
    const RawWebSocket::ServerFrame pong = raw.readFrame();
    QCOMPARE(pong.opcode, 0xA);
    QCOMPARE(pong.payload, QByteArray("are you there"));

    // A message in three fragments, with a ping between them, is one message.
    const QByteArray fragmented = QByteArray(heartbeat).replace("%1", "2");
    raw.sendFrame(0x1, fragmented.left(5), false);
    raw.sendFrame(0x9, "");
    raw.sendFrame(0x0, fragmented.mid(5, 10), false);
    raw.sendFrame(0x0, fragmented.mid(15));
    QCOMPARE(raw.readFrame().opcode, 0xA);
    QVERIFY(isReplyTo(raw.readFrame(), "2"));

    // The client's close is answered with its own code, then the server ends the connection.
    raw.sendFrame(0x8, QByteArray("\x0f\xa0", 2) + "bye"); // 4000
    const RawWebSocket::ServerFrame close = raw.readFrame();
    QCOMPARE(close.opcode, 0x8);
    QCOMPARE(close.payload.left(2), QByteArray("\x0f\xa0", 2));
    QTRY_COMPARE(raw.socket().state(), QAbstractSocket::UnconnectedState);

    // An unmasked frame breaks RFC 6455: 1002.
    RawWebSocket unmasked;
    QVERIFY(unmasked.open(engine.port(), "vsn=2.0.0&user=unmasked"));
    unmasked.socket().write(QByteArray("\x81\x02hi", 4));
    QCOMPARE(unmasked.waitForCloseCode(), 1002);
}

void tst_Engine::pingsDoNotKeepAnIdleSocketOpen()
{
    ServerConfig config = loopbackTestConfig();
    config.idleTimeoutMs = 300;
    Engine engine(config);
    QVERIFY(engine.start());
    // Pings, and a frame that trickles in and never completes, are not Phoenix heartbeats.
    RawWebSocket pinging;
    RawWebSocket trickling;
    QVERIFY(pinging.open(engine.port(), "vsn=2.0.0&user=pinging"));
    QVERIFY(trickling.open(engine.port(), "vsn=2.0.0&user=trickling"));
    trickling.socket().write(QByteArray("\x81\xfe\x10\x00\0\0\0\0", 8)); // 4096 bytes to come
    QTimer sender;
    QObject::connect(&sender, &QTimer::timeout, [&] {
        pinging.sendFrame(0x9, "ping");
        trickling.socket().write("x");
    });
    sender.start(50);
    QCOMPARE(pinging.waitForCloseCode(5000), 1001);
    QCOMPARE(trickling.waitForCloseCode(5000), 1001);
}

void tst_Engine::joinStormReachesMembersAsMergedPresenceDiffs()
{
    // Twenty people joining at once: one presence_diff per join would cost every member a frame
    // per join. They arrive merged, and together they still name everyone, joins and leaves.
    constexpr int Count = 20;
    const QString topic = QStringLiteral("chatter:room:storm");
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    TestClient observer;
    QVERIFY(observer.open(engine.port(), QStringLiteral("observer")));
    QCOMPARE(observer.join(topic).value("status").toString(), QStringLiteral("ok"));
    QVERIFY(!observer.waitFor([](const QJsonArray &f) { return isEvent(f, "presence_state"); })
                 .isEmpty());

    std::vector<std::unique_ptr<TestClient>> people;
    for (int i = 0; i < Count; ++i) {
        people.push_back(std::make_unique<TestClient>());
        QVERIFY(people.back()->open(engine.port(), QStringLiteral("p%1").arg(i)));
    }
    const qsizetype seen = observer.frames().size();
    for (auto &person : people)
        person->send(QJsonArray{"1", "1", topic, "phx_join", QJsonObject()});

    // Every key named in the observer's diffs since `seen`, under "joins" or "leaves".
    const auto named = [&](const char *side) {
        QSet<QString> keys;
        int diffs = 0;
        for (qsizetype i = seen; i < observer.frames().size(); ++i) {
            const QJsonArray &f = observer.frames().at(i);
            if (!isEvent(f, "presence_diff"))
                continue;
            const QJsonObject part = f.at(4).toObject().value(QLatin1String(side)).toObject();
            if (part.isEmpty())
                continue;
            ++diffs;
            for (auto it = part.constBegin(); it != part.constEnd(); ++it)
                keys.insert(it.key());
        }
        return std::make_pair(keys, diffs);
    };
    QTRY_COMPARE_WITH_TIMEOUT(named("joins").first.size(), Count, 10000);
    const int joinDiffs = named("joins").second;
    QVERIFY2(joinDiffs <= Count / 2, qPrintable(QString::number(joinDiffs)));

    for (auto &person : people)
        person->socket().close();
    QTRY_COMPARE_WITH_TIMEOUT(named("leaves").first.size(), Count, 10000);
    const int leaveDiffs = named("leaves").second;
    QVERIFY2(leaveDiffs <= Count / 2, qPrintable(QString::number(leaveDiffs)));
}

void tst_Engine::presenceOfAJoinPrecedesTheJoinersFirstMessage()
{
    // Bob joins right after the observer, inside the presence window, and speaks at once: the
    // observer must still learn that bob joined before it reads what he said.
    const QString topic = QStringLiteral("chatter:room:order");
    ServerConfig config = loopbackTestConfig();
    config.workers = 1;
    config.presenceWindowMs = 5000; // bob's join waits, unless his message sends it along
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient observer;
    TestClient bob;
    QVERIFY(observer.open(engine.port(), QStringLiteral("observer")));
    QVERIFY(bob.open(engine.port(), QStringLiteral("bob")));
    QCOMPARE(observer.join(topic).value("status").toString(), QStringLiteral("ok"));
    bob.send(QJsonArray{"1", "1", topic, "phx_join", QJsonObject()});
    bob.send(QJsonArray{"1", "2", topic, "new_msg", QJsonObject{{"body", "first words"}}});
    const QJsonArray said =
        observer.waitFor([](const QJsonArray &f) { return isEvent(f, "new_msg"); });
    QVERIFY(!said.isEmpty());
    const auto joinedAt =
        std::find_if(observer.frames().cbegin(), observer.frames().cend(), [](const QJsonArray &f) {
            return isEvent(f, "presence_diff") &&
                   f.at(4).toObject().value("joins").toObject().contains("bob");
        });
    const auto saidAt = std::find(observer.frames().cbegin(), observer.frames().cend(), said);
    QVERIFY(joinedAt != observer.frames().cend());
    QVERIFY(joinedAt < saidAt);
}

void tst_Engine::statusChangeReachesItsSenderBeforeTheReply()
{
    const QString topic = QStringLiteral("chatter:room:status");
    ServerConfig config = loopbackTestConfig();
    config.workers = 1;
    config.presenceWindowMs = 5000; // without the flush, the diff would come seconds later
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient ann;
    TestClient bob;
    QVERIFY(ann.open(engine.port(), QStringLiteral("ann")));
    QVERIFY(bob.open(engine.port(), QStringLiteral("bob")));
    QCOMPARE(ann.join(topic).value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(bob.join(topic).value("status").toString(), QStringLiteral("ok"));
    const QJsonObject reply = bob.request(QStringLiteral("1"), topic, QStringLiteral("status"),
                                          QJsonObject{{"status", "away"}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    const auto isAway = [](const QJsonArray &f) {
        if (!isEvent(f, "presence_diff"))
            return false;
        const QJsonArray metas = f.at(4)
                                     .toObject()
                                     .value("joins")
                                     .toObject()
                                     .value("bob")
                                     .toObject()
                                     .value("metas")
                                     .toArray();
        return !metas.isEmpty() &&
               metas.last().toObject().value("status") == QStringLiteral("away");
    };
    // Already there when the reply came: request() returned on the reply.
    QVERIFY(std::any_of(bob.frames().cbegin(), bob.frames().cend(), isAway));
    QVERIFY(!ann.waitFor(isAway).isEmpty());
}

void tst_Engine::senderGetsItsOwnCopyBeforeTheReply_data()
{
    addBatchedSendsRows();
}

void tst_Engine::senderGetsItsOwnCopyBeforeTheReply()
{
    // The copy and the reply may share one send; they must still arrive in this order.
    QFETCH(bool, batchedSends);
    const QString topic = QStringLiteral("chatter:room:echo");
    ServerConfig config = loopbackTestConfig();
    config.batchedSends = batchedSends;
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient ann;
    TestClient bob;
    QVERIFY(ann.open(engine.port(), QStringLiteral("ann")));
    QVERIFY(bob.open(engine.port(), QStringLiteral("bob")));
    QCOMPARE(ann.join(topic).value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(bob.join(topic).value("status").toString(), QStringLiteral("ok"));
    for (int i = 0; i < 20; ++i) {
        const QString ref = QStringLiteral("m%1").arg(i);
        const QString body = QStringLiteral("message %1").arg(i);
        ann.send(QJsonArray{"1", ref, topic, "new_msg", QJsonObject{{"body", body}}});
        const auto isCopy = [&](const QJsonArray &f) {
            return isEvent(f, "new_msg") && f.at(4).toObject().value("body").toString() == body;
        };
        const auto isReply = [&](const QJsonArray &f) {
            return isEvent(f, "phx_reply") && f.at(1).toString() == ref;
        };
        QVERIFY(!ann.waitFor(isReply).isEmpty());
        const auto &frames = ann.frames();
        const auto copyAt = std::find_if(frames.cbegin(), frames.cend(), isCopy);
        const auto replyAt = std::find_if(frames.cbegin(), frames.cend(), isReply);
        QVERIFY2(copyAt < replyAt, qPrintable(body));
        QVERIFY(!bob.waitFor(isCopy).isEmpty());
    }
}

namespace {

//! Frames the engine has read from its only socket, from a fresh snapshot; -1 if none.
qint64 messagesInOfOnlySocket(Engine &engine)
{
    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    if (!ready.wait())
        return -1;
    const auto snapshot = ready.first().first().value<EngineSnapshot>();
    return snapshot.sockets.size() == 1 ? snapshot.sockets.first().messagesIn : -1;
}

//! The replies to pushes whose ref starts with `prefix`, in order: (ref, status, reason).
QList<QStringList> repliesTo(const TestClient &client, const QString &prefix)
{
    QList<QStringList> replies;
    for (const QJsonArray &f : client.frames()) {
        if (!isEvent(f, "phx_reply") || !f.at(1).toString().startsWith(prefix))
            continue;
        const QJsonObject payload = f.at(4).toObject();
        replies.append({f.at(1).toString(), payload.value("status").toString(),
                        payload.value("response").toObject().value("reason").toString()});
    }
    return replies;
}

} // namespace

void tst_Engine::clientWaitingForTheStoreIsNotReadFurther()
{
    // With the store held up, a client's messages wait unanswered; the server stops reading
    // that client after 256 (and what is left of the chunk it was reading) instead of taking
    // in everything it sends. Once the store moves again, every message is stored and
    // answered, in order.
    constexpr int Count = 2000;
    const QString topic = QStringLiteral("chatter:room:held");
    ServerConfig config = loopbackTestConfig();
    config.workers = 1;
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient ann;
    QVERIFY(ann.open(engine.port(), QStringLiteral("ann")));
    QCOMPARE(ann.join(topic).value("status").toString(), QStringLiteral("ok"));

    StoreHold hold(&engine.store());
    QVERIFY(hold.waitHeld());
    for (int i = 0; i < Count; ++i)
        ann.send(QJsonArray{"1", QStringLiteral("m%1").arg(i), topic, "new_msg",
                            QJsonObject{{"body", QStringLiteral("b%1").arg(i)}}});
    // Read as far as it goes: until two snapshots a while apart agree.
    qint64 read = -1;
    for (int attempt = 0; attempt < 50; ++attempt) {
        QTest::qWait(200);
        const qint64 now = messagesInOfOnlySocket(engine);
        if (now >= 256 && now == read)
            break;
        read = now;
    }
    // The join, 256 messages, and at most the rest of one 64 KiB read (frames of 60+ bytes).
    QVERIFY2(read >= 1 + 256 && read <= 1 + 256 + 65536 / 60, qPrintable(QString::number(read)));

    hold.release();
    QTRY_COMPARE_WITH_TIMEOUT(repliesTo(ann, "m").size(), qsizetype(Count), 30000);
    const QList<QStringList> replies = repliesTo(ann, "m");
    for (int i = 0; i < Count; ++i)
        QCOMPARE(replies.at(i), (QStringList{QStringLiteral("m%1").arg(i), "ok", ""}));
}

void tst_Engine::clientKeepingToTheRateIsNotRefusedAfterAPause()
{
    // 200 messages/s allowed, burst 50; the client sends exactly 200/s for 2 s while the store
    // is held. Reading pauses at 256 waiting; what the client sends meanwhile arrives in one
    // burst when the store lets go, and must not be refused as a flood.
    constexpr int Count = 400;
    const QString topic = QStringLiteral("chatter:room:steady");
    ServerConfig config = loopbackTestConfig();
    config.workers = 1;
    config.maxMessagesPerSecond = 200;
    config.messageBurst = 50;
    Engine engine(config);
    QVERIFY(engine.start());
    TestClient ann;
    QVERIFY(ann.open(engine.port(), QStringLiteral("ann")));
    QCOMPARE(ann.join(topic).value("status").toString(), QStringLiteral("ok"));

    StoreHold hold(&engine.store());
    QVERIFY(hold.waitHeld());
    int sent = 0;
    QTimer pace;
    pace.setTimerType(Qt::PreciseTimer);
    pace.setInterval(5);
    connect(&pace, &QTimer::timeout, this, [&] {
        ann.send(QJsonArray{"1", QStringLiteral("s%1").arg(sent), topic, "new_msg",
                            QJsonObject{{"body", QStringLiteral("b%1").arg(sent)}}});
        if (++sent == Count)
            pace.stop();
    });
    pace.start();
    QTRY_COMPARE_WITH_TIMEOUT(sent, Count, 30000);
    QVERIFY(messagesInOfOnlySocket(engine) < 1 + Count); // it did pause

    hold.release();
    QTRY_COMPARE_WITH_TIMEOUT(repliesTo(ann, "s").size(), qsizetype(Count), 30000);
    const QList<QStringList> replies = repliesTo(ann, "s");
    for (int i = 0; i < Count; ++i)
        QCOMPARE(replies.at(i), (QStringList{QStringLiteral("s%1").arg(i), "ok", ""}));
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The engine logs every connect; hundreds of them would drown the test report.
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_Engine test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_engine.moc"
