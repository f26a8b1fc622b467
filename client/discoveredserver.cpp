// SPDX-License-Identifier: MIT
#include "discoveredserver.h"

namespace chatter::client {

QUrl DiscoveredServer::url() const
{
    QUrl url;
    url.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    // An address needs no mDNS name resolution on the connecting side (nss-mdns is not always
    // installed); the host name stays for display.
    url.setHost(address.isNull() ? host : address.toString());
    url.setPort(port);
    return url;
}

} // namespace chatter::client
