// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"
#include "socketsession.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

class QTcpSocket;
class QWebSocket;

namespace chatter::server {

class Worker;

//! The WebSocket transport: turns QWebSocket messages into session input and session output
//! into frames, watches idleness and how much output a slow reader has left queued.
class WebSocketConnection final : public Connection
{
    Q_OBJECT
public:
    //! `tcp` is the socket under `socket`: its write backlog is what a slow reader grows.
    WebSocketConnection(QWebSocket *socket, QTcpSocket *tcp, ConnectInfo info, Worker &worker);
    ~WebSocketConnection() override;

    void sendFrame(const Frame &frame) override;
    void sendPrebuilt(const Frame &frame, const QByteArray &webSocketFrame) override;
    void closeWith(quint16 code, const QString &reason) override;

    const ConnectInfo &info() const override { return m_session.info(); }
    SocketSession &session() override { return m_session; }
    bool isClosing() const override { return m_closing; }
    void sweep(const ServerConfig &config) override;
    qint64 queuedBytes() const override;

private:
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    void onInput(QByteArrayView data, bool binary);
    void onDisconnected();
    void writeFramed(const Frame &frame, const QByteArray &webSocketFrame);
    void writeToSocket(const QByteArray &bytes);

    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_tcp;
    Worker &m_worker;
    SocketSession m_session;
    QElapsedTimer m_lastFrame;
    bool m_closing = false;
    bool m_finished = false;
};

} // namespace chatter::server
