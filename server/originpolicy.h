// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

namespace chatter::server {

//! Decides whether a browser Origin may open a socket (defence against cross-site WebSocket
//! hijacking). Requests without an Origin header (native clients) are always allowed.
class OriginPolicy
{
public:
    //! Entries: "*", "scheme://host[:port]", "//host[:port]", "host", "*.example.com".
    //! An empty list allows only origins whose host is the host the request was sent to.
    explicit OriginPolicy(QStringList allowed = {});

    bool allows(const QString &origin, const QString &requestHost) const;

private:
    struct Entry
    {
        QString scheme; //!< empty: any
        QString host;
        int port = -1; //!< -1: any
        bool subdomains = false;
    };
    QList<Entry> m_entries;
    bool m_any = false;
};

} // namespace chatter::server
