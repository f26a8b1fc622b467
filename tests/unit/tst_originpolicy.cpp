// SPDX-License-Identifier: MIT
#include "originpolicy.h"

#include <QTest>

using chatter::server::OriginPolicy;

class tst_OriginPolicy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void allows_data();
    void allows();
    void publicHostsWithPort_data();
    void publicHostsWithPort();
};

void tst_OriginPolicy::allows_data()
{
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QString>("origin");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("ok");
    const QStringList same;
    QTest::newRow("no origin") << same << ""
                               << "chat.lan:4000" << true;
    QTest::newRow("same host") << same << "http://chat.lan:4000"
                               << "chat.lan:4000" << true;
    QTest::newRow("same host other port") << same << "http://chat.lan:8080"
                                          << "chat.lan:4000" << false;
    QTest::newRow("same host other scheme") << same << "https://chat.lan:4000"
                                            << "chat.lan:4000" << false;
    QTest::newRow("default port both") << same << "http://chat.lan"
                                       << "chat.lan" << true;
    QTest::newRow("default port in origin only") << same << "http://chat.lan"
                                                 << "chat.lan:4000" << false;
    QTest::newRow("explicit default port") << same << "http://chat.lan:80"
                                           << "chat.lan" << true;
    QTest::newRow("case") << same << "http://Chat.LAN:4000"
                          << "chat.lan:4000" << true;
    QTest::newRow("rebinding") << same << "http://evil.example:4000"
                               << "evil.example:4000" << true; // the Host check refuses it
    QTest::newRow("other host") << same << "https://evil.example"
                                << "chat.lan:4000" << false;
    QTest::newRow("null origin") << same << "null"
                                 << "chat.lan:4000" << false;
    QTest::newRow("ipv6") << same << "http://[::1]:4000"
                          << "[::1]:4000" << true;
    QTest::newRow("any") << QStringList{"*"} << "https://evil.example"
                         << "x" << true;
    QTest::newRow("scheme+port") << QStringList{"http://a.lan:4000"} << "http://a.lan:4000"
                                 << "x" << true;
    QTest::newRow("wrong port") << QStringList{"http://a.lan:4000"} << "http://a.lan:4001"
                                << "x" << false;
    QTest::newRow("wrong scheme") << QStringList{"http://a.lan:4000"} << "https://a.lan:4000"
                                  << "x" << false;
    QTest::newRow("default port") << QStringList{"https://a.lan"} << "https://a.lan"
                                  << "x" << true;
    QTest::newRow("any scheme") << QStringList{"//a.lan"} << "https://a.lan:9"
                                << "x" << true;
    QTest::newRow("bare host") << QStringList{"a.lan"} << "http://a.lan"
                               << "x" << true;
    QTest::newRow("subdomain") << QStringList{"*.example.com"} << "https://x.example.com"
                               << "x" << true;
    QTest::newRow("apex") << QStringList{"*.example.com"} << "https://example.com"
                          << "x" << true;
    QTest::newRow("suffix trick") << QStringList{"*.example.com"} << "https://badexample.com"
                                  << "x" << false;
}

void tst_OriginPolicy::allows()
{
    QFETCH(QStringList, allowed);
    QFETCH(QString, origin);
    QFETCH(QString, host);
    QFETCH(bool, ok);
    QCOMPARE(OriginPolicy(allowed).allows(origin, host), ok);
}

void tst_OriginPolicy::publicHostsWithPort_data()
{
    // --public-host entries with a port are the server's own origins (a balancer in front of
    // it): a page served through HAProxy on 4000 opens its socket on a node on 4001.
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QStringList>("publicHosts");
    QTest::addColumn<QString>("origin");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("ok");
    const QStringList same;
    const QStringList balancer{"127.0.0.1:4000", "localhost:4000"};
    QTest::newRow("balancer page, node's Host") << same << balancer << "http://127.0.0.1:4000"
                                                << "127.0.0.1:4001" << true;
    QTest::newRow("balancer by name") << same << balancer << "http://localhost:4000"
                                      << "127.0.0.1:4001" << true;
    QTest::newRow("without the entry") << same << QStringList() << "http://127.0.0.1:4000"
                                       << "127.0.0.1:4001" << false;
    QTest::newRow("another port of the balancer host")
        << same << balancer << "http://127.0.0.1:4002"
        << "127.0.0.1:4001" << false;
    QTest::newRow("another host on the balancer's port")
        << same << balancer << "http://192.0.2.7:4000"
        << "127.0.0.1:4001" << false;
    QTest::newRow("balancer ends TLS")
        << same << QStringList{"chat.example:443"} << "https://chat.example"
        << "10.0.0.5:4001" << true;
    QTest::newRow("ipv6 entry") << same << QStringList{"[::1]:4000"} << "http://[::1]:4000"
                                << "[::1]:4001" << true;
    QTest::newRow("name without a port: hosts only")
        << same << QStringList{"chat.example"} << "http://chat.example"
        << "127.0.0.1:4001" << false;
    QTest::newRow("same origin still allowed") << same << balancer << "http://127.0.0.1:4001"
                                               << "127.0.0.1:4001" << true;
    QTest::newRow("beside an allowed-origins list")
        << QStringList{"http://a.lan:80"} << balancer << "http://127.0.0.1:4000"
        << "127.0.0.1:4001" << true;
    QTest::newRow("list still refuses the rest")
        << QStringList{"http://a.lan:80"} << balancer << "http://evil.example:4000"
        << "127.0.0.1:4001" << false;
}

void tst_OriginPolicy::publicHostsWithPort()
{
    QFETCH(QStringList, allowed);
    QFETCH(QStringList, publicHosts);
    QFETCH(QString, origin);
    QFETCH(QString, host);
    QFETCH(bool, ok);
    QCOMPARE(OriginPolicy(allowed, publicHosts).allows(origin, host), ok);
}

QTEST_GUILESS_MAIN(tst_OriginPolicy)
#include "tst_originpolicy.moc"
