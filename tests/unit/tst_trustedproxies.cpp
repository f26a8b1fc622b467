// SPDX-License-Identifier: MIT
// --trusted-proxies entries (server/trustedproxies.*): what parses, and which peers they cover.
#include "trustedproxies.h"

#include <QTest>

namespace trustedproxies = chatter::server::trustedproxies;

class tst_TrustedProxies : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void contains_data();
    void contains();
};

void tst_TrustedProxies::parse_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("network"); //!< the subnet's address, when ok
    QTest::addColumn<int>("prefix");
    QTest::newRow("ipv4 address") << "127.0.0.1" << true << "127.0.0.1" << 32;
    QTest::newRow("ipv4 cidr") << "10.0.0.0/8" << true << "10.0.0.0" << 8;
    QTest::newRow("ipv4 cidr, host bits set") << "10.1.2.3/8" << true << "10.0.0.0" << 8;
    QTest::newRow("spaces") << "  192.168.1.0/24 " << true << "192.168.1.0" << 24;
    QTest::newRow("ipv6 address") << "::1" << true << "::1" << 128;
    QTest::newRow("ipv6 cidr") << "fd00::/8" << true << "fd00::" << 8;
    QTest::newRow("a name") << "haproxy.lan" << false << "" << 0;
    QTest::newRow("empty") << "" << false << "" << 0;
    QTest::newRow("prefix too long") << "10.0.0.0/33" << false << "" << 0;
    QTest::newRow("prefix not a number") << "10.0.0.0/x" << false << "" << 0;
    QTest::newRow("address and port") << "127.0.0.1:4000" << false << "" << 0;
    QTest::newRow("scoped ipv6") << "fe80::1%eth0" << false << "" << 0;
}

void tst_TrustedProxies::parse()
{
    QFETCH(QString, entry);
    QFETCH(bool, ok);
    QFETCH(QString, network);
    QFETCH(int, prefix);
    trustedproxies::Subnet subnet;
    QString why;
    QCOMPARE(trustedproxies::parse(entry, &subnet, &why), ok);
    if (!ok) {
        QVERIFY(!why.isEmpty());
        return;
    }
    QCOMPARE(subnet.first, QHostAddress(network));
    QCOMPARE(subnet.second, prefix);
}

void tst_TrustedProxies::contains_data()
{
    QTest::addColumn<QStringList>("entries");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<bool>("trusted");
    const QStringList list{"127.0.0.1", "10.0.0.0/8", "fd00::/8"};
    QTest::newRow("listed address") << list << "127.0.0.1" << true;
    QTest::newRow("other loopback address") << list << "127.0.0.2" << false;
    QTest::newRow("inside the cidr") << list << "10.200.3.4" << true;
    QTest::newRow("outside the cidr") << list << "11.0.0.1" << false;
    QTest::newRow("ipv4-mapped ipv6 of a listed address") << list << "::ffff:127.0.0.1" << true;
    QTest::newRow("ipv4-mapped ipv6 in the cidr") << list << "::ffff:10.9.9.9" << true;
    QTest::newRow("ipv6 in the cidr") << list << "fd12::5" << true;
    QTest::newRow("ipv6 outside") << list << "2001:db8::1" << false;
    QTest::newRow("nothing listed") << QStringList() << "127.0.0.1" << false;
}

void tst_TrustedProxies::contains()
{
    QFETCH(QStringList, entries);
    QFETCH(QString, peer);
    QFETCH(bool, trusted);
    QList<trustedproxies::Subnet> subnets;
    for (const QString &entry : entries) {
        trustedproxies::Subnet subnet;
        QString why;
        QVERIFY(trustedproxies::parse(entry, &subnet, &why));
        subnets.append(subnet);
    }
    QCOMPARE(trustedproxies::contains(subnets, QHostAddress(peer)), trusted);
}

QTEST_GUILESS_MAIN(tst_TrustedProxies)
#include "tst_trustedproxies.moc"
