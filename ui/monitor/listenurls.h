// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QStringList>

namespace chatter::monitor {

//! One address the server can be reached at, and the interface it belongs to (empty when the
//! server is bound to that address alone).
struct ListenUrl
{
    QString interfaceName;
    QString url;
    bool operator==(const ListenUrl &) const = default;
};

//! listenUrls() with the interface of each URL: what the header's QR code offers to choose from.
QList<ListenUrl> listenEndpoints(const QHostAddress &bindAddress, quint16 port,
                                 bool secure = false);

//! The URLs another machine can type to reach this server: for a wildcard bind, this machine's
//! non-loopback addresses of up interfaces (IPv4 first, then global IPv6), followed by the
//! loopback URL; for a specific bind, that address alone.
QStringList listenUrls(const QHostAddress &bindAddress, quint16 port, bool secure = false);

//! `http://<addr>:<port>/` (`https://` when `secure`), with IPv6 in brackets.
QString urlFor(const QHostAddress &address, quint16 port, bool secure = false);

} // namespace chatter::monitor
