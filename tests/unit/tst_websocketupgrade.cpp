// SPDX-License-Identifier: MIT
#include "websocketupgrade.h"

#include <QTest>

using namespace chatter::server;

class tst_WebSocketUpgrade : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void acceptKey_data();
    void acceptKey();
    void responseSelectsPhoenixOnlyWhenOffered();
};

void tst_WebSocketUpgrade::acceptKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("accept");
    // RFC 6455, 1.3 and 4.2.2: the sample nonce and its answer.
    QTest::newRow("rfc 6455") << QByteArray("dGhlIHNhbXBsZSBub25jZQ==")
                              << QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    QTest::newRow("surrounding spaces are not part of the key")
        << QByteArray("  dGhlIHNhbXBsZSBub25jZQ== ") << QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    QTest::newRow("another key") << QByteArray("x3JJHMbDL1EzLkh9GBhXDw==")
                                 << QByteArray("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

void tst_WebSocketUpgrade::acceptKey()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, accept);
    QCOMPARE(websocketupgrade::acceptKey(key), accept);
}

void tst_WebSocketUpgrade::responseSelectsPhoenixOnlyWhenOffered()
{
    const QByteArray plain =
        websocketupgrade::switchingProtocols("dGhlIHNhbXBsZSBub25jZQ==", false);
    QVERIFY(plain.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    QVERIFY(plain.contains("\r\nUpgrade: websocket\r\n"));
    QVERIFY(plain.contains("\r\nConnection: Upgrade\r\n"));
    QVERIFY(plain.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    QVERIFY(!plain.contains("Sec-WebSocket-Protocol"));
    QVERIFY(plain.endsWith("\r\n\r\n"));
    QCOMPARE(plain.count("\r\n\r\n"), 1);

    const QByteArray phoenix =
        websocketupgrade::switchingProtocols("dGhlIHNhbXBsZSBub25jZQ==", true);
    QVERIFY(phoenix.contains("\r\nSec-WebSocket-Protocol: phoenix\r\n"));
}

QTEST_GUILESS_MAIN(tst_WebSocketUpgrade)
#include "tst_websocketupgrade.moc"
