// SPDX-License-Identifier: MIT
#include "accountdirectory.h"
#include "conversations.h"
#include "engine.h"
#include "httpexchange.h"
#include "nicknamepolicy.h"
#include "postgresinstance.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTest>

#include <atomic>
#include <memory>

using namespace chatter::server;

//! What one node changes in the tables every node keeps in memory reaches the others through
//! PostgreSQL's LISTEN/NOTIFY (ChangeFeed; docs/cluster.md, "What nodes keep in memory"): two
//! engines on one real PostgreSQL database the test starts, no Redis (the feed needs none).
//! Accounts and sessions made on one node open sockets on the other; a session ended, a ban
//! made or a member removed on one closes or removes sockets on the other.
class tst_ChangeFeed : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void accountsAndSessionsMadeOnOneNodeWorkOnTheOther();
    void aSessionEndedOnOneNodeClosesItsSocketsOnTheOther();
    void aBanOnOneNodeClosesAndRefusesOnTheOther();
    void aRoomMadePrivateOnOneNodeRemovesOutsidersOnTheOther();
    void readMarkersFollowAcrossNodes();

private:
    PostgresInstance m_postgres;
    std::unique_ptr<Engine> m_a;
    std::unique_ptr<Engine> m_b;
};

namespace {

struct HttpAnswer
{
    int status = 0;
    QJsonObject body;
};

HttpAnswer request(quint16 port, const QByteArray &method, const QByteArray &path,
                   const QJsonObject &body = {}, const QString &bearer = {})
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return {};
    const QByteArray json =
        body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    QByteArray head = method + ' ' + path +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                      "\r\nContent-Type: application/json\r\n";
    if (!bearer.isEmpty())
        head += "Authorization: Bearer " + bearer.toUtf8() + "\r\n";
    socket.write(head + "Content-Length: " + QByteArray::number(json.size()) + "\r\n\r\n" + json);
    const QByteArray response = httpexchange::readResponse(socket, 20000);
    return {httpexchange::statusOf(response),
            QJsonDocument::fromJson(httpexchange::bodyOf(response)).object()};
}

QUrl sessionUrl(quint16 port, const QString &token)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&session=%2")
                    .arg(port)
                    .arg(token));
}

bool joined(TestClient &client, const QString &topic)
{
    return client.join(topic).value(QLatin1String("status")).toString() == QLatin1String("ok");
}

} // namespace

void tst_ChangeFeed::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

void tst_ChangeFeed::init()
{
    static int databases = 0;
    const StoreLocation location =
        m_postgres.createDatabase(QStringLiteral("feed%1").arg(++databases));
    ServerConfig config = loopbackTestConfig();
    config.database = QStringLiteral("postgresql://%1@%2:%3/%4")
                          .arg(location.user, location.host)
                          .arg(location.port)
                          .arg(location.database);
    config.search = false;
    config.minimumPasswordCost = true;
    for (std::unique_ptr<Engine> *node : {&m_a, &m_b}) {
        *node = std::make_unique<Engine>(config);
        QVERIFY2((*node)->start(), qPrintable((*node)->errorString()));
    }
}

void tst_ChangeFeed::cleanup()
{
    for (std::unique_ptr<Engine> *node : {&m_a, &m_b}) {
        if (*node)
            (*node)->stop();
        node->reset();
    }
}

void tst_ChangeFeed::accountsAndSessionsMadeOnOneNodeWorkOnTheOther()
{
    // Registered on A: B learns the account and its session without a restart.
    const HttpAnswer registered = request(m_a->port(), "POST", "/api/accounts",
                                          {{"user", "dora"}, {"password", "correct horse 1"}});
    QCOMPARE(registered.status, 201);
    const QString token = registered.body.value(QLatin1String("token")).toString();
    TestClient dora;
    QVERIFY(dora.openUrl(sessionUrl(m_b->port(), token)));
    QVERIFY(joined(dora, QStringLiteral("chatter:room:lobby")));
    // B knows her password too: a login there works.
    QCOMPARE(request(m_b->port(), "POST", "/api/sessions",
                     {{"user", "dora"}, {"password", "correct horse 1"}})
                 .status,
             200);
    // A guest session made on B opens on A; its nickname is held on A as well.
    const HttpAnswer guest = request(m_b->port(), "POST", "/api/guests", {{"user", "gil"}});
    QCOMPARE(guest.status, 201);
    TestClient gil;
    QVERIFY(
        gil.openUrl(sessionUrl(m_a->port(), guest.body.value(QLatin1String("token")).toString())));
    QVERIFY(joined(gil, QStringLiteral("chatter:room:lobby")));
    QCOMPARE(request(m_a->port(), "POST", "/api/guests", {{"user", "gil"}}).status, 409);
}

void tst_ChangeFeed::aSessionEndedOnOneNodeClosesItsSocketsOnTheOther()
{
    const HttpAnswer registered = request(m_a->port(), "POST", "/api/accounts",
                                          {{"user", "olga"}, {"password", "correct horse 2"}});
    QCOMPARE(registered.status, 201);
    const QString token = registered.body.value(QLatin1String("token")).toString();
    TestClient onB;
    QVERIFY(onB.openUrl(sessionUrl(m_b->port(), token)));
    QVERIFY(joined(onB, QStringLiteral("chatter:room:lobby")));
    // Signed out on A: the socket on B closes (1008) and B refuses the token from then on.
    QCOMPARE(request(m_a->port(), "DELETE", "/api/sessions", {}, token).status, 200);
    QVERIFY(onB.waitClosed(8000));
    QCOMPARE(onB.closeCode(), 1008);
    TestClient again;
    QVERIFY(!again.openUrl(sessionUrl(m_b->port(), token)));
}

void tst_ChangeFeed::aBanOnOneNodeClosesAndRefusesOnTheOther()
{
    TestClient eve;
    QVERIFY(eve.open(m_b->port(), QStringLiteral("eve")));
    QVERIFY(joined(eve, QStringLiteral("chatter:room:lobby")));
    m_a->banNickname(QStringLiteral("eve"), 0, QStringLiteral("spam"), QStringLiteral("admin"));
    // B closes her socket and refuses her (and a look-alike) from then on.
    QVERIFY(eve.waitClosed(8000));
    TestClient lookAlike;
    QVERIFY(!lookAlike.open(m_b->port(), QStringLiteral("EVE")));
    // Both nodes list the one ban under the id the database gave it.
    QTRY_COMPARE_WITH_TIMEOUT(m_b->activeBans().size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_a->activeBans().value(0).id, m_b->activeBans().value(0).id, 5000);
    QVERIFY(m_b->activeBans().value(0).id > 0);
    // Lifted on B: A lets her in again.
    QVERIFY(m_b->liftBan(m_b->activeBans().value(0).id));
    QTRY_VERIFY_WITH_TIMEOUT(m_a->activeBans().isEmpty(), 5000);
    TestClient back;
    QVERIFY(back.open(m_a->port(), QStringLiteral("eve")));
}

void tst_ChangeFeed::aRoomMadePrivateOnOneNodeRemovesOutsidersOnTheOther()
{
    TestClient gus;
    QVERIFY(gus.open(m_b->port(), QStringLiteral("gus")));
    QVERIFY(joined(gus, QStringLiteral("chatter:room:vault")));
    Conversations::PrivateRoom vault;
    vault.name = QStringLiteral("vault");
    QVERIFY(m_a->conversations().createPrivate(vault));
    QTRY_VERIFY_WITH_TIMEOUT(m_b->conversations().isPrivate(QStringLiteral("vault")), 5000);
    // A guest is nobody's member: B takes him out of the room (phx_close).
    const QJsonArray closed = gus.waitFor([](const QJsonArray &frame) {
        return frame.size() == 5 && frame.at(2).toString() == QLatin1String("chatter:room:vault") &&
               frame.at(3).toString() == QLatin1String("phx_close");
    });
    QVERIFY2(!closed.isEmpty(), "gus on node B was not removed from the room made private on A");
}

void tst_ChangeFeed::readMarkersFollowAcrossNodes()
{
    const HttpAnswer registered = request(m_a->port(), "POST", "/api/accounts",
                                          {{"user", "rita"}, {"password", "correct horse 3"}});
    QCOMPARE(registered.status, 201);
    TestClient rita;
    QVERIFY(rita.openUrl(
        sessionUrl(m_a->port(), registered.body.value(QLatin1String("token")).toString())));
    const QString topic = QStringLiteral("chatter:room:notes");
    QVERIFY(joined(rita, topic));
    rita.send(QJsonArray{"1", "m1", topic, "new_msg", QJsonObject{{"body", "remember"}}});
    const QJsonArray ack = rita.waitFor([](const QJsonArray &frame) {
        return frame.size() == 5 && frame.at(1).toString() == QLatin1String("m1");
    });
    QVERIFY(!ack.isEmpty());
    const qint64 id =
        qint64(ack.at(4).toObject().value("response").toObject().value("id").toDouble());
    QVERIFY(id > 0);
    const auto account =
        m_a->accounts().accountByKeys(NicknamePolicy::keys(QStringLiteral("rita")).keys());
    QVERIFY(account);
    // Answered on the store thread (no mailbox given).
    auto stored = std::make_shared<std::atomic<bool>>(false);
    m_a->conversations().markRead(account->id, QStringLiteral("rita"), QStringLiteral("notes"), id,
                                  nullptr, [stored](qint64 marker, int) { *stored = marker > 0; });
    QTRY_VERIFY_WITH_TIMEOUT(stored->load(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_b->conversations().readState(account->id, QStringLiteral("notes")).lastReadId, id, 5000);

    // Two markers at once on two nodes: a second message read on A, the first (older) one
    // read on B before B's feed has told it: the marker stays on the newer one (the database
    // clamps, whatever B's memory believed), and B answers with it.
    rita.send(QJsonArray{"1", "m2", topic, "new_msg", QJsonObject{{"body", "and this"}}});
    const QJsonArray ack2 = rita.waitFor([](const QJsonArray &frame) {
        return frame.size() == 5 && frame.at(1).toString() == QLatin1String("m2");
    });
    QVERIFY(!ack2.isEmpty());
    const qint64 newer =
        qint64(ack2.at(4).toObject().value("response").toObject().value("id").toDouble());
    auto onA = std::make_shared<std::atomic<qint64>>(0);
    auto onB = std::make_shared<std::atomic<qint64>>(0);
    m_a->conversations().markRead(account->id, QStringLiteral("rita"), QStringLiteral("notes"),
                                  newer, nullptr, [onA](qint64 marker, int) { *onA = marker; });
    QTRY_COMPARE_WITH_TIMEOUT(onA->load(), newer, 5000);
    m_b->conversations().markRead(account->id, QStringLiteral("rita"), QStringLiteral("notes"), id,
                                  nullptr, [onB](qint64 marker, int) { *onB = marker; });
    QTRY_VERIFY_WITH_TIMEOUT(onB->load() != 0, 5000);
    QCOMPARE(onB->load(), newer);
    QTRY_COMPARE_WITH_TIMEOUT(
        m_a->conversations().readState(account->id, QStringLiteral("notes")).lastReadId, newer,
        5000);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_ChangeFeed test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_changefeed.moc"
