// SPDX-License-Identifier: MIT
#include "requeststream.h"

#include <QTest>

using chatter::server::RequestHead;
using chatter::server::RequestStream;
using Verdict = RequestStream::Verdict;

Q_DECLARE_METATYPE(RequestStream::Verdict)

namespace {

RequestStream makeStream()
{
    return RequestStream(256, [](const RequestHead &head) {
        return head.path == QLatin1String("/upload") ? qint64(100) : qint64(0);
    });
}

} // namespace

class tst_RequestStream : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void verdicts_data();
    void verdicts();
    void byteByByteEqualsAllAtOnce();
    void phasesAndCounts();
};

void tst_RequestStream::verdicts_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<int>("completed");
    QTest::newRow("two gets") << QByteArray(
                                     "GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\nGET /a HTTP/1.1\r\n\r\n")
                              << Verdict::Fine << 2;
    QTest::newRow("body within limit")
        << QByteArray(
               "POST /upload HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n")
        << Verdict::Fine << 2;
    QTest::newRow("declared body over limit")
        << QByteArray("POST /upload HTTP/1.1\r\nContent-Length: 2147483648\r\n\r\n")
        << Verdict::BodyTooLarge << 0;
    QTest::newRow("body on a route without one")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx") << Verdict::BodyTooLarge
        << 0;
    QTest::newRow("absurd length") << QByteArray("POST /upload HTTP/1.1\r\nContent-Length: "
                                                 "99999999999999999999999\r\n\r\n")
                                   << Verdict::Invalid << 0;
    QTest::newRow("two lengths") << QByteArray("POST /upload HTTP/1.1\r\nContent-Length: 1\r\n"
                                               "Content-Length: 2\r\n\r\n")
                                 << Verdict::Invalid << 0;
    QTest::newRow("length and chunked")
        << QByteArray("POST /upload HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n")
        << Verdict::Invalid << 0;
    QTest::newRow("gzip framing") << QByteArray(
                                         "POST /upload HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")
                                  << Verdict::Invalid << 0;
    QTest::newRow("chunked within limit")
        << QByteArray("POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;x=y\r\nhello\r\n0\r\nTrailer: t\r\n\r\n")
        << Verdict::Fine << 1;
    QTest::newRow("chunks over limit")
        << QByteArray("POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "40\r\n" +
                      QByteArray(64, 'a') + "\r\n40\r\n")
        << Verdict::BodyTooLarge << 0;
    QTest::newRow("huge chunk size")
        << QByteArray(
               "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n")
        << Verdict::BodyTooLarge << 0;
    QTest::newRow("chunk without crlf")
        << QByteArray("POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxyz")
        << Verdict::Invalid << 0;
    QTest::newRow("first head too large")
        << QByteArray("GET /" + QByteArray(300, 'a')) << Verdict::HeadTooLarge << 0;
    QTest::newRow("second head too large")
        << QByteArray("GET / HTTP/1.1\r\n\r\nGET /?" + QByteArray(300, 'a'))
        << Verdict::HeadTooLarge << 1;
    QTest::newRow("not http") << QByteArray("\x16\x03\x01 hello\r\n\r\n") << Verdict::Invalid << 0;
}

void tst_RequestStream::verdicts()
{
    QFETCH(QByteArray, input);
    QFETCH(Verdict, verdict);
    QFETCH(int, completed);
    RequestStream stream = makeStream();
    QCOMPARE(stream.feed(input), verdict);
    QCOMPARE(int(stream.completed()), completed);
}

void tst_RequestStream::byteByByteEqualsAllAtOnce()
{
    const QByteArray input = "POST /upload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"
                             "POST /upload HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
                             "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    RequestStream stream = makeStream();
    for (const char c : input)
        QCOMPARE(stream.feed(QByteArrayView(&c, 1)), Verdict::Fine);
    QCOMPARE(stream.completed(), quint64(3));
    QCOMPARE(stream.phase(), RequestStream::Phase::Between);
}

void tst_RequestStream::phasesAndCounts()
{
    RequestStream stream = makeStream();
    QCOMPARE(stream.phase(), RequestStream::Phase::Between);
    QCOMPARE(stream.feed("GET / HT"), Verdict::Fine);
    QCOMPARE(stream.phase(), RequestStream::Phase::Head);
    QCOMPARE(stream.feed("TP/1.1\r\n\r\nPOST /upload HTTP/1.1\r\nContent-Length: 10\r\n\r\nab"),
             Verdict::Fine);
    QCOMPARE(stream.phase(), RequestStream::Phase::Body);
    QCOMPARE(stream.completed(), quint64(1));
    QCOMPARE(stream.head().path, QStringLiteral("/upload"));
    QCOMPARE(stream.feed("cdefghij"), Verdict::Fine);
    QCOMPARE(stream.phase(), RequestStream::Phase::Between);
    QCOMPARE(stream.completed(), quint64(2));
}

QTEST_GUILESS_MAIN(tst_RequestStream)
#include "tst_requeststream.moc"
