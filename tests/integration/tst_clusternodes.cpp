// SPDX-License-Identifier: MIT
#include "childprocess.h"
#include "engine.h"
#include "httpexchange.h"
#include "messagestorefixture.h"
#include "postgresinstance.h"
#include "redisinstance.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>

#include <memory>
#include <optional>

using namespace chatter::server;

//! Several nodes as one chat (docs/cluster.md): two engines in-process on one real PostgreSQL
//! database and one real Redis the test starts, Phoenix V2 clients over loopback on each.
//! Broadcasts cross from node to node through Redis; every client gets a room's messages in id
//! order; what a node missed while Redis was away is filled from the database.
class tst_ClusterNodes : public QObject, public MessageStoreFixture
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void messagesAndOtherBroadcastsCrossNodes();
    void everyClientGetsIdOrderWhileBothNodesSend();
    void aGapIsFilledFromTheDatabase();
    void whatANodeMissedWhileRedisWasAwayIsFilled();
    void changesMadeWhileRedisWasAwayBringARejoin();
    void presenceConvergesAcrossNodes();
    void theRoomListIsTheClustersOnEveryNode();
    void aStoppedNodesPresenceLeavesAtOnce();
    void aKilledNodesPresenceLeavesAfterTheTimeout();
    void longPollSessionsAreServedThroughAnyNode();
    void aNodeOnAnotherRedisIsRefused();
    void aNodeWithoutRedisAndNodesWithItDoNotMix();
    void failedLoginsAreCountedAcrossNodes();
    void kicksAndSocketIdDisconnectsCloseSocketsOnEveryNode();
    void bansCloseSocketsOnEveryNode();
    void theNodeTableListsTheOtherNodes();
    void anotherNodesSocketsAreListedAndDisconnected();

private:
    //! A new database (and a Redis database number of its own) for the current test.
    void useDatabase(const QString &database);
    //! Two nodes on a new database; false (and the test failed) when one did not start.
    bool startNodes(const QString &database);
    //! A writer on the test's database that publishes nothing: its messages reach the nodes
    //! only through the database, as messages whose envelopes were lost would. Committed when
    //! it returns; the ids in order.
    QList<qint64> writeSilently(const QStringList &bodies);
    //! A node's configuration on the current test's database; `redis` empty for none.
    ServerConfig configFor(const QString &redis) const;
    QString m_database;
    QString m_redisUrl;
    //! When not 0, B's --longpoll-hold-ms (how long B waits for another node's answer, + 2 s).
    int m_longPollHoldOnB = 0;
    PostgresInstance m_postgres;
    RedisInstance m_redis;
    std::unique_ptr<Engine> m_a;
    std::unique_ptr<Engine> m_b;
};

namespace {

const QString Lobby = QStringLiteral("chatter:room:lobby");

bool isEvent(const QJsonArray &frame, const char *event)
{
    return frame.size() == 5 && frame.at(3).toString() == QLatin1String(event);
}

//! The ids of the new_msg broadcasts a client received on `topic`, in arrival order.
QList<qint64> receivedIds(const TestClient &client, const QString &topic)
{
    QList<qint64> ids;
    for (const QJsonArray &frame : client.frames()) {
        if (isEvent(frame, "new_msg") && frame.at(2).toString() == topic)
            ids.append(qint64(frame.at(4).toObject().value("id").toDouble()));
    }
    return ids;
}

//! Pushes `count` messages without waiting for their replies; the refs are "m<prefix><i>".
void sendMany(TestClient &client, const QString &joinRef, const QString &prefix, int count)
{
    for (int i = 0; i < count; ++i)
        client.send(QJsonArray{joinRef, QStringLiteral("m%1%2").arg(prefix).arg(i), Lobby,
                               QStringLiteral("new_msg"),
                               QJsonObject{{"body", QStringLiteral("%1 %2").arg(prefix).arg(i)}}});
}

//! The ids acknowledged (`ok`) for the refs sendMany() used.
QList<qint64> ackedIds(const TestClient &client, const QString &prefix)
{
    QList<qint64> ids;
    for (const QJsonArray &frame : client.frames()) {
        if (isEvent(frame, "phx_reply") && frame.at(1).toString().startsWith("m" + prefix) &&
            frame.at(4).toObject().value("status").toString() == QLatin1String("ok"))
            ids.append(
                qint64(frame.at(4).toObject().value("response").toObject().value("id").toDouble()));
    }
    return ids;
}

//! The keys of a presence_state payload, or of one side ("joins", "leaves") of the
//! presence_diff frames received on `topic` so far, in order.
QStringList presenceState(const TestClient &client, const QString &topic)
{
    for (const QJsonArray &frame : client.frames()) {
        if (isEvent(frame, "presence_state") && frame.at(2).toString() == topic)
            return frame.at(4).toObject().keys();
    }
    return {};
}

QStringList diffKeys(const TestClient &client, const QString &topic, const char *side)
{
    QStringList keys;
    for (const QJsonArray &frame : client.frames()) {
        if (isEvent(frame, "presence_diff") && frame.at(2).toString() == topic)
            keys += frame.at(4).toObject().value(QLatin1String(side)).toObject().keys();
    }
    return keys;
}

//! One long-poll request (docs/protocol.md): the JSON body of the answer, empty on failure.
QJsonObject longPoll(quint16 port, const char *method, const QString &token,
                     const QByteArray &body = {}, int timeoutMs = 10000)
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return {};
    QByteArray path = "/socket/longpoll?vsn=2.0.0&user=lou";
    if (!token.isEmpty())
        path += "&token=" + QUrl::toPercentEncoding(token);
    socket.write(QByteArray(method) + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                 QByteArray::number(port) + "\r\nContent-Type: application/json\r\n" +
                 "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    const QByteArray response = httpexchange::readResponse(socket, timeoutMs);
    return QJsonDocument::fromJson(httpexchange::bodyOf(response)).object();
}

//! The frames in a long-poll GET's answer, each a V2 array.
QList<QJsonArray> polled(const QJsonObject &answer)
{
    QList<QJsonArray> frames;
    for (const QJsonValue &text : answer.value("messages").toArray())
        frames.append(QJsonDocument::fromJson(text.toString().toUtf8()).array());
    return frames;
}

//! POSTs `body` as JSON to `path`: the HTTP status.
int postJson(quint16 port, const QByteArray &path, const QJsonObject &body)
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return 0;
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    socket.write("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                 "\r\nContent-Type: application/json\r\nContent-Length: " +
                 QByteArray::number(json.size()) + "\r\n\r\n" + json);
    return httpexchange::statusOf(httpexchange::readResponse(socket, 20000));
}

//! The HTTP status of GET /healthz.
int healthStatus(quint16 port)
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return 0;
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return httpexchange::statusOf(httpexchange::readResponse(socket, 3000));
}

//! The row of the node named `name` in `engine`'s table of nodes, if it is there.
std::optional<NodeRow> nodeNamed(const Engine &engine, const QString &name)
{
    for (const NodeRow &node : engine.nodes()) {
        if (node.name == name)
            return node;
    }
    return std::nullopt;
}

//! A WebSocket upgrade from the loopback address `from` (TestClient cannot pick its own): true
//! once the server answered 101.
bool upgradeFrom(QTcpSocket &socket, quint16 port, const QHostAddress &from, const char *user)
{
    if (!httpexchange::connectTo(socket, port, from))
        return false;
    socket.write(
        QByteArray("GET /socket/websocket?vsn=2.0.0&user=") + user +
        " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray answer;
    for (int i = 0; i < 500 && !answer.contains("\r\n\r\n"); ++i) {
        socket.waitForReadyRead(10);
        answer += socket.readAll();
    }
    return answer.startsWith("HTTP/1.1 101");
}

//! The rows of `engine`'s next snapshot that satisfy `match` (none after 5 s).
QList<SocketRow> snapshotRows(Engine &engine, const std::function<bool(const SocketRow &)> &match)
{
    QList<SocketRow> rows;
    bool done = false;
    const QMetaObject::Connection connection =
        QObject::connect(&engine, &Engine::snapshotReady, [&](const EngineSnapshot &snapshot) {
            for (const SocketRow &row : snapshot.sockets) {
                if (match(row))
                    rows.append(row);
            }
            done = true;
        });
    engine.requestSnapshot();
    for (int i = 0; i < 250 && !done; ++i)
        QTest::qWait(20);
    QObject::disconnect(connection);
    return rows;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

void tst_ClusterNodes::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_ClusterNodes::cleanup()
{
    if (m_store)
        stopStore();
    if (m_a)
        m_a->stop();
    if (m_b)
        m_b->stop();
    m_a.reset();
    m_b.reset();
    m_longPollHoldOnB = 0;
}

ServerConfig tst_ClusterNodes::configFor(const QString &redis) const
{
    ServerConfig config = loopbackTestConfig();
    config.database = m_database;
    config.search = false;
    config.redis = redis;
    config.longPollHoldMs = 1000;
    config.minimumPasswordCost = true;
    return config;
}

QList<qint64> tst_ClusterNodes::writeSilently(const QStringList &bodies)
{
    if (!m_store) {
        QString error;
        if (!startStore({}, &error))
            qWarning() << "silent writer:" << error;
    }
    QList<StoredMessage> messages;
    for (const QString &body : bodies)
        messages.append(msg(QStringLiteral("lobby"), body));
    QList<qint64> ids;
    for (const StoredMessage &m : appendAll(messages))
        ids.append(m.id);
    return ids;
}

bool tst_ClusterNodes::startNodes(const QString &name)
{
    useDatabase(name);
    for (std::unique_ptr<Engine> *node : {&m_a, &m_b}) {
        ServerConfig config = configFor(m_redisUrl);
        // A is named after its listener (the default), B by --node-name.
        if (node == &m_b)
            config.nodeName = QStringLiteral("node-b");
        if (node == &m_b && m_longPollHoldOnB > 0)
            config.longPollHoldMs = m_longPollHoldOnB;
        *node = std::make_unique<Engine>(config);
        if (!(*node)->start()) {
            qWarning().noquote() << "a node did not start:" << (*node)->errorString();
            return false;
        }
    }
    return true;
}

void tst_ClusterNodes::useDatabase(const QString &name)
{
    const StoreLocation location = m_postgres.createDatabase(name);
    m_location = location;
    m_database = QStringLiteral("postgresql://%1@%2:%3/%4")
                     .arg(location.user, location.host)
                     .arg(location.port)
                     .arg(location.database);
    // Each test's database is another cluster: each gets a Redis database number of its own
    // (which scopes the claim; channels carry the cluster id).
    static int redisDb = 0;
    ++redisDb;
    m_redisUrl = m_redis.url() + QStringLiteral("/%1").arg(redisDb);
}

void tst_ClusterNodes::messagesAndOtherBroadcastsCrossNodes()
{
    QVERIFY(startNodes(QStringLiteral("cross")));
    TestClient ann; // on A
    TestClient bob; // on B
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    QCOMPARE(ann.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    // The first subscriber of the room on B: its join returns once B receives the room's
    // broadcasts, so the message right after it cannot fall between history and broadcasts.
    QCOMPARE(bob.join(Lobby).value("status").toString(), QStringLiteral("ok"));

    const QJsonObject reply = ann.request(QStringLiteral("1"), Lobby, QStringLiteral("new_msg"),
                                          QJsonObject{{"body", "hello from A"}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    const qint64 id = qint64(reply.value("response").toObject().value("id").toDouble());
    const QJsonArray got = bob.waitFor([](const QJsonArray &f) { return isEvent(f, "new_msg"); });
    QVERIFY2(!got.isEmpty(), "bob on node B did not get ann's message from node A");
    QCOMPARE(got.at(4).toObject().value("body").toString(), QStringLiteral("hello from A"));
    QCOMPARE(got.at(4).toObject().value("user").toString(), QStringLiteral("ann"));
    QCOMPARE(qint64(got.at(4).toObject().value("id").toDouble()), id);

    // The other way, and a broadcast that is not a stored message (typing, broadcast_from:
    // the sender's own node leaves the sender out, the other node has no such channel).
    bob.send(QJsonArray{"1", "t1", Lobby, "typing", QJsonObject{{"typing", true}}});
    const QJsonArray typing = ann.waitFor([](const QJsonArray &f) { return isEvent(f, "typing"); });
    QVERIFY2(!typing.isEmpty(), "ann on node A did not see bob typing on node B");
    QCOMPARE(typing.at(4).toObject().value("user").toString(), QStringLiteral("bob"));
    QTest::qWait(200);
    QVERIFY(std::none_of(bob.frames().cbegin(), bob.frames().cend(),
                         [](const QJsonArray &f) { return isEvent(f, "typing"); }));

    // Each message reaches each client once: no copy comes back from Redis to its origin.
    const QJsonObject second = bob.request(QStringLiteral("1"), Lobby, QStringLiteral("new_msg"),
                                           QJsonObject{{"body", "hello from B"}});
    QCOMPARE(second.value("status").toString(), QStringLiteral("ok"));
    const qint64 secondId = qint64(second.value("response").toObject().value("id").toDouble());
    QVERIFY(!ann.waitFor([secondId](const QJsonArray &f) {
                    return isEvent(f, "new_msg") &&
                           qint64(f.at(4).toObject().value("id").toDouble()) == secondId;
                })
                 .isEmpty());
    QTest::qWait(300);
    QCOMPARE(receivedIds(ann, Lobby), (QList<qint64>{id, secondId}));
    QCOMPARE(receivedIds(bob, Lobby), (QList<qint64>{id, secondId}));
}

void tst_ClusterNodes::everyClientGetsIdOrderWhileBothNodesSend()
{
    QVERIFY(startNodes(QStringLiteral("order")));
    // Two clients on each node; the senders are one on each.
    TestClient ann, cat; // A
    TestClient bob, dan; // B
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(cat.open(m_a->port(), QStringLiteral("cat")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    QVERIFY(dan.open(m_b->port(), QStringLiteral("dan")));
    for (TestClient *client : {&ann, &cat, &bob, &dan})
        QCOMPARE(client->join(Lobby).value("status").toString(), QStringLiteral("ok"));

    constexpr int PerSender = 40;
    sendMany(ann, QStringLiteral("1"), QStringLiteral("a"), PerSender);
    sendMany(bob, QStringLiteral("1"), QStringLiteral("b"), PerSender);
    for (TestClient *client : {&ann, &cat, &bob, &dan}) {
        QTRY_COMPARE_WITH_TIMEOUT(receivedIds(*client, Lobby).size(), 2 * PerSender, 20000);
    }
    QCOMPARE(ackedIds(ann, QStringLiteral("a")).size(), PerSender);
    QCOMPARE(ackedIds(bob, QStringLiteral("b")).size(), PerSender);
    QList<qint64> acked = ackedIds(ann, QStringLiteral("a")) + ackedIds(bob, QStringLiteral("b"));
    std::sort(acked.begin(), acked.end());
    for (TestClient *client : {&ann, &cat, &bob, &dan}) {
        // Every acknowledged message, each once, in id order: the same list on every client.
        QCOMPARE(receivedIds(*client, Lobby), acked);
    }
}

void tst_ClusterNodes::aGapIsFilledFromTheDatabase()
{
    QVERIFY(startNodes(QStringLiteral("gap")));
    TestClient ann; // A
    TestClient bob; // B
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    for (TestClient *client : {&ann, &bob})
        QCOMPARE(client->join(Lobby).value("status").toString(), QStringLiteral("ok"));

    QList<qint64> expected =
        writeSilently({QStringLiteral("unheard 0"), QStringLiteral("unheard 1")});
    QCOMPARE(expected.size(), 2);
    QTest::qWait(200);
    QVERIFY(receivedIds(bob, Lobby).isEmpty());

    // ann's message names sam's last as the one before it: both nodes hold it, read the gap
    // from the database and deliver all three in order.
    const QJsonObject reply = ann.request(QStringLiteral("1"), Lobby, QStringLiteral("new_msg"),
                                          QJsonObject{{"body", "after the gap"}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    expected.append(qint64(reply.value("response").toObject().value("id").toDouble()));
    QTRY_COMPARE_WITH_TIMEOUT(receivedIds(bob, Lobby), expected, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(receivedIds(ann, Lobby), expected, 5000);
}

void tst_ClusterNodes::whatANodeMissedWhileRedisWasAwayIsFilled()
{
    QVERIFY(startNodes(QStringLiteral("outage")));
    TestClient ann; // A
    TestClient bob; // B
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    for (TestClient *client : {&ann, &bob})
        QCOMPARE(client->join(Lobby).value("status").toString(), QStringLiteral("ok"));
    const QJsonObject before = ann.request(QStringLiteral("1"), Lobby, QStringLiteral("new_msg"),
                                           QJsonObject{{"body", "before"}});
    QCOMPARE(before.value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(receivedIds(bob, Lobby).size(), 1, 5000);

    QCOMPARE(healthStatus(m_a->port()), 200);
    // Redis goes away (a crash: nothing kept). Messages are committed meanwhile by the writer
    // that never publishes: after the outage the nodes can learn of them only by reading.
    m_redis.kill();
    // Cut off from Redis for 2 s, a node tells the balancer (503) while it goes on serving.
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(m_a->port()), 503, 8000);
    const QList<qint64> during = writeSilently(
        {QStringLiteral("during 0"), QStringLiteral("during 1"), QStringLiteral("during 2")});
    QCOMPARE(during.size(), 3);

    // Redis is back, empty. Each node redials, subscribes the room again, finds the database
    // ahead of what it delivered and sends its clients the missed messages in order, without
    // a rejoin and without any later message to reveal the gap.
    QVERIFY2(m_redis.restart(), qPrintable(m_redis.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(m_b->port()), 200, 8000);
    QTRY_COMPARE_WITH_TIMEOUT(receivedIds(bob, Lobby).size(), 4, 15000);
    QCOMPARE(receivedIds(bob, Lobby).mid(1), during);
    QTRY_COMPARE_WITH_TIMEOUT(receivedIds(ann, Lobby).size(), 4, 15000);
    QCOMPARE(receivedIds(ann, Lobby).mid(1), during);

    // And live again both ways.
    const QJsonObject after = bob.request(QStringLiteral("1"), Lobby, QStringLiteral("new_msg"),
                                          QJsonObject{{"body", "after"}});
    QCOMPARE(after.value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(receivedIds(ann, Lobby).size(), 5, 10000);
    QCOMPARE(receivedIds(ann, Lobby), receivedIds(bob, Lobby));
}

void tst_ClusterNodes::changesMadeWhileRedisWasAwayBringARejoin()
{
    QVERIFY(startNodes(QStringLiteral("changes")));
    TestClient bob; // B
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    const QList<qint64> ids = writeSilently({QStringLiteral("as first written")});
    QCOMPARE(ids.size(), 1);
    const QJsonObject joined = bob.join(Lobby);
    QCOMPARE(joined.value("status").toString(), QStringLiteral("ok"));
    const qint64 changeSeq =
        qint64(joined.value("response").toObject().value("change_seq").toDouble());

    // Redis goes away; meanwhile the message is edited by a writer that never publishes, as
    // another node's edit whose broadcast went out before this node had subscribed again.
    m_redis.kill();
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(m_b->port()), 503, 8000);
    MessageChange edit{MessageChange::Kind::Edit, ids.first(), QStringLiteral("lobby")};
    edit.body = QStringLiteral("edited while Redis was away");
    edit.at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    QVERIFY(changeNow(edit).changed);

    // Back: B finds the room's changes moved and asks bob to rejoin (phoenix.js does so on
    // phx_error); his rejoin with last_change_seq brings the edited message.
    QVERIFY2(m_redis.restart(), qPrintable(m_redis.errorString()));
    const QJsonArray error = bob.waitFor(
        [](const QJsonArray &f) { return isEvent(f, "phx_error") && f.at(2).toString() == Lobby; },
        15000);
    QVERIFY2(!error.isEmpty(), "B did not ask bob to rejoin after changes it could have missed");
    const QJsonObject rejoined = bob.request(
        QStringLiteral("9"), Lobby, QStringLiteral("phx_join"),
        QJsonObject{{"last_seen_id", double(ids.first())}, {"last_change_seq", double(changeSeq)}});
    QCOMPARE(rejoined.value("status").toString(), QStringLiteral("ok"));
    const QJsonArray changes = rejoined.value("response").toObject().value("changes").toArray();
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.first().toObject().value("body").toString(),
             QStringLiteral("edited while Redis was away"));
}

void tst_ClusterNodes::presenceConvergesAcrossNodes()
{
    QVERIFY(startNodes(QStringLiteral("presence")));
    TestClient ann; // A
    TestClient bob; // B
    TestClient cat; // B, later
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    QVERIFY(cat.open(m_b->port(), QStringLiteral("cat")));
    QCOMPARE(ann.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(presenceState(ann, Lobby), QStringList{"ann"}, 5000);

    // bob's node had nobody in the room: its first join snapshots the room's presence from
    // Redis before the reply, so bob's state has ann; ann hears of bob through Redis.
    QCOMPARE(bob.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(presenceState(bob, Lobby), (QStringList{"ann", "bob"}), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(ann, Lobby, "joins").contains("bob"), 5000);

    // A second joiner on B: the state comes from B's own copy.
    QCOMPARE(cat.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(presenceState(cat, Lobby), (QStringList{"ann", "bob", "cat"}), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(ann, Lobby, "joins").contains("cat"), 5000);

    // Leaving on A reaches B's clients; leaving on B reaches A's.
    ann.send(QJsonArray{"1", "9", Lobby, "phx_leave", QJsonObject()});
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(bob, Lobby, "leaves").contains("ann"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(cat, Lobby, "leaves").contains("ann"), 5000);
    bob.send(QJsonArray{"1", "9", Lobby, "phx_leave", QJsonObject()});
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(cat, Lobby, "leaves").contains("bob"), 5000);

    // A newcomer on A sees exactly who is left, in the cluster.
    TestClient dan;
    QVERIFY(dan.open(m_a->port(), QStringLiteral("dan")));
    QCOMPARE(dan.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(presenceState(dan, Lobby), (QStringList{"cat", "dan"}), 5000);
}

void tst_ClusterNodes::theRoomListIsTheClustersOnEveryNode()
{
    QVERIFY(startNodes(QStringLiteral("roomlist")));
    const QString Rooms = QStringLiteral("chatter:rooms");
    TestClient ann; // A
    TestClient bob; // B, watching the room list
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    QCOMPARE(bob.join(Rooms).value("status").toString(), QStringLiteral("ok"));
    const QString far = QStringLiteral("chatter:room:far");
    QCOMPARE(ann.join(far).value("status").toString(), QStringLiteral("ok"));
    const QJsonObject sent = ann.request(QStringLiteral("1"), far, QStringLiteral("new_msg"),
                                         QJsonObject{{"body", "somewhere else"}});
    QCOMPARE(sent.value("status").toString(), QStringLiteral("ok"));
    // A's room_update reaches B's watcher through Redis...
    const QJsonArray update = bob.waitFor([](const QJsonArray &f) {
        return isEvent(f, "room_update") &&
               f.at(4).toObject().value("name").toString() == QLatin1String("far") &&
               f.at(4).toObject().value("messages").toInt() == 1;
    });
    QVERIFY2(!update.isEmpty(), "bob on B got no room_update for a room on A");
    // ...and B's own list, which a client joining the room list there gets, has the room with
    // its member and message although nobody on B is in it.
    TestClient cat; // B
    QVERIFY(cat.open(m_b->port(), QStringLiteral("cat")));
    const QJsonObject listed = cat.join(Rooms);
    QCOMPARE(listed.value("status").toString(), QStringLiteral("ok"));
    QJsonObject entry;
    for (const QJsonValue &room : listed.value("response").toObject().value("rooms").toArray())
        if (room.toObject().value("name").toString() == QLatin1String("far"))
            entry = room.toObject();
    QVERIFY2(!entry.isEmpty(), "the room list on B does not have the room whose members are on A");
    QCOMPARE(entry.value("members").toInt(), 1);
    QCOMPARE(entry.value("messages").toInt(), 1);
    QCOMPARE(qint64(entry.value("last_message_id").toDouble()),
             qint64(sent.value("response").toObject().value("id").toDouble()));
}

void tst_ClusterNodes::aStoppedNodesPresenceLeavesAtOnce()
{
    QVERIFY(startNodes(QStringLiteral("stopped")));
    TestClient ann; // A
    TestClient bob; // B
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    QCOMPARE(ann.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(bob.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(ann, Lobby, "joins").contains("bob"), 5000);

    // B stops (SIGTERM's path): its heartbeat key goes first, so A drops bob at its next look,
    // long before the 15 s timeout these nodes run with.
    m_b->stop();
    m_b.reset();
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(ann, Lobby, "leaves").contains("bob"), 5000);
    QCOMPARE(diffKeys(ann, Lobby, "leaves").count("bob"), 1);
}

void tst_ClusterNodes::aKilledNodesPresenceLeavesAfterTheTimeout()
{
    QVERIFY(startNodes(QStringLiteral("killed")));
    // A third node as its own process, with a short timeout on A's side too: A is the one
    // that must notice. (A's timeout is the one that counts: B's key is written with B's.)
    const quint16 port = freePort();
    QTemporaryDir dir;
    const pid_t node = childprocess::spawn(
        {QStringLiteral(CHATTER_SERVER_BIN), "--headless", "--bind", "127.0.0.1", "--port",
         QString::number(port), "--data-dir", dir.filePath("data"), "--database", m_database,
         "--redis", m_redisUrl, "--search", "off", "--node-timeout-ms", "1500", "--workers", "1",
         "--no-announce"},
        dir.filePath("node.log"));
    QVERIFY(node > 0);
    // Whatever fails below, the process goes (a killed one is only reaped).
    const auto stopNode = qScopeGuard([node] { childprocess::stop(node, 2000); });
    TestClient ann; // A
    TestClient zed; // the process
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QTRY_VERIFY_WITH_TIMEOUT(zed.open(port, QStringLiteral("zed")), 15000);
    QCOMPARE(ann.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(zed.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(ann, Lobby, "joins").contains("zed"), 5000);

    // kill -9: no goodbye. Its heartbeat key expires after 1.5 s; A looks every second.
    ::kill(node, SIGKILL);
    QCOMPARE(childprocess::waitExit(node, 5000), -1);
    QTRY_VERIFY_WITH_TIMEOUT(diffKeys(ann, Lobby, "leaves").contains("zed"), 10000);
    QCOMPARE(diffKeys(ann, Lobby, "leaves").count("zed"), 1);
    // And someone reaped its fields: a newcomer's snapshot has only ann.
    TestClient dan;
    QVERIFY(dan.open(m_b->port(), QStringLiteral("dan")));
    QCOMPARE(dan.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QTRY_COMPARE_WITH_TIMEOUT(presenceState(dan, Lobby), (QStringList{"ann", "dan"}), 5000);
}

void tst_ClusterNodes::longPollSessionsAreServedThroughAnyNode()
{
    // B would wait 62 s for an answer from a node that never answers: the 410 at the end
    // comes from Redis counting no receiver, not from that wait.
    m_longPollHoldOnB = 60000;
    QVERIFY(startNodes(QStringLiteral("longpoll")));
    // A balancer that does not stick: the session is opened on A, then every request goes to B.
    const QJsonObject opened = longPoll(m_a->port(), "GET", QString());
    QCOMPARE(opened.value("status").toInt(), 410);
    const QString token = opened.value("token").toString();
    QVERIFY(!token.isEmpty());

    const QByteArray join = R"(["1","1","chatter:room:lobby","phx_join",{}])";
    QCOMPARE(longPoll(m_b->port(), "POST", token, join).value("status").toInt(), 200);
    QList<QJsonArray> frames;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            frames += polled(longPoll(m_b->port(), "GET", token));
            return std::any_of(frames.cbegin(), frames.cend(), [](const QJsonArray &f) {
                return isEvent(f, "phx_reply") && f.at(1).toString() == QLatin1String("1");
            });
        }(),
        10000);

    // A message from a WebSocket client of A reaches the session (A's), read through B.
    TestClient ann;
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QCOMPARE(ann.join(Lobby).value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(ann.request(QStringLiteral("1"), Lobby, QStringLiteral("new_msg"),
                         QJsonObject{{"body", "to the poller"}})
                 .value("status")
                 .toString(),
             QStringLiteral("ok"));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            frames += polled(longPoll(m_b->port(), "GET", token));
            return std::any_of(frames.cbegin(), frames.cend(), [](const QJsonArray &f) {
                return isEvent(f, "new_msg") && f.at(4).toObject().value("body").toString() ==
                                                    QLatin1String("to the poller");
            });
        }(),
        10000);

    // The session's node is gone (nobody listens on its inbox): B answers 410 at once, and
    // phoenix.js would open a new session.
    m_a->stop();
    m_a.reset();
    QCOMPARE(longPoll(m_b->port(), "GET", token, {}, 10000).value("status").toInt(), 410);
}

void tst_ClusterNodes::aNodeOnAnotherRedisIsRefused()
{
    QVERIFY(startNodes(QStringLiteral("tworedis")));
    // The same database, another Redis by mistake: the two would each be half a cluster.
    RedisInstance other;
    QVERIFY2(other.start(), qPrintable(other.errorString()));
    Engine stray(configFor(other.url()));
    QVERIFY(!stray.start());
    QVERIFY2(stray.errorString().contains(QLatin1String("no heartbeat in Redis")),
             qPrintable(stray.errorString()));
    QCOMPARE(stray.port(), quint16(0));
    stray.stop();
    // The nodes on the right Redis go on, and a third one there is welcome.
    Engine third(configFor(m_redisUrl));
    QVERIFY2(third.start(), qPrintable(third.errorString()));
    third.stop();
}

void tst_ClusterNodes::aNodeWithoutRedisAndNodesWithItDoNotMix()
{
    // Started without --redis on a cluster's database by mistake: its clients and the
    // cluster's would never see each other's messages. Refused, naming what is missing.
    QVERIFY(startNodes(QStringLiteral("mixed")));
    Engine solo(configFor(QString()));
    QVERIFY(!solo.start());
    QVERIFY2(solo.errorString().contains(QLatin1String("with --redis")),
             qPrintable(solo.errorString()));
    QCOMPARE(solo.port(), quint16(0));
    solo.stop();
    // The other way round, on another database of the same PostgreSQL server (where the
    // nodes above, still live, do not count): a node without --redis is live; one with
    // --redis is refused.
    useDatabase(QStringLiteral("mixed2"));
    Engine alone(configFor(QString()));
    QVERIFY2(alone.start(), qPrintable(alone.errorString()));
    Engine clustered(configFor(m_redisUrl));
    QVERIFY(!clustered.start());
    QVERIFY2(clustered.errorString().contains(QLatin1String("without --redis")),
             qPrintable(clustered.errorString()));
    clustered.stop();
    alone.stop();
    // Once it is gone, the cluster may start.
    Engine first(configFor(m_redisUrl));
    QVERIFY2(first.start(), qPrintable(first.errorString()));
    first.stop();
}

void tst_ClusterNodes::failedLoginsAreCountedAcrossNodes()
{
    QVERIFY(startNodes(QStringLiteral("logins")));
    QCOMPARE(postJson(m_a->port(), "/api/accounts",
                      {{"user", "dora"}, {"password", "correct horse battery"}}),
             201);
    // Five wrong passwords per address, then one per 30 s (docs/identity.md): going round the
    // nodes does not buy more. Three on each node: the sixth is refused wherever it lands.
    QList<int> statuses;
    for (int i = 0; i < 6; ++i)
        statuses.append(
            postJson(i % 2 == 0 ? m_a->port() : m_b->port(), "/api/sessions",
                     {{"user", "dora"}, {"password", QStringLiteral("wrong %1").arg(i)}}));
    QCOMPARE(statuses, (QList<int>{401, 401, 401, 401, 401, 429}));
    // The right password is refused too while the address has no tries left, on either node.
    QCOMPARE(postJson(m_b->port(), "/api/sessions",
                      {{"user", "dora"}, {"password", "correct horse battery"}}),
             429);
}

void tst_ClusterNodes::kicksAndSocketIdDisconnectsCloseSocketsOnEveryNode()
{
    QVERIFY(startNodes(QStringLiteral("kicks")));
    // A counts the closes of the nodes it knows (from their counters, every 2 s).
    QTRY_VERIFY_WITH_TIMEOUT(nodeNamed(*m_a, QStringLiteral("node-b")).has_value(), 10000);
    TestClient bobOnA, bobOnB, cat, ann;
    QVERIFY(bobOnA.open(m_a->port(), QStringLiteral("bob")));
    QVERIFY(bobOnB.open(m_b->port(), QStringLiteral("bob")));
    QVERIFY(cat.open(m_b->port(), QStringLiteral("cat")));
    QVERIFY(ann.open(m_b->port(), QStringLiteral("ann")));

    // A kick on A (what chatter:admin's kick does) closes bob on both nodes, each once, and
    // its count is the cluster's.
    int closed = -1;
    m_a->closeIdentity(QStringLiteral("bob"), QStringLiteral("kicked by an administrator"), nullptr,
                       [&closed](int count) { closed = count; });
    QVERIFY2(bobOnB.waitClosed(5000), "the kick on node A did not close bob's socket on B");
    QVERIFY(bobOnA.waitClosed(5000));
    QCOMPARE(bobOnB.closeCode(), 1001);
    QTRY_COMPARE_WITH_TIMEOUT(closed, 2, 5000);

    // Phoenix's disconnect of a socket id, asked on A, closes cat's socket on B.
    m_a->disconnectSocketId(QStringLiteral("user_socket:cat"));
    QVERIFY2(cat.waitClosed(5000), "a socket-id disconnect on A did not close cat's socket on B");
    QCOMPARE(cat.closeCode(), 1001);
    QTest::qWait(300);
    QVERIFY(!ann.isClosed());
}

void tst_ClusterNodes::bansCloseSocketsOnEveryNode()
{
    QVERIFY(startNodes(QStringLiteral("bans")));
    // A nickname ban on A closes eve's socket on B at once (a reload of B's bans would be later).
    TestClient eve, ann;
    QVERIFY(eve.open(m_b->port(), QStringLiteral("eve")));
    QVERIFY(ann.open(m_b->port(), QStringLiteral("ann"))); // from 127.0.0.1
    m_a->banNickname(QStringLiteral("eve"), 10, QStringLiteral("spam"));
    QVERIFY2(eve.waitClosed(3000), "a nickname ban on A did not close eve's socket on B");

    // An address ban on A closes B's socket from that address, and only that one.
    const QHostAddress second(QStringLiteral("127.0.0.2"));
    QTcpSocket fromSecond;
    QVERIFY(upgradeFrom(fromSecond, m_b->port(), second, "mal"));
    m_a->banAddress(second, 10, QStringLiteral("flood"));
    QVERIFY2(httpexchange::waitClosed(fromSecond, 3000),
             "an address ban on A did not close B's socket from that address");
    QTest::qWait(300);
    QVERIFY(!ann.isClosed());
}

void tst_ClusterNodes::theNodeTableListsTheOtherNodes()
{
    QVERIFY(startNodes(QStringLiteral("nodes")));
    TestClient bob, cat;
    QVERIFY(bob.open(m_b->port(), QStringLiteral("bob")));
    QVERIFY(cat.open(m_b->port(), QStringLiteral("cat")));
    // B's counters reach A within a tick or two; the table names B by its --node-name.
    QSignalSpy changed(m_a.get(), &Engine::nodesChanged);
    QTRY_VERIFY_WITH_TIMEOUT(nodeNamed(*m_a, QStringLiteral("node-b")).has_value() &&
                                 nodeNamed(*m_a, QStringLiteral("node-b"))->connections == 2,
                             10000);
    QVERIFY(!changed.isEmpty());
    const NodeRow b = *nodeNamed(*m_a, QStringLiteral("node-b"));
    QVERIFY(!b.self);
    QCOMPARE(b.address, QStringLiteral("127.0.0.1:%1").arg(m_b->port()));
    QVERIFY(b.startedAt.isValid());
    // A itself comes first, named after its listener.
    const QString nameOfA = QStringLiteral("127.0.0.1:%1").arg(m_a->port());
    QCOMPARE(m_a->nodeName(), nameOfA);
    QVERIFY(m_a->nodes().first().self);
    QCOMPARE(m_a->nodes().first().name, nameOfA);
    QTRY_VERIFY_WITH_TIMEOUT(nodeNamed(*m_b, nameOfA).has_value(), 10000);

    // A stopped node's heartbeat goes with it: it leaves the table at the next tick.
    m_b->stop();
    m_b.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!nodeNamed(*m_a, QStringLiteral("node-b")).has_value(), 6000);
    QCOMPARE(m_a->nodes().size(), 1);
}

void tst_ClusterNodes::anotherNodesSocketsAreListedAndDisconnected()
{
    QVERIFY(startNodes(QStringLiteral("listing")));
    TestClient ann, dan;
    QVERIFY(ann.open(m_a->port(), QStringLiteral("ann")));
    QVERIFY(dan.open(m_b->port(), QStringLiteral("dan")));
    QTRY_VERIFY_WITH_TIMEOUT(nodeNamed(*m_a, QStringLiteral("node-b")).has_value(), 10000);
    const QString idOfB = nodeNamed(*m_a, QStringLiteral("node-b"))->id;

    // The monitor's snapshots on A list B's sockets (asked for on B's inbox, at most once a
    // second) with their node, and A's own with A's name.
    QList<SocketRow> dans;
    QTRY_VERIFY_WITH_TIMEOUT(
        !(dans = snapshotRows(*m_a, [](const SocketRow &r) { return r.user == "dan"; })).isEmpty(),
        10000);
    QCOMPARE(dans.size(), 1);
    QCOMPARE(dans.first().node, QStringLiteral("node-b"));
    QCOMPARE(dans.first().nodeId, idOfB);
    QVERIFY(dans.first().peer.startsWith(QLatin1String("127.0.0.1:")));
    const QList<SocketRow> anns =
        snapshotRows(*m_a, [](const SocketRow &r) { return r.user == "ann"; });
    QCOMPARE(anns.size(), 1);
    QCOMPARE(anns.first().node, m_a->nodeName());
    QVERIFY(anns.first().nodeId.isEmpty());

    // Disconnecting that row from A's monitor closes dan's socket on B.
    m_a->disconnectSocket(dans.first().nodeId, dans.first().id);
    QVERIFY2(dan.waitClosed(5000), "a disconnect of B's socket from A's monitor did not close it");
    QVERIFY(!ann.isClosed());
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_ClusterNodes test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_clusternodes.moc"
