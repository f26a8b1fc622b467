// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QString>

namespace chatter::server {

//! Which Redis a node uses (`--redis`, docs/cluster.md "Redis"): `redis://host[:port][/db]` or
//! `unix:///path[?db=n]`. The db number scopes keys only (pub/sub ignores it). A plain value,
//! copied to the cluster thread.
struct RedisLocation
{
    enum class Kind
    {
        Tcp,
        Unix
    };
    Kind kind = Kind::Tcp;
    QString host; //!< Tcp
    int port = 6379;
    QString path; //!< Unix: the socket file
    int database = 0;

    //! Refuses anything it would otherwise have to ignore: a user or password (AUTH is not
    //! supported yet), `rediss://` (hiredis 0.14 has no TLS), options other than `db` on a
    //! socket path, a query or fragment on `redis://`.
    static Expected<RedisLocation> parse(const QString &url);

    //! For logs and errors; the URL in its canonical form.
    QString display() const;
};

} // namespace chatter::server
