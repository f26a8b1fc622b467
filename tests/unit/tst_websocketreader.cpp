// SPDX-License-Identifier: MIT
#include "websocketreader.h"

#include <QTest>

using chatter::server::WebSocketReader;
using chatter::server::WebSocketReaderSink;

namespace {

//! Writes down everything the reader reports, one line per event.
class RecordingSink final : public WebSocketReaderSink
{
public:
    QStringList events;
    bool stopAfterMessage = false;

    bool onMessage(QByteArrayView payload, bool binary) override
    {
        events << QStringLiteral("%1:%2").arg(binary ? "binary" : "text",
                                              QString::fromUtf8(payload.toByteArray()));
        return !stopAfterMessage;
    }
    bool onPing(QByteArrayView payload) override
    {
        events << QStringLiteral("ping:%1").arg(QString::fromUtf8(payload.toByteArray()));
        return true;
    }
    bool onPong() override
    {
        events << QStringLiteral("pong");
        return true;
    }
    void onClose(quint16 code, QByteArrayView reason) override
    {
        events
            << QStringLiteral("close:%1:%2").arg(code).arg(QString::fromUtf8(reason.toByteArray()));
    }
    void onProtocolError(quint16 code, const char *) override
    {
        events << QStringLiteral("error:%1").arg(code);
    }
};

//! A client frame as RFC 6455 §5.2 lays it out, masked with a fixed non-zero key.
QByteArray clientFrame(int opcode, const QByteArray &payload, bool fin = true, bool mask = true,
                       int rsv = 0)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    const char maskBit = mask ? char(0x80) : char(0);
    const qsizetype n = payload.size();
    if (n < 126) {
        frame.append(char(maskBit | n));
    } else if (n <= 0xffff) {
        frame.append(char(maskBit | 126)).append(char(n >> 8)).append(char(n & 0xff));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(n) >> shift) & 0xff));
    }
    const char key[4] = {0x37, char(0xfa), 0x21, 0x3d};
    if (mask)
        frame.append(key, 4);
    for (qsizetype i = 0; i < n; ++i)
        frame.append(mask ? char(payload[i] ^ key[i % 4]) : payload[i]);
    return frame;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xff) + reason;
}

constexpr qint64 Limit = 1000;

} // namespace

class tst_WebSocketReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void frames_data();
    void frames();
    void splitAnywhere();
    void oversizeIsRefusedFromTheHeader();
    void stopsWhenTheSinkSaysSo();
    void utf8_data();
    void utf8();
};

void tst_WebSocketReader::frames_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("events");
    QTest::addColumn<bool>("stopped");

    const QByteArray ping = clientFrame(0x9, "p");
    QTest::newRow("text") << clientFrame(0x1, "hello") << QStringList{"text:hello"} << false;
    QTest::newRow("binary") << clientFrame(0x2, "\x01\x02") << QStringList{"binary:\x01\x02"}
                            << false;
    QTest::newRow("empty text") << clientFrame(0x1, "") << QStringList{"text:"} << false;
    QTest::newRow("two frames in one read") << clientFrame(0x1, "a") + clientFrame(0x1, "b")
                                            << QStringList{"text:a", "text:b"} << false;
    QTest::newRow("16-bit length") << clientFrame(0x1, QByteArray(300, 'x'))
                                   << QStringList{"text:" + QString(300, 'x')} << false;
    QTest::newRow("fragments with a ping between")
        << clientFrame(0x1, "ab", false) + ping + clientFrame(0x0, "cd", false) +
               clientFrame(0x0, "e")
        << QStringList{"ping:p", "text:abcde"} << false;
    QTest::newRow("pong") << clientFrame(0xA, "") << QStringList{"pong"} << false;
    QTest::newRow("close with code and reason")
        << clientFrame(0x8, closePayload(1000, "bye")) << QStringList{"close:1000:bye"} << true;
    QTest::newRow("close without a code")
        << clientFrame(0x8, "") << QStringList{"close:1005:"} << true;
    QTest::newRow("nothing after close is read")
        << clientFrame(0x8, closePayload(4000)) + clientFrame(0x1, "late")
        << QStringList{"close:4000:"} << true;

    QTest::newRow("unmasked") << clientFrame(0x1, "x", true, false) << QStringList{"error:1002"}
                              << true;
    QTest::newRow("reserved bit") << clientFrame(0x1, "x", true, true, 4)
                                  << QStringList{"error:1002"} << true;
    QTest::newRow("unknown data opcode")
        << clientFrame(0x3, "x") << QStringList{"error:1002"} << true;
    QTest::newRow("unknown control opcode")
        << clientFrame(0xB, "") << QStringList{"error:1002"} << true;
    QTest::newRow("fragmented ping")
        << clientFrame(0x9, "x", false) << QStringList{"error:1002"} << true;
    QTest::newRow("control payload over 125")
        << clientFrame(0x9, QByteArray(126, 'p')) << QStringList{"error:1002"} << true;
    QTest::newRow("continuation without a start")
        << clientFrame(0x0, "x") << QStringList{"error:1002"} << true;
    QTest::newRow("new message inside a fragmented one")
        << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << QStringList{"error:1002"}
        << true;
    QTest::newRow("close with one byte")
        << clientFrame(0x8, "x") << QStringList{"error:1002"} << true;
    QTest::newRow("close code 1005 on the wire")
        << clientFrame(0x8, closePayload(1005)) << QStringList{"error:1002"} << true;
    QTest::newRow("close code 2000")
        << clientFrame(0x8, closePayload(2000)) << QStringList{"error:1002"} << true;
    QTest::newRow("close reason not UTF-8")
        << clientFrame(0x8, closePayload(1000, "\xc3")) << QStringList{"error:1007"} << true;
    QTest::newRow("frames before an error are delivered")
        << clientFrame(0x1, "ok") + clientFrame(0x1, "x", true, false)
        << QStringList{"text:ok", "error:1002"} << true;
    QTest::newRow("message over the limit")
        << clientFrame(0x2, QByteArray(Limit + 1, 'b')) << QStringList{"error:1009"} << true;
    QTest::newRow("message at the limit") << clientFrame(0x2, QByteArray(Limit, 'b'))
                                          << QStringList{"binary:" + QString(Limit, 'b')} << false;
    QTest::newRow("fragments over the limit")
        << clientFrame(0x2, QByteArray(Limit / 2, 'b'), false) +
               clientFrame(0x0, QByteArray(Limit / 2 + 1, 'b'))
        << QStringList{"error:1009"} << true;
}

void tst_WebSocketReader::frames()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, events);
    QFETCH(bool, stopped);
    WebSocketReader reader(Limit);
    RecordingSink sink;
    QCOMPARE(reader.feed(input.data(), input.size(), sink), !stopped);
    QCOMPARE(sink.events, events);
    QCOMPARE(reader.isStopped(), stopped);
    if (!stopped)
        QCOMPARE(reader.bufferedBytes(), 0);
}

void tst_WebSocketReader::splitAnywhere()
{
    // TCP may cut the stream anywhere: every split point must give the same messages.
    const QByteArray stream = clientFrame(0x1, "first") + clientFrame(0x1, QByteArray(200, 'y')) +
                              clientFrame(0x2, "x", false) + clientFrame(0x9, "") +
                              clientFrame(0x0, "yz");
    const QStringList expected{"text:first", "text:" + QString(200, 'y'), "ping:", "binary:xyz"};
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        WebSocketReader reader(Limit);
        RecordingSink sink;
        QByteArray copy = stream;
        reader.feed(copy.data(), cut, sink);
        reader.feed(copy.data() + cut, copy.size() - cut, sink);
        QVERIFY2(sink.events == expected, qPrintable(QStringLiteral("cut at %1").arg(cut)));
        QCOMPARE(reader.bufferedBytes(), 0);
    }
    // And one byte at a time.
    WebSocketReader reader(Limit);
    RecordingSink sink;
    QByteArray copy = stream;
    for (qsizetype i = 0; i < copy.size(); ++i)
        reader.feed(copy.data() + i, 1, sink);
    QCOMPARE(sink.events, expected);
}

void tst_WebSocketReader::oversizeIsRefusedFromTheHeader()
{
    // Only the header of a 1 MB frame has arrived: it is refused now, not buffered.
    QByteArray header = clientFrame(0x2, QByteArray(1 << 20, 'b')).left(14);
    WebSocketReader reader(Limit);
    RecordingSink sink;
    QVERIFY(!reader.feed(header.data(), header.size(), sink));
    QCOMPARE(sink.events, QStringList{"error:1009"});
    QCOMPARE(reader.bufferedBytes(), 0);
}

void tst_WebSocketReader::stopsWhenTheSinkSaysSo()
{
    QByteArray input = clientFrame(0x1, "a") + clientFrame(0x1, "b");
    WebSocketReader reader(Limit);
    RecordingSink sink;
    sink.stopAfterMessage = true;
    QVERIFY(!reader.feed(input.data(), input.size(), sink));
    QCOMPARE(sink.events, QStringList{"text:a"});
    QVERIFY(!reader.feed(input.data(), input.size(), sink));
    QCOMPARE(sink.events, QStringList{"text:a"});
}

void tst_WebSocketReader::utf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ascii") << QByteArray("[null,\"1\",\"phoenix\",\"heartbeat\",{}]") << true;
    QTest::newRow("two-byte") << QByteArray("caf\xc3\xa9") << true;
    QTest::newRow("emoji") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::newRow("lone continuation") << QByteArray("\x80") << false;
    QTest::newRow("truncated") << QByteArray("abc\xc3") << false;
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << false;
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::newRow("five bytes") << QByteArray("\xf8\x88\x80\x80\x80") << false;
    QTest::newRow("0xff") << QByteArray("0123456789\xff") << false;
}

void tst_WebSocketReader::utf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(chatter::server::isValidUtf8(bytes), valid);
    // The same verdict inside a text frame: invalid text closes with 1007.
    QByteArray frame = clientFrame(0x1, bytes);
    WebSocketReader reader(Limit);
    RecordingSink sink;
    reader.feed(frame.data(), frame.size(), sink);
    QCOMPARE(sink.events.value(0) == QLatin1String("error:1007"), !valid);
}

QTEST_GUILESS_MAIN(tst_WebSocketReader)
#include "tst_websocketreader.moc"
