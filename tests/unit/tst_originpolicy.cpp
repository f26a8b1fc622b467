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

QTEST_GUILESS_MAIN(tst_OriginPolicy)
#include "tst_originpolicy.moc"
