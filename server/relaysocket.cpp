// SPDX-License-Identifier: MIT
#include "relaysocket.h"

#include "tlsrelay.h"

namespace chatter::server {

RelaySocket::RelaySocket(TlsRelay *relay, QObject *parent) : QTcpSocket(parent), m_relay(relay) {}

bool RelaySocket::adopt(int descriptor, const QHostAddress &peer, quint16 peerPort,
                        const QHostAddress &local, quint16 localPort)
{
    // QTcpSocket runs on a Unix stream socket as well (QLocalSocket does the same); only the
    // addresses it would read from it are empty, so they are set from the TCP connection.
    if (!setSocketDescriptor(descriptor))
        return false;
    setPeerAddress(peer);
    setPeerPort(peerPort);
    setLocalAddress(local);
    setLocalPort(localPort);
    return true;
}

} // namespace chatter::server
