// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QPointer>
#include <QTcpSocket>

namespace chatter::server {

class TlsRelay;

//! Qt's end of a TLS connection's decrypted stream: a QTcpSocket on one end of a socketpair
//! whose other end a TlsRelay feeds, so that the HTTP routes and the WebSocket upgrade read and
//! answer plaintext as on any connection. It reports the real client's address and port, which the
//! origin check, bans, logs and the handshake bookkeeping rely on. Worker thread.
class RelaySocket final : public QTcpSocket
{
    Q_OBJECT
public:
    explicit RelaySocket(TlsRelay *relay, QObject *parent = nullptr);

    //! Takes `descriptor` (Qt's end of the pair) and the addresses of the TCP connection.
    bool adopt(int descriptor, const QHostAddress &peer, quint16 peerPort,
               const QHostAddress &local, quint16 localPort);
    TlsRelay *relay() const { return m_relay; }

private:
    QPointer<TlsRelay> m_relay;
};

} // namespace chatter::server
