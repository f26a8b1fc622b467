// SPDX-License-Identifier: MIT
#include "storelocation.h"

#include <QTest>

using namespace chatter::server;

//! `--database postgresql://user[:password]@host[:port]/db` (docs/cluster.md).
class tst_StoreLocation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void displayHidesThePassword();
};

void tst_StoreLocation::parses_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::newRow("full") << "postgresql://chat:s3cret@db.lan:6543/chatter"
                          << "chat"
                          << "s3cret"
                          << "db.lan" << 6543 << "chatter";
    QTest::newRow("default port") << "postgresql://chat@127.0.0.1/chatter"
                                  << "chat"
                                  << ""
                                  << "127.0.0.1" << 5432 << "chatter";
    QTest::newRow("postgres scheme") << "postgres://chat@localhost:5433/c"
                                     << "chat"
                                     << ""
                                     << "localhost" << 5433 << "c";
    QTest::newRow("escaped password") << "postgresql://chat:p%40ss%3Aword@[::1]:5432/chatter"
                                      << "chat"
                                      << "p@ss:word"
                                      << "::1" << 5432 << "chatter";
}

void tst_StoreLocation::parses()
{
    QFETCH(QString, url);
    const auto location = StoreLocation::parse(url);
    QVERIFY2(location, qPrintable(location ? QString() : location.error()));
    QVERIFY(location->isPostgres());
    QTEST(location->user, "user");
    QTEST(location->password, "password");
    QTEST(location->host, "host");
    QTEST(location->port, "port");
    QTEST(location->database, "database");
}

void tst_StoreLocation::refuses_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("other scheme") << "mysql://chat@host/db";
    QTest::newRow("a path") << "/var/lib/chatter/chatter.db";
    QTest::newRow("no user") << "postgresql://host/db";
    QTest::newRow("no host") << "postgresql://chat@/db";
    QTest::newRow("no database") << "postgresql://chat@host/";
    QTest::newRow("nested path") << "postgresql://chat@host/db/more";
    QTest::newRow("options") << "postgresql://chat@host/db?sslmode=require";
    QTest::newRow("bad port") << "postgresql://chat@host:99999/db";
}

void tst_StoreLocation::refuses()
{
    QFETCH(QString, url);
    QVERIFY(!StoreLocation::parse(url));
}

void tst_StoreLocation::displayHidesThePassword()
{
    const auto location = StoreLocation::parse(QStringLiteral("postgresql://chat:s3cret@h:1/d"));
    QVERIFY(location);
    QCOMPARE(location->display(), QStringLiteral("postgresql://chat@h:1/d"));
    QCOMPARE(StoreLocation::sqlite(QStringLiteral("/tmp/x.db")).display(),
             QStringLiteral("/tmp/x.db"));
}

QTEST_GUILESS_MAIN(tst_StoreLocation)
#include "tst_storelocation.moc"
