// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

namespace chatter::server {

//! Decides whether a browser Origin may open a socket (defence against cross-site WebSocket
//! hijacking). Requests without an Origin header (native clients) are always allowed; whether
//! the Host is one of the server's own is ServerNames' question.
class OriginPolicy
{
public:
    //! Entries: "*", "scheme://host[:port]", "//host[:port]", "host", "*.example.com".
    //! An empty list allows only the origin the request was sent to: the same scheme (`scheme`,
    //! how the server is reached), host and port as its Host header.
    //! `publicHosts` (--public-host) entries with a port ("127.0.0.1:4000", "[::1]:4000",
    //! "chat.example:443") are the server's own origins too, in either scheme: the public
    //! address of a load balancer in front of it, whose pages open sockets here (a balancer
    //! may end TLS, so the scheme is not the node's). Entries without a port name hosts only.
    explicit OriginPolicy(QStringList allowed = {}, const QStringList &publicHosts = {});

    bool allows(const QString &origin, const QString &requestHost,
                const QString &scheme = QStringLiteral("http")) const;
    //! True for "*": any origin, and then any Host too.
    bool allowsAny() const { return m_any; }

private:
    struct Entry
    {
        QString scheme; //!< empty: any
        QString host;
        int port = -1; //!< -1: any
        bool subdomains = false;
    };
    QList<Entry> m_entries;
    QList<Entry> m_public; //!< host and port, any scheme
    bool m_any = false;
};

} // namespace chatter::server
