// SPDX-License-Identifier: MIT
#include "servernames.h"

#include <QHostInfo>
#include <QNetworkInterface>
#include <QTest>

using chatter::server::ServerNames;

class tst_ServerNames : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hostOf_data();
    void hostOf();
    void machineNamesAndAddresses();
    void publicHostsAndStrangers();
};

void tst_ServerNames::hostOf_data()
{
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("host");
    QTest::newRow("name and port") << "Chat.LAN:4000"
                                   << "chat.lan";
    QTest::newRow("final dot") << "chat.lan.:4000"
                               << "chat.lan";
    QTest::newRow("ipv6") << "[fe80::1]:4000"
                          << "fe80::1";
    QTest::newRow("bare") << "10.0.0.5"
                          << "10.0.0.5";
    QTest::newRow("empty") << ""
                           << "";
}

void tst_ServerNames::hostOf()
{
    QFETCH(QString, header);
    QFETCH(QString, host);
    QCOMPARE(ServerNames::hostOf(header), host);
}

void tst_ServerNames::machineNamesAndAddresses()
{
    const ServerNames names;
    const QString machine = QHostInfo::localHostName();
    QVERIFY(!machine.isEmpty());
    QVERIFY(names.isOwnHost(machine + QStringLiteral(":4000")));
    QVERIFY(names.isOwnHost(machine.toUpper() + QStringLiteral(".local:4000")));
    QVERIFY(names.isOwnHost(QStringLiteral("localhost:4000")));
    QVERIFY(names.isOwnHost(QStringLiteral("127.0.0.1:4000")));
    QVERIFY(names.isOwnHost(QStringLiteral("127.1.2.3")));
    QVERIFY(names.isOwnHost(QStringLiteral("[::1]:4000")));
    QVERIFY(names.isOwnHost(QStringLiteral("[::ffff:127.0.0.1]:4000")));
    // Every address of every interface: what the monitor lists for the LAN.
    for (QHostAddress address : QNetworkInterface::allAddresses()) {
        address.setScopeId({});
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                                 ? QStringLiteral("[%1]:4000").arg(address.toString())
                                 : address.toString() + QStringLiteral(":4000");
        QVERIFY2(names.isOwnHost(host), qPrintable(host));
    }
}

void tst_ServerNames::publicHostsAndStrangers()
{
    const ServerNames names({QStringLiteral("chat.example.org"), QStringLiteral("Alias:8080"),
                             QStringLiteral("203.0.113.7")});
    QVERIFY(names.isOwnHost(QStringLiteral("chat.example.org:4000")));
    QVERIFY(names.isOwnHost(QStringLiteral("alias")));
    QVERIFY(names.isOwnHost(QStringLiteral("203.0.113.7:4000")));
    QVERIFY(!names.isOwnHost(QStringLiteral("evil.example:4000")));
    QVERIFY(!names.isOwnHost(QStringLiteral("sub.chat.example.org:4000")));
    QVERIFY(!names.isOwnHost(QStringLiteral("198.51.100.1:4000")));
    QVERIFY(!names.isOwnHost(QString()));
}

QTEST_GUILESS_MAIN(tst_ServerNames)
#include "tst_servernames.moc"
