// SPDX-License-Identifier: MIT
#pragma once

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QSet>
#include <QString>
#include <QStringList>

#include <mutex>

namespace chatter::server {

//! The names and addresses this server is reached at: the machine's host name, its
//! `<hostname>.local` mDNS name and fully qualified name, `localhost`, every address of its
//! interfaces (and all of loopback), plus the operator's `--public-host` values. A request whose
//! `Host` is none of them was sent to some other name that resolves here: the mark of a DNS
//! rebinding page. Thread-safe; the interface addresses are read again (at most every few
//! seconds) when a host is not found, since DHCP and Wi-Fi change them while the server runs.
class ServerNames
{
public:
    //! `publicHosts`: extra names or addresses, with or without a port (the port is ignored).
    explicit ServerNames(const QStringList &publicHosts = {});

    //! Whether the host part of a `Host` header value ("name:port", "[v6]:port", "a.b.c.d") is
    //! one of this server's.
    bool isOwnHost(const QString &hostHeader) const;
    //! Just the host of a `Host` header value: lower case, without brackets, port or final dot.
    static QString hostOf(const QString &hostHeader);
    QStringList names() const;

private:
    void refreshLocked() const;

    mutable std::mutex m_mutex;
    QSet<QString> m_public;
    QSet<QHostAddress> m_publicAddresses;
    mutable QSet<QString> m_names;
    mutable QSet<QHostAddress> m_addresses;
    mutable QDeadlineTimer m_nextRefresh;
};

} // namespace chatter::server
