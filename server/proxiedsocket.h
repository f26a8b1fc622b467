// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QTcpSocket>

namespace chatter::server {

//! A connection from a trusted load balancer (--trusted-proxies), as a QTcpSocket that, once
//! the front door has read its PROXY v2 header, reports the client the header named as its
//! peer: the HTTP routes, long-poll, the login throttle, bans, logs and the WebSocket
//! handshake all take the client from peerAddress(), as they do over TLS (RelaySocket).
//! Worker thread.
class ProxiedSocket final : public QTcpSocket
{
    Q_OBJECT
public:
    explicit ProxiedSocket(QObject *parent = nullptr) : QTcpSocket(parent) {}

    //! The client behind the balancer, from its PROXY header.
    void setClient(const QHostAddress &address, quint16 port)
    {
        setPeerAddress(address);
        setPeerPort(port);
    }
};

} // namespace chatter::server
