// SPDX-License-Identifier: MIT
// The TXT records of `_chatter._tcp` and `_http._tcp` (docs/discovery.md): what the server
// writes, the client reads back; what another program might write is read safely.
#include "discoveryrecords.h"

#include <QTest>

using namespace chatter::discovery;

class tst_DiscoveryRecords : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void webRecords();
    void foreignRecords();
};

void tst_DiscoveryRecords::roundTrip_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("accountsRequired");
    QTest::addColumn<int>("users");
    QTest::newRow("plain, guests, nobody") << false << false << 0;
    QTest::newRow("tls, accounts, 12 online") << true << true << 12;
    QTest::newRow("users not said") << false << true << -1;
}

void tst_DiscoveryRecords::roundTrip()
{
    QFETCH(bool, tls);
    QFETCH(bool, accountsRequired);
    QFETCH(int, users);
    const ServiceRecords written{QStringLiteral("1.2.3"), tls, accountsRequired, users};
    const QList<QByteArray> strings = chatterTxt(written);
    QVERIFY(strings.contains(QByteArray("tls=") + (tls ? "1" : "0")));
    QVERIFY(
        strings.contains(QByteArray("accounts=") + (accountsRequired ? "required" : "optional")));
    QCOMPARE(strings.contains("users=" + QByteArray::number(users)), users >= 0);
    const ServiceRecords read = parseChatterTxt(strings);
    QCOMPARE(read.version, QStringLiteral("1.2.3"));
    QCOMPARE(read.tls, tls);
    QCOMPARE(read.accountsRequired, accountsRequired);
    QCOMPARE(read.usersOnline, users);
}

void tst_DiscoveryRecords::webRecords()
{
    QCOMPARE(webTxt(false), (QList<QByteArray>{"path=/", "tls=0"}));
    QCOMPARE(webTxt(true), (QList<QByteArray>{"path=/", "tls=1"}));
}

void tst_DiscoveryRecords::foreignRecords()
{
    // Keys are case-insensitive (RFC 6763); nonsense keeps the defaults, nothing crashes.
    const ServiceRecords read = parseChatterTxt(
        {"TLS=1", "Accounts=required", "users=-4", "=x", "novalue", "users", "version", "extra=1"});
    QVERIFY(read.tls);
    QVERIFY(read.accountsRequired);
    QCOMPARE(read.usersOnline, -1);
    QVERIFY(read.version.isEmpty());
    QCOMPARE(parseChatterTxt({"users=12abc"}).usersOnline, -1);
    QCOMPARE(parseChatterTxt({}).tls, false);
}

QTEST_GUILESS_MAIN(tst_DiscoveryRecords)
#include "tst_discoveryrecords.moc"
