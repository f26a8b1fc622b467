// SPDX-License-Identifier: MIT
#include "requesthead.h"

#include <QTest>

using chatter::server::RequestHead;

class tst_RequestHead : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void complete();
    void status_data();
    void status();
};

void tst_RequestHead::complete()
{
    const QByteArray raw = "GET /socket/websocket?vsn=2.0.0&user=a HTTP/1.1\r\nHost: x:4000\r\n"
                           "Connection: keep-alive, Upgrade\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\nBODY";
    RequestHead head;
    QCOMPARE(RequestHead::parse(raw, &head), RequestHead::Status::Complete);
    QCOMPARE(head.method, QByteArray("GET"));
    QCOMPARE(head.path, QStringLiteral("/socket/websocket"));
    QCOMPARE(head.query, QStringLiteral("vsn=2.0.0&user=a"));
    QCOMPARE(head.header("host"), QByteArray("x:4000"));
    QCOMPARE(head.header("x-dup"), QByteArray("1, 2"));
    QVERIFY(head.headerHasToken("connection", "upgrade"));
    QVERIFY(!head.headerHasToken("connection", "close"));
    QCOMPARE(head.size, raw.indexOf("BODY"));
}

void tst_RequestHead::status_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::newRow("partial") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n")
                             << int(RequestHead::Status::Incomplete);
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << int(RequestHead::Status::Invalid);
    QTest::newRow("not http") << QByteArray("\x16\x03\x01 junk\r\n\r\n")
                              << int(RequestHead::Status::Invalid);
    QTest::newRow("relative target")
        << QByteArray("GET x HTTP/1.1\r\n\r\n") << int(RequestHead::Status::Invalid);
    QTest::newRow("header without colon")
        << QByteArray("GET / HTTP/1.1\r\nbad\r\n\r\n") << int(RequestHead::Status::Invalid);
    // Heads that HTTP parsers read differently are refused: QHttpServer reads the same bytes
    // behind the front door (found by tests/fuzz/fuzz_requesthead).
    QTest::newRow("bare CR in a header name")
        << QByteArray("GET / HTTP/1.1\r\nUpgrade: websocket\nton\renction: Upgrade\r\n\r\n")
        << int(RequestHead::Status::Invalid);
    QTest::newRow("bare CR in a value")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\rContent-Length: 5\r\n\r\n")
        << int(RequestHead::Status::Invalid);
    QTest::newRow("space before the colon")
        << QByteArray("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n")
        << int(RequestHead::Status::Invalid);
    QTest::newRow("folded line") << QByteArray(
                                        "GET / HTTP/1.1\r\nHost: a\r\n Content-Length: 5\r\n\r\n")
                                 << int(RequestHead::Status::Invalid);
    QTest::newRow("head ended by bare LFs")
        << QByteArray("GET / HTTP/1.1\nHost: a\n\nGET /x HTTP/1.1\r\n\r\n")
        << int(RequestHead::Status::Invalid);
    QTest::newRow("control character in the target")
        << QByteArray("GET /a\x01b HTTP/1.1\r\n\r\n") << int(RequestHead::Status::Invalid);
    QTest::newRow("method not a token")
        << QByteArray("G(T / HTTP/1.1\r\n\r\n") << int(RequestHead::Status::Invalid);
    QTest::newRow("HTTP/1.2") << QByteArray("GET / HTTP/1.2\r\n\r\n")
                              << int(RequestHead::Status::Invalid);
    QTest::newRow("bare LF lines")
        << QByteArray("GET / HTTP/1.1\nHost: a\r\n\r\n") << int(RequestHead::Status::Complete);
    QTest::newRow("tab and obs-text in a value")
        << QByteArray("GET / HTTP/1.1\r\nX-A: a\tb \xff\r\n\r\n")
        << int(RequestHead::Status::Complete);
    QTest::newRow("minimal") << QByteArray("GET / HTTP/1.0\r\n\r\n")
                             << int(RequestHead::Status::Complete);
}

void tst_RequestHead::status()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    RequestHead head;
    QCOMPARE(int(RequestHead::parse(raw, &head)), status);
}

QTEST_GUILESS_MAIN(tst_RequestHead)
#include "tst_requesthead.moc"
