// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QString>
#include <QUrl>

namespace chatter::client {

//! A Chatter server found on the LAN by ServerBrowser (its `_chatter._tcp` service).
struct DiscoveredServer
{
    QString name; //!< the service's instance name, e.g. "Chatter on lounge"
    QString host; //!< the host's mDNS name, e.g. "lounge.local"
    QHostAddress address;
    quint16 port = 0;
    bool tls = false;
    bool accountsRequired = false;
    int usersOnline = -1; //!< -1: the server did not say
    QString version;

    //! What to connect to: ws:// or wss:// (by the TLS record), the address and the port.
    QUrl url() const;
    bool operator==(const DiscoveredServer &other) const = default;
};

} // namespace chatter::client
