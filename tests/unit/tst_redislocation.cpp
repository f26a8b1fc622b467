// SPDX-License-Identifier: MIT
#include "redislocation.h"

#include <QTest>

using namespace chatter::server;

//! `--redis redis://host[:port][/db]` or `unix:///path[?db=n]` (docs/cluster.md, "Redis").
class tst_RedisLocation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void display();
};

void tst_RedisLocation::parses_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("socketFile");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("database");
    QTest::newRow("host and port")
        << "redis://127.0.0.1:56379" << false << "127.0.0.1" << 56379 << "" << 0;
    QTest::newRow("default port") << "redis://cache.lan" << false << "cache.lan" << 6379 << "" << 0;
    QTest::newRow("db") << "redis://127.0.0.1:6380/3" << false << "127.0.0.1" << 6380 << "" << 3;
    QTest::newRow("trailing slash")
        << "redis://127.0.0.1/" << false << "127.0.0.1" << 6379 << "" << 0;
    QTest::newRow("ipv6") << "redis://[::1]:7000/15" << false << "::1" << 7000 << "" << 15;
    QTest::newRow("socket") << "unix:///run/redis/redis.sock" << true << "" << 6379
                            << "/run/redis/redis.sock" << 0;
    QTest::newRow("socket with db")
        << "unix:///tmp/r.sock?db=2" << true << "" << 6379 << "/tmp/r.sock" << 2;
    QTest::newRow("escaped socket path")
        << "unix:///tmp/my%20redis.sock" << true << "" << 6379 << "/tmp/my redis.sock" << 0;
}

void tst_RedisLocation::parses()
{
    QFETCH(QString, url);
    QFETCH(bool, socketFile);
    const auto location = RedisLocation::parse(url);
    QVERIFY2(location, qPrintable(location ? QString() : location.error()));
    QCOMPARE(location->kind == RedisLocation::Kind::Unix, socketFile);
    QTEST(location->host, "host");
    QTEST(location->port, "port");
    QTEST(location->path, "path");
    QTEST(location->database, "database");
}

void tst_RedisLocation::refuses_data()
{
    QTest::addColumn<QString>("url");
    //! A word the error must contain, so that it says what is wrong.
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << ""
                           << "expected redis://";
    QTest::newRow("no scheme") << "127.0.0.1:6379"
                               << "expected redis://";
    QTest::newRow("other scheme") << "postgresql://chat@host/db"
                                  << "unknown scheme";
    QTest::newRow("tls") << "rediss://host:6380"
                         << "TLS";
    QTest::newRow("password") << "redis://:secret@host:6379"
                              << "password";
    QTest::newRow("user") << "redis://chat@host:6379"
                          << "password";
    QTest::newRow("no host") << "redis:///0"
                             << "no host";
    QTest::newRow("bad port") << "redis://host:99999"
                              << "redis://";
    QTest::newRow("port zero") << "redis://host:0"
                               << "bad port";
    QTest::newRow("db not a number") << "redis://host/cache"
                                     << "database number";
    QTest::newRow("negative db") << "redis://host/-1"
                                 << "database number";
    QTest::newRow("nested path") << "redis://host/1/2"
                                 << "database number";
    QTest::newRow("query on tcp") << "redis://host/0?timeout=1"
                                  << "options";
    QTest::newRow("fragment") << "redis://host/0#x"
                              << "fragment";
    QTest::newRow("socket with host") << "unix://host/tmp/r.sock"
                                      << "three slashes";
    QTest::newRow("socket without path") << "unix://"
                                         << "no socket path";
    QTest::newRow("socket other option") << "unix:///tmp/r.sock?timeout=2"
                                         << "db=";
    QTest::newRow("socket bad db") << "unix:///tmp/r.sock?db=x"
                                   << "db=";
    QTest::newRow("socket two options") << "unix:///tmp/r.sock?db=1&db=2"
                                        << "db=";
}

void tst_RedisLocation::refuses()
{
    QFETCH(QString, url);
    QFETCH(QString, says);
    const auto location = RedisLocation::parse(url);
    QVERIFY2(!location, qPrintable(url));
    QVERIFY2(location.error().contains(says), qPrintable(location.error()));
    // The URL given is named, so that a wrong flag is found.
    QVERIFY2(location.error().contains(url), qPrintable(location.error()));
}

void tst_RedisLocation::display()
{
    QCOMPARE(RedisLocation::parse(QStringLiteral("redis://127.0.0.1:56379"))->display(),
             QStringLiteral("redis://127.0.0.1:56379/0"));
    QCOMPARE(RedisLocation::parse(QStringLiteral("unix:///tmp/r.sock?db=4"))->display(),
             QStringLiteral("unix:///tmp/r.sock?db=4"));
}

QTEST_GUILESS_MAIN(tst_RedisLocation)
#include "tst_redislocation.moc"
