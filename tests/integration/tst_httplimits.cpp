// SPDX-License-Identifier: MIT
// Every HTTP path is bounded before it buffers: the real engine over real loopback sockets.
#include "engine.h"
#include "httpexchange.h"
#include "testengineconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTest>

using namespace chatter::server;
using namespace httpexchange;

namespace {

QByteArray get(quint16 port, const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n" +
           extra + "\r\n";
}

} // namespace

class tst_HttpLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hugeContentLengthIsRefusedWithoutBuffering();
    void bodyOnARouteThatTakesNoneIsRefused();
    void everyHeadOnAConnectionObeysTheHeadLimit();
    void chunkedBodyIsCutAtTheLimit();
    void chunkedBodyWithinTheLimitIsServed();
    void trickledSecondHeadIsCut();
    void idleKeptAliveConnectionIsClosed();
    void heldLongPollIsAnsweredNotCut();
};

void tst_HttpLimits::hugeContentLengthIsRefusedWithoutBuffering()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    // Warm up the path once, so that what the first request allocates is not counted.
    socket.write(get(engine.port(), "/healthz"));
    QCOMPARE(statusOf(readResponse(socket)), 200);
    const qint64 before = residentKiB();
    QVERIFY(before > 0);

    socket.write("POST /socket/longpoll?vsn=2.0.0&user=ann HTTP/1.1\r\nHost: 127.0.0.1:" +
                 QByteArray::number(engine.port()) +
                 "\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n");
    // Then up to 64 MiB of the body, a MiB at a time, for as long as the server takes it.
    const QByteArray chunk(1024 * 1024, 'x');
    QByteArray received;
    int sent = 0;
    for (; sent < 64 && socket.state() == QAbstractSocket::ConnectedState; ++sent) {
        if (socket.write(chunk) != chunk.size())
            break;
        for (int wait = 0; wait < 1000 && socket.bytesToWrite() > 0 &&
                           socket.state() == QAbstractSocket::ConnectedState;
             ++wait)
            QTest::qWait(1);
        received += socket.readAll();
    }
    const qint64 after = residentKiB();
    received += socket.readAll();
    if (!received.contains("\r\n\r\n") && socket.state() == QAbstractSocket::ConnectedState) {
        socket.setProperty("httpexchange.rest", received);
        received = readResponse(socket);
    }
    QVERIFY2(received.startsWith("HTTP/1.1 413 "), received.left(200).constData());
    // Before the limit, Qt held the body twice (its socket buffer and the request's body).
    QVERIFY2(after - before < 16 * 1024,
             qPrintable(QStringLiteral("resident memory grew from %1 KiB to %2 KiB after %3 MiB")
                            .arg(before)
                            .arg(after)
                            .arg(sent)));
}

void tst_HttpLimits::bodyOnARouteThatTakesNoneIsRefused()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    socket.write("POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n");
    QCOMPARE(statusOf(readResponse(socket)), 413);
}

void tst_HttpLimits::everyHeadOnAConnectionObeysTheHeadLimit()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    socket.write(get(engine.port(), "/healthz"));
    QCOMPARE(statusOf(readResponse(socket)), 200);
    // The second request on the kept-alive connection carries a 20 KiB header.
    socket.write(get(engine.port(), "/healthz", "X-Big: " + QByteArray(20 * 1024, 'a') + "\r\n"));
    QCOMPARE(statusOf(readResponse(socket)), 431);
    QVERIFY(waitClosed(socket));

    // A long query on a later request, likewise.
    QTcpSocket other;
    QVERIFY(connectTo(other, engine.port()));
    other.write(get(engine.port(), "/healthz"));
    QCOMPARE(statusOf(readResponse(other)), 200);
    other.write(get(engine.port(), "/socket/longpoll?x=" + QByteArray(200 * 1024, 'q')));
    QCOMPARE(statusOf(readResponse(other)), 431);
}

void tst_HttpLimits::chunkedBodyIsCutAtTheLimit()
{
    ServerConfig config = loopbackTestConfig();
    config.maxFrameBytes = 4096; // also the long-poll body limit
    Engine engine(config);
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    socket.write("POST /socket/longpoll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    // Five chunks of 1,000 bytes, and no last chunk: the answer must not wait for one.
    for (int i = 0; i < 5; ++i)
        socket.write("3e8\r\n" + QByteArray(1000, 'c') + "\r\n");
    QCOMPARE(statusOf(readResponse(socket)), 413);
    QVERIFY(waitClosed(socket));
}

void tst_HttpLimits::chunkedBodyWithinTheLimitIsServed()
{
    ServerConfig config = loopbackTestConfig();
    config.maxFrameBytes = 4096;
    Engine engine(config);
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    // A POST without a session: answered by the long-poll endpoint (gone, 410), not the gate.
    socket.write("POST /socket/longpoll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "4\r\n[1,2\r\n2;ext=1\r\n,3\r\n1\r\n]\r\n0\r\n\r\n");
    const QByteArray response = readResponse(socket);
    QCOMPARE(statusOf(response), 200);
    QCOMPARE(QJsonDocument::fromJson(bodyOf(response)).object().value("status").toInt(), 410);
    // The connection stays usable for the next request.
    socket.write(get(engine.port(), "/healthz"));
    QCOMPARE(statusOf(readResponse(socket)), 200);
}

void tst_HttpLimits::trickledSecondHeadIsCut()
{
    ServerConfig config = loopbackTestConfig();
    config.httpRequestTimeoutMs = 1000;
    Engine engine(config);
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    socket.write(get(engine.port(), "/healthz"));
    QCOMPARE(statusOf(readResponse(socket)), 200);
    // A second head, one byte every 100 ms: at most 100 bytes, never the blank line.
    const QByteArray head =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + QByteArray(200, 's');
    QByteArray received;
    int trickled = 0;
    for (; trickled < 100 && socket.state() == QAbstractSocket::ConnectedState; ++trickled) {
        socket.write(head.mid(trickled, 1));
        QTest::qWait(100);
        received += socket.readAll();
    }
    received += socket.readAll();
    QVERIFY2(trickled < 100, "the trickling head was never cut");
    QVERIFY2(received.startsWith("HTTP/1.1 408 "), received.constData());
}

void tst_HttpLimits::idleKeptAliveConnectionIsClosed()
{
    ServerConfig config = loopbackTestConfig();
    config.httpIdleTimeoutMs = 300;
    Engine engine(config);
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    socket.write(get(engine.port(), "/healthz"));
    QCOMPARE(statusOf(readResponse(socket)), 200);
    QVERIFY2(waitClosed(socket, 10000), "a kept-alive connection stayed open while idle");
}

void tst_HttpLimits::heldLongPollIsAnsweredNotCut()
{
    ServerConfig config = loopbackTestConfig();
    config.httpIdleTimeoutMs = 200;
    config.longPollHoldMs = 1000;
    config.workers = 1; // the session and its polls on one worker, whichever connection
    Engine engine(config);
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port()));
    socket.write(get(engine.port(), "/socket/longpoll?vsn=2.0.0&user=ann"));
    const QJsonObject opened = QJsonDocument::fromJson(bodyOf(readResponse(socket))).object();
    QCOMPARE(opened.value("status").toInt(), 410);
    const QByteArray token = opened.value("token").toString().toLatin1();
    QVERIFY(!token.isEmpty());
    // Nothing to deliver: the GET is held past the idle timeout, then answered.
    socket.write(get(engine.port(), "/socket/longpoll?vsn=2.0.0&user=ann&token=" + token));
    const QByteArray held = readResponse(socket, 5000);
    QCOMPARE(statusOf(held), 200);
    QCOMPARE(QJsonDocument::fromJson(bodyOf(held)).object().value("status").toInt(), 204);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_HttpLimits test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_httplimits.moc"
