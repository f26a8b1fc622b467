// SPDX-License-Identifier: MIT
#include "redisconnection.h"
#include "redisinstance.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>

using namespace chatter::server;

//! RedisConnection over a real redis-server (RedisInstance): commands, publish/subscribe, the
//! redial and resubscription after Redis dies, failures for what was pending, and the
//! connect and PING timeouts (docs/cluster.md, "Redis"). The connections live on the test's
//! main thread.
class tst_RedisConnection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void commandRoundTripIsBinarySafe();
    void selectsTheDatabaseOfTheUrl();
    void publishReachesAConfirmedSubscription();
    void redialsAndResubscribesAfterRedisRestarts();
    void pendingCommandFailsWhenRedisDies();
    void unansweredPingDropsAndFailsPending();
    void commandWhileDisconnectedFailsFromTheEventLoop();
    void connectTimeoutWhenNobodyAnswers();
    void missingSocketFileFailsAndRedials();

private:
    RedisLocation location() const;
    std::unique_ptr<RedisConnection> connected(RedisConnection::Role role);
    RedisInstance m_redis;
};

namespace {

//! Sends `arguments` and waits for the reply (at most 10 s).
std::optional<RedisReply> roundTrip(RedisConnection &connection, QList<QByteArray> arguments)
{
    std::optional<RedisReply> reply;
    connection.command(arguments, [&reply](const RedisReply &r) { reply = r; });
    if (!QTest::qWaitFor([&reply] { return reply.has_value(); }, 10000))
        return std::nullopt;
    return reply;
}

//! Subscribes and waits for Redis's confirmation; false if refused or not within 10 s.
bool subscribeConfirmed(RedisConnection &subscriber, const QByteArray &channel)
{
    std::optional<bool> confirmed;
    subscriber.subscribe(channel, [&confirmed](bool ok, const QString &) { confirmed = ok; });
    return QTest::qWaitFor([&confirmed] { return confirmed.has_value(); }, 10000) && *confirmed;
}

} // namespace

void tst_RedisConnection::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void tst_RedisConnection::init()
{
    // A test that stopped or paused Redis and failed midway leaves it running for the next.
    m_redis.resume();
    if (m_redis.pid() == 0)
        QVERIFY2(m_redis.restart(), qPrintable(m_redis.errorString()));
}

RedisLocation tst_RedisConnection::location() const
{
    return *RedisLocation::parse(m_redis.url());
}

std::unique_ptr<RedisConnection> tst_RedisConnection::connected(RedisConnection::Role role)
{
    auto connection = std::make_unique<RedisConnection>(location(), role);
    QSignalSpy up(connection.get(), &RedisConnection::connected);
    connection->start();
    if (!up.wait(10000) && up.isEmpty())
        qWarning("not connected: %s", qPrintable(connection->lastError()));
    return connection;
}

void tst_RedisConnection::commandRoundTripIsBinarySafe()
{
    auto redis = connected(RedisConnection::Role::Commands);
    QVERIFY(redis->isConnected());
    const QByteArray value("a\0b\r\n\xff tail", 11);
    auto reply = roundTrip(*redis, {"SET", QByteArray("key\0with nul", 12), value});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::Status);
    QCOMPARE(reply->text, QByteArray("OK"));
    reply = roundTrip(*redis, {"GET", QByteArray("key\0with nul", 12)});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::String);
    QCOMPARE(reply->text, value);
    // The key without its tail is another key.
    reply = roundTrip(*redis, {"GET", "key"});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::Nil);
    // Redis's own error comes back as an error reply, and the connection stays.
    reply = roundTrip(*redis, {"INCR", QByteArray("key\0with nul", 12)});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::Error);
    QVERIFY2(reply->errorString().contains(QLatin1String("not an integer")),
             qPrintable(reply->errorString()));
    reply = roundTrip(*redis, {"RPUSH", "list", "x", "y"});
    QVERIFY(reply);
    QCOMPARE(reply->integer, 2);
    reply = roundTrip(*redis, {"LRANGE", "list", "0", "-1"});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::Array);
    QCOMPARE(reply->elements.size(), 2);
    QCOMPARE(reply->elements.at(1).text, QByteArray("y"));
    QVERIFY(redis->isConnected());
}

void tst_RedisConnection::selectsTheDatabaseOfTheUrl()
{
    RedisLocation inDb3 = location();
    inDb3.database = 3;
    RedisConnection three(inDb3, RedisConnection::Role::Commands);
    QSignalSpy up(&three, &RedisConnection::connected);
    three.start();
    QVERIFY(up.wait(10000));
    QVERIFY(roundTrip(three, {"SET", "where", "three"}));
    auto zero = connected(RedisConnection::Role::Commands);
    auto reply = roundTrip(*zero, {"GET", "where"});
    QVERIFY(reply);
    QCOMPARE(reply->type, RedisReply::Type::Nil);
    reply = roundTrip(*zero, {"SELECT", "3"});
    QVERIFY(reply && reply->ok());
    reply = roundTrip(*zero, {"GET", "where"});
    QVERIFY(reply);
    QCOMPARE(reply->text, QByteArray("three"));

    // A database Redis does not have (16 by default): the connection never counts as up, and
    // says why.
    RedisLocation tooFar = location();
    tooFar.database = 999;
    RedisConnection refused(tooFar, RedisConnection::Role::Commands);
    QSignalSpy refusedUp(&refused, &RedisConnection::connected);
    refused.start();
    QVERIFY(QTest::qWaitFor([&refused] { return refused.lastError().contains("SELECT"); }, 10000));
    QVERIFY2(refused.lastError().contains(QLatin1String("out of range")),
             qPrintable(refused.lastError()));
}

void tst_RedisConnection::publishReachesAConfirmedSubscription()
{
    auto subscriber = connected(RedisConnection::Role::Subscriber);
    auto publisher = connected(RedisConnection::Role::Commands);
    QSignalSpy messages(subscriber.get(), &RedisConnection::message);
    QSignalSpy subscribed(subscriber.get(), &RedisConnection::subscribed);
    const QByteArray channel("chatter:test:t:room\0one", 23);
    // Confirmed before the publish: Redis delivers only to subscriptions it already has.
    QVERIFY(subscribeConfirmed(*subscriber, channel));
    QCOMPARE(subscribed.size(), 1);
    QCOMPARE(subscribed.at(0).at(0).toByteArray(), channel);
    QVERIFY(subscriber->channels().contains(channel));

    const QByteArray payload("CH\x01\x00"
                             "binary\x00"
                             "frame",
                             16);
    auto reply = roundTrip(*publisher, {"PUBLISH", channel, payload});
    QVERIFY(reply);
    QCOMPARE(reply->integer, 1); // one subscriber got it
    QVERIFY(messages.wait(5000) || !messages.isEmpty());
    QCOMPARE(messages.at(0).at(0).toByteArray(), channel);
    QCOMPARE(messages.at(0).at(1).toByteArray(), payload);

    // Another channel's messages do not arrive.
    QVERIFY(roundTrip(*publisher, {"PUBLISH", "chatter:test:t:other", "x"}));

    // After the unsubscription is confirmed nothing more arrives, and Redis counts nobody.
    std::optional<bool> gone;
    subscriber->unsubscribe(channel, [&gone](bool ok, const QString &) { gone = ok; });
    QVERIFY(QTest::qWaitFor([&gone] { return gone.has_value(); }, 10000));
    QVERIFY(*gone);
    reply = roundTrip(*publisher, {"PUBLISH", channel, "late"});
    QVERIFY(reply);
    QCOMPARE(reply->integer, 0);
    // The probe still runs (subscribed mode): the connection stays up past a few probes.
    QTest::qWait(2500);
    QVERIFY(subscriber->isConnected());
    QCOMPARE(messages.size(), 1);
}

void tst_RedisConnection::redialsAndResubscribesAfterRedisRestarts()
{
    auto subscriber = connected(RedisConnection::Role::Subscriber);
    auto publisher = connected(RedisConnection::Role::Commands);
    const QByteArray channel("chatter:test:t:restart");
    QVERIFY(subscribeConfirmed(*subscriber, channel));
    QSignalSpy subscriberDown(subscriber.get(), &RedisConnection::disconnected);
    QSignalSpy publisherDown(publisher.get(), &RedisConnection::disconnected);
    QSignalSpy subscriberUp(subscriber.get(), &RedisConnection::connected);
    QSignalSpy publisherUp(publisher.get(), &RedisConnection::connected);
    QSignalSpy resubscribed(subscriber.get(), &RedisConnection::subscribed);
    QSignalSpy messages(subscriber.get(), &RedisConnection::message);

    m_redis.kill();
    QVERIFY(QTest::qWaitFor([&] { return !subscriberDown.isEmpty() && !publisherDown.isEmpty(); },
                            10000));
    QVERIFY(!subscriber->isConnected());
    // Down for longer than a few redials (100 ms doubling): they keep trying.
    QTest::qWait(1500);
    QVERIFY(!subscriber->isConnected());
    QVERIFY2(m_redis.restart(), qPrintable(m_redis.errorString()));

    QVERIFY(
        QTest::qWaitFor([&] { return !subscriberUp.isEmpty() && !publisherUp.isEmpty(); }, 10000));
    QVERIFY(QTest::qWaitFor([&] { return !resubscribed.isEmpty(); }, 10000));
    QCOMPARE(resubscribed.at(0).at(0).toByteArray(), channel);
    auto reply = roundTrip(*publisher, {"PUBLISH", channel, "after the restart"});
    QVERIFY(reply);
    QCOMPARE(reply->integer, 1);
    QVERIFY(messages.wait(5000) || !messages.isEmpty());
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("after the restart"));
}

void tst_RedisConnection::pendingCommandFailsWhenRedisDies()
{
    auto redis = connected(RedisConnection::Role::Commands);
    // BLPOP holds its answer on the server: pending for certain when Redis is killed.
    std::optional<RedisReply> blocked;
    std::optional<RedisReply> behind;
    redis->command({"BLPOP", "nothing-here", "30"},
                   [&blocked](const RedisReply &r) { blocked = r; });
    redis->command({"GET", "k"}, [&behind](const RedisReply &r) { behind = r; });
    QTest::qWait(300);
    QVERIFY(!blocked && !behind);
    m_redis.kill();
    QVERIFY(QTest::qWaitFor([&] { return blocked.has_value() && behind.has_value(); }, 5000));
    QCOMPARE(blocked->type, RedisReply::Type::Failure);
    QCOMPARE(behind->type, RedisReply::Type::Failure);
    QVERIFY2(blocked->errorString().contains(QLatin1String("dropped")),
             qPrintable(blocked->errorString()));
    QVERIFY(!redis->isConnected());
}

void tst_RedisConnection::unansweredPingDropsAndFailsPending()
{
    auto redis = connected(RedisConnection::Role::Commands);
    auto subscriber = connected(RedisConnection::Role::Subscriber);
    QSignalSpy down(redis.get(), &RedisConnection::disconnected);
    QSignalSpy subscriberDown(subscriber.get(), &RedisConnection::disconnected);
    // A stopped process keeps its sockets open: only the PING (3 s) notices.
    m_redis.pause();
    std::optional<RedisReply> pending;
    redis->command({"GET", "k"}, [&pending](const RedisReply &r) { pending = r; });
    QVERIFY(QTest::qWaitFor([&pending] { return pending.has_value(); }, 8000));
    QCOMPARE(pending->type, RedisReply::Type::Failure);
    QVERIFY(QTest::qWaitFor([&] { return !down.isEmpty() && !subscriberDown.isEmpty(); }, 8000));
    QVERIFY2(down.at(0).at(0).toString().contains(QLatin1String("PING")),
             qPrintable(down.at(0).at(0).toString()));
    QVERIFY2(subscriberDown.at(0).at(0).toString().contains(QLatin1String("PING")),
             qPrintable(subscriberDown.at(0).at(0).toString()));
    QSignalSpy up(redis.get(), &RedisConnection::connected);
    m_redis.resume();
    QVERIFY(up.wait(10000) || !up.isEmpty());
    QVERIFY(roundTrip(*redis, {"PING"}).value_or(RedisReply()).ok());
}

void tst_RedisConnection::commandWhileDisconnectedFailsFromTheEventLoop()
{
    RedisConnection idle(location(), RedisConnection::Role::Commands);
    std::optional<RedisReply> reply;
    idle.command({"PING"}, [&reply](const RedisReply &r) { reply = r; });
    QVERIFY(!reply); // never from inside command()
    QVERIFY(QTest::qWaitFor([&reply] { return reply.has_value(); }, 1000));
    QCOMPARE(reply->type, RedisReply::Type::Failure);
    QVERIFY2(reply->errorString().contains(QLatin1String("not connected")),
             qPrintable(reply->errorString()));
}

void tst_RedisConnection::connectTimeoutWhenNobodyAnswers()
{
    // A socket that listens but never accepts: the kernel completes the TCP handshake, and
    // nothing ever answers, as with a hung server or a wrong port on a filtering host.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(listener >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    QVERIFY(::listen(listener, 16) == 0);
    socklen_t length = sizeof address;
    QVERIFY(::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0);
    RedisLocation silent;
    silent.host = QStringLiteral("127.0.0.1");
    silent.port = ntohs(address.sin_port);

    RedisConnection redis(silent, RedisConnection::Role::Commands);
    QSignalSpy up(&redis, &RedisConnection::connected);
    redis.start();
    QVERIFY(QTest::qWaitFor([&redis] { return !redis.lastError().isEmpty(); }, 6000));
    QVERIFY2(redis.lastError().contains(QLatin1String("within 2000 ms")),
             qPrintable(redis.lastError()));
    QVERIFY(up.isEmpty());
    QVERIFY(!redis.isConnected());
    redis.stop();
    ::close(listener);
}

void tst_RedisConnection::missingSocketFileFailsAndRedials()
{
    const auto nowhere = RedisLocation::parse(QStringLiteral("unix:///nonexistent/redis.sock"));
    QVERIFY(nowhere);
    RedisConnection redis(*nowhere, RedisConnection::Role::Commands);
    redis.start();
    QVERIFY2(redis.lastError().contains(QLatin1String("cannot connect")),
             qPrintable(redis.lastError()));
    // It keeps trying (and failing) by itself, without blocking the thread.
    QTest::qWait(500);
    QVERIFY(!redis.isConnected());
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_RedisConnection test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_redisconnection.moc"
