// SPDX-License-Identifier: MIT
#include "websocketframe.h"

#include <QTest>

using chatter::server::serverWebSocketFrame;

class tst_WebSocketFrame : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void header_data();
    void header();
};

void tst_WebSocketFrame::header_data()
{
    QTest::addColumn<bool>("binary");
    QTest::addColumn<int>("length");
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("empty text") << false << 0 << QByteArray("\x81\x00", 2);
    QTest::newRow("125") << false << 125 << QByteArray("\x81\x7d", 2);
    QTest::newRow("126 uses 16 bits") << false << 126 << QByteArray("\x81\x7e\x00\x7e", 4);
    QTest::newRow("65535") << true << 65535 << QByteArray("\x82\x7e\xff\xff", 4);
    QTest::newRow("65536 uses 64 bits")
        << true << 65536 << QByteArray("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

void tst_WebSocketFrame::header()
{
    QFETCH(bool, binary);
    QFETCH(int, length);
    QFETCH(QByteArray, header);
    const QByteArray payload(length, 'p');
    const QByteArray frame = serverWebSocketFrame(binary, payload);
    QCOMPARE(frame.left(header.size()), header);
    QCOMPARE(frame.size(), header.size() + length);
    QVERIFY(frame.endsWith(payload));
}

QTEST_GUILESS_MAIN(tst_WebSocketFrame)
#include "tst_websocketframe.moc"
