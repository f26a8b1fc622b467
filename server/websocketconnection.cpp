// SPDX-License-Identifier: MIT
#include "websocketconnection.h"

#include "lingeringclose.h"
#include "logging.h"
#include "websocketframe.h"
#include "worker.h"

#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <sys/socket.h>

namespace chatter::server {

WebSocketConnection::WebSocketConnection(QWebSocket *socket, QTcpSocket *tcp, ConnectInfo info,
                                         Worker &worker)
    : m_socket(socket), m_tcp(tcp), m_worker(worker), m_session(*this, worker, std::move(info))
{
    m_socket->setParent(this);
    m_lastFrame.start();
    const qint64 limit = worker.config().maxFrameBytes;
    m_socket->setMaxAllowedIncomingFrameSize(quint64(limit));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(limit));
    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketConnection::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &WebSocketConnection::onBinary);
    connect(m_socket, &QWebSocket::pong, this, [this] { m_lastFrame.restart(); });
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketConnection::onDisconnected);
    // Qt closes the TCP socket right after the close frame, however the close began.
    connect(m_socket, &QWebSocket::aboutToClose, this, [this] { LingeringClose::attach(m_tcp); });
    worker.recordConnect(m_session.info());
}

WebSocketConnection::~WebSocketConnection()
{
    m_session.shutdown(QStringLiteral("closed"));
}

void WebSocketConnection::onText(const QString &text)
{
    onInput(text.toUtf8(), false);
}

void WebSocketConnection::onBinary(const QByteArray &data)
{
    onInput(data, true);
}

void WebSocketConnection::onInput(QByteArrayView data, bool binary)
{
    if (m_closing)
        return;
    m_lastFrame.restart();
    ++stats.messagesIn;
    stats.bytesIn += data.size();
    const QString error = m_session.handleFrame(data, binary);
    if (error.isEmpty())
        return;
    m_worker.record(EngineEvent::Kind::ProtocolError, info(), {},
                    QStringLiteral("malformed frame: %1 - closing with 1011").arg(error));
    closeWith(1011, QStringLiteral("malformed frame"));
}

void WebSocketConnection::sendFrame(const Frame &frame)
{
    if (m_closing)
        return;
    writeFramed(frame, serverWebSocketFrame(frame.binary, frame.data));
}

void WebSocketConnection::sendPrebuilt(const Frame &frame, const QByteArray &webSocketFrame)
{
    if (m_closing)
        return;
    writeFramed(frame, webSocketFrame);
}

void WebSocketConnection::writeFramed(const Frame &frame, const QByteArray &webSocketFrame)
{
    // Whole frames go straight into the TCP socket: QWebSocket only ever writes whole control
    // frames there too, so the two never interleave inside a frame.
    if (m_tcp && m_tcp->state() == QAbstractSocket::ConnectedState)
        writeToSocket(webSocketFrame);
    else if (frame.binary)
        m_socket->sendBinaryMessage(frame.data);
    else
        m_socket->sendTextMessage(frame.text);
    ++stats.messagesOut;
    stats.bytesOut += frame.data.size();
    if (m_tcp && m_tcp->bytesToWrite() > m_worker.config().maxOutboundBytes) {
        m_worker.record(
            EngineEvent::Kind::SlowReader, info(), {},
            QStringLiteral("%1 bytes queued - closing with 1013").arg(m_tcp->bytesToWrite()));
        closeWith(1013, QStringLiteral("slow reader"));
        // Its backlog would hold the close frame up for as long as it stays slow.
        QTimer::singleShot(2000, this, [this] { m_socket->abort(); });
    }
}

void WebSocketConnection::sweep(const ServerConfig &config)
{
    if (m_closing || m_lastFrame.elapsed() < config.idleTimeoutMs)
        return;
    m_worker.record(EngineEvent::Kind::Disconnect, info(), {},
                    QStringLiteral("idle timeout - closing with 1001"));
    closeWith(1001, QStringLiteral("idle timeout"));
}

qint64 WebSocketConnection::queuedBytes() const
{
    return m_tcp ? m_tcp->bytesToWrite() : 0;
}

void WebSocketConnection::writeToSocket(const QByteArray &bytes)
{
    // When nothing is queued in Qt, hand the bytes to the kernel right away. Going through
    // QTcpSocket's buffer would arm and disarm a write notifier and cost an event per message
    // per recipient; only what the kernel does not take (a slow reader) is queued there.
    qint64 written = 0;
    if (m_tcp->bytesToWrite() == 0) {
        const ssize_t n = ::send(int(m_tcp->socketDescriptor()), bytes.constData(),
                                 size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        // EAGAIN: the kernel buffer is full; any other error Qt notices on its own read path.
        if (n > 0)
            written = n;
    }
    if (written < bytes.size())
        m_tcp->write(bytes.constData() + written, bytes.size() - written);
}

void WebSocketConnection::closeWith(quint16 code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_session.shutdown(reason);
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void WebSocketConnection::onDisconnected()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closing = true;
    m_session.shutdown(QStringLiteral("closed"));
    m_worker.record(EngineEvent::Kind::Disconnect, info(), {},
                    QStringLiteral("closed, code %1").arg(int(m_socket->closeCode())));
    Q_EMIT finished(this);
}

} // namespace chatter::server
