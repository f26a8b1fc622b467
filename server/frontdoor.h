// SPDX-License-Identifier: MIT
#pragma once

#include "connectinfo.h"
#include "requesthead.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <optional>

class QTcpSocket;

namespace chatter::server {

class HttpRoutes;
class RelaySocket;
class Worker;

//! A worker's front door: takes over accepted descriptors, peeks at the first request head
//! and sends it on: a valid WebSocket upgrade, answered here, to a WebSocketConnection, a refused
//! one an HTTP 400/403/431, anything else to the HTTP routes. With TLS, a connection that opens
//! with a ClientHello goes through a TlsRelay first and its decrypted stream (a RelaySocket) is
//! routed the same way; plain HTTP on the TLS port is redirected to https (GET, HEAD) or refused.
//! Lives on the worker's thread, as a child of the worker.
class FrontDoor : public QObject
{
    Q_OBJECT
public:
    FrontDoor(Worker &worker, HttpRoutes &http);

    //! Takes over an accepted socket descriptor, admitted by the connection limits for `peer`
    //! (released when the connection ends).
    void adopt(qintptr descriptor, const QHostAddress &peer);
    //! Answers 503 on a descriptor the connection limits refused, and closes it.
    void turnAway(qintptr descriptor);

private:
    void watch(QTcpSocket *socket);
    void route(QTcpSocket *socket);
    void startTls(QTcpSocket *socket);
    void answerPlainOnTlsPort(QTcpSocket *socket);
    //! The first request head, without reading it: none while it is incomplete, or when it is
    //! oversized (431) or invalid (400), both answered here.
    std::optional<RequestHead> peekHead(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, const QByteArray &body,
                const QByteArray &extraHeaders = {});
    //! Answers a validated upgrade with its 101 and hands the descriptor (over TLS, the
    //! relay's session) to a WebSocketConnection.
    void acceptWebSocket(QTcpSocket *socket, const RequestHead &head, ConnectInfo info);
    //! Leaves the "waiting for a request head" state: routed, refused or gone.
    void stopWaiting(QTcpSocket *socket);
    void sweepUnrouted();

    Worker &m_worker;
    HttpRoutes &m_http;
    //! Sockets whose request head is not complete yet, with the time they have left.
    QHash<QTcpSocket *, QDeadlineTimer> m_unrouted;
    QTimer m_headSweep;
};

} // namespace chatter::server
