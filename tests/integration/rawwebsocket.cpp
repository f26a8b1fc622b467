// SPDX-License-Identifier: MIT
#include "rawwebsocket.h"

#include <QTest>

QByteArray RawWebSocket::upgradeRequest(const QByteArray &query)
{
    return "GET /socket/websocket?" + query +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

bool RawWebSocket::open(quint16 port, const QByteArray &query, const QByteArray &early,
                        qsizetype splitAt)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    if (!m_socket.waitForConnected(5000))
        return false;
    const QByteArray request = upgradeRequest(query) + early;
    if (splitAt > 0 && splitAt < request.size()) {
        // The server sees the first piece on its own before the rest arrives.
        m_socket.write(request.left(splitAt));
        if (!m_socket.waitForBytesWritten(5000))
            return false;
        QTest::qWait(50);
        m_socket.write(request.mid(splitAt));
    } else {
        m_socket.write(request);
    }
    if (!QTest::qWaitFor([this] { return (m_buffer += m_socket.readAll()).contains("\r\n\r\n"); },
                         5000)) {
        QWARN("RawWebSocket::open: no complete response head within 5 s");
        return false;
    }
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (!m_buffer.startsWith("HTTP/1.1 101"))
        return false;
    m_buffer.remove(0, end + 4);
    return true;
}

void RawWebSocket::sendText(const QByteArray &payload)
{
    sendFrame(0x1, payload);
}

void RawWebSocket::sendFrame(int opcode, const QByteArray &payload, bool fin)
{
    m_socket.write(maskedFrame(opcode, payload, fin));
}

QByteArray RawWebSocket::maskedFrame(int opcode, const QByteArray &payload, bool fin)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0) | opcode));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126))
            .append(char(payload.size() >> 8))
            .append(char(payload.size() & 0xff));
    }
    frame.append(4, '\0').append(payload);
    return frame;
}

bool RawWebSocket::takeFrame(ServerFrame *frame)
{
    // Server frames are unmasked.
    if (m_buffer.size() < 2)
        return false;
    qsizetype length = uchar(m_buffer[1]) & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (m_buffer.size() < 4)
            return false;
        length = (qsizetype(uchar(m_buffer[2])) << 8) | uchar(m_buffer[3]);
        header = 4;
    } else if (length == 127) {
        if (m_buffer.size() < 10)
            return false;
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | uchar(m_buffer[i]);
        header = 10;
    }
    if (m_buffer.size() < header + length)
        return false;
    frame->opcode = uchar(m_buffer[0]) & 0x0f;
    frame->payload = m_buffer.mid(header, length);
    m_buffer.remove(0, header + length);
    return true;
}

RawWebSocket::ServerFrame RawWebSocket::readFrame(int timeoutMs)
{
    ServerFrame frame;
    if (!QTest::qWaitFor(
            [&] {
                m_buffer += m_socket.readAll();
                return takeFrame(&frame);
            },
            timeoutMs)) {
        QWARN(qPrintable(
            QStringLiteral("RawWebSocket::readFrame: no frame within %1 ms").arg(timeoutMs)));
        return ServerFrame{};
    }
    return frame;
}

int RawWebSocket::waitForCloseCode(int timeoutMs)
{
    int code = -1;
    auto parse = [&] {
        m_buffer += m_socket.readAll();
        // Data frames are skipped until the close frame.
        ServerFrame frame;
        while (takeFrame(&frame)) {
            if (frame.opcode == 0x8 && frame.payload.size() >= 2) {
                code = (uchar(frame.payload[0]) << 8) | uchar(frame.payload[1]);
                return true;
            }
        }
        return m_socket.state() != QAbstractSocket::ConnectedState &&
               m_socket.bytesAvailable() == 0;
    };
    if (!QTest::qWaitFor(parse, timeoutMs)) {
        QWARN(qPrintable(
            QStringLiteral("RawWebSocket::waitForCloseCode: no close frame and no disconnect "
                           "within %1 ms")
                .arg(timeoutMs)));
        return -1;
    }
    if (code < 0)
        QWARN("RawWebSocket::waitForCloseCode: the connection dropped without a close frame");
    return code;
}
