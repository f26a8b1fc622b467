// SPDX-License-Identifier: MIT
#include "engine.h"
#include "postgresinstance.h"
#include "redisinstance.h"
#include "testengineconfig.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>

using namespace chatter::server;

//! `chatter-server --redis` (docs/cluster.md, "Mismatched --database or --redis"): at start a
//! node claims the Redis for its database's cluster id (`SET chatter:cluster <cid> NX`, then
//! `GET`); a node whose database is another cluster is refused before it listens. Real
//! PostgreSQL and Redis servers the test starts; engines in-process.
class tst_EngineRedis : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void secondClusterOnTheSameRedisIsRefused();
    void redisNeedsPostgres();
    void wrongRedisUrlIsRefused();

private:
    QString databaseUrl(const QString &name);
    QString clusterIdOf(const QString &name);
    QByteArray redisGet(const QByteArray &key);
    PostgresInstance m_postgres;
    RedisInstance m_redis;
};

void tst_EngineRedis::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

QString tst_EngineRedis::databaseUrl(const QString &name)
{
    const StoreLocation location = m_postgres.createDatabase(name);
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(location.user, location.host)
        .arg(location.port)
        .arg(location.database);
}

QString tst_EngineRedis::clusterIdOf(const QString &name)
{
    QString id;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(m_postgres.port());
        db.setUserName(QStringLiteral("chatter"));
        db.setDatabaseName(name);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("SELECT cluster_id::text FROM cluster")) && query.next())
                id = query.value(0).toString();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return id;
}

QByteArray tst_EngineRedis::redisGet(const QByteArray &key)
{
    // RESP by hand: a test of the server should not read Redis through the server's own code.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_redis.port()));
    if (!socket.waitForConnected(2000))
        return {};
    socket.write("*2\r\n$3\r\nGET\r\n$" + QByteArray::number(key.size()) + "\r\n" + key + "\r\n");
    QByteArray answer;
    // "$<n>\r\n<n bytes>\r\n", or "$-1\r\n" for none.
    const auto complete = [&answer] {
        const qsizetype eol = answer.indexOf("\r\n");
        if (eol < 0)
            return false;
        const int length = answer.startsWith('$') ? answer.mid(1, eol - 1).toInt() : -1;
        return length < 0 || answer.size() >= eol + 2 + length + 2;
    };
    while (!complete() && socket.waitForReadyRead(2000))
        answer += socket.readAll();
    if (!answer.startsWith('$') || answer.startsWith("$-1") || !complete())
        return {};
    const qsizetype eol = answer.indexOf("\r\n");
    return answer.mid(eol + 2, answer.mid(1, eol - 1).toInt());
}

void tst_EngineRedis::secondClusterOnTheSameRedisIsRefused()
{
    const QString first = databaseUrl(QStringLiteral("first"));
    const QString second = databaseUrl(QStringLiteral("second"));

    ServerConfig config = loopbackTestConfig();
    config.database = first;
    config.search = false;
    config.redis = m_redis.url();
    Engine node(config);
    QVERIFY2(node.start(), qPrintable(node.errorString()));
    const QString firstId = clusterIdOf(QStringLiteral("first"));
    QVERIFY(!firstId.isEmpty());
    // The id the node claimed the Redis with is its database's.
    QCOMPARE(redisGet("chatter:cluster"), firstId.toLatin1());

    // Another node of the same cluster (same database) is welcome.
    ServerConfig same = loopbackTestConfig();
    same.database = first;
    same.search = false;
    same.redis = m_redis.url();
    Engine sameCluster(same);
    QVERIFY2(sameCluster.start(), qPrintable(sameCluster.errorString()));
    sameCluster.stop();

    // A node whose database is another cluster is refused before it listens, naming both.
    ServerConfig other = loopbackTestConfig();
    other.database = second;
    other.search = false;
    other.redis = m_redis.url();
    Engine otherCluster(other);
    QVERIFY(!otherCluster.start());
    const QString secondId = clusterIdOf(QStringLiteral("second"));
    QVERIFY(!secondId.isEmpty());
    QVERIFY(secondId != firstId);
    QVERIFY2(otherCluster.errorString().contains(firstId), qPrintable(otherCluster.errorString()));
    QVERIFY2(otherCluster.errorString().contains(secondId), qPrintable(otherCluster.errorString()));
    QCOMPARE(otherCluster.port(), quint16(0));
    // The first cluster keeps its Redis.
    QCOMPARE(redisGet("chatter:cluster"), firstId.toLatin1());
    node.stop();
}

void tst_EngineRedis::redisNeedsPostgres()
{
    // A SQLite file is one node's own: no cluster id to claim a Redis with.
    ServerConfig config = loopbackTestConfig();
    config.redis = m_redis.url();
    Engine engine(config);
    QVERIFY(!engine.start());
    QVERIFY2(engine.errorString().contains(QLatin1String("--database")),
             qPrintable(engine.errorString()));
}

void tst_EngineRedis::wrongRedisUrlIsRefused()
{
    ServerConfig config = loopbackTestConfig();
    config.database = databaseUrl(QStringLiteral("wrongurl"));
    config.search = false;
    config.redis = QStringLiteral("redis://127.0.0.1:%1/cache").arg(m_redis.port());
    Engine engine(config);
    QVERIFY(!engine.start());
    QVERIFY2(engine.errorString().contains(QLatin1String("--redis")),
             qPrintable(engine.errorString()));
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_EngineRedis test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_engineredis.moc"
