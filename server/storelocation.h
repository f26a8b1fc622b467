// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QString>

namespace chatter::server {

//! Where the durable store lives (docs/cluster.md, "The store interface split"): a SQLite file
//! (`<data-dir>/chatter.db`, the embedded default) or a PostgreSQL database named by
//! `--database postgresql://user[:password]@host[:port]/db`. A plain value, copied to every
//! thread that opens a connection of its own.
struct StoreLocation
{
    enum class Kind
    {
        SQLite,
        PostgreSQL
    };
    Kind kind = Kind::SQLite;
    QString path; //!< SQLite: the file
    // PostgreSQL: what libpq is given (QPSQL passes them on).
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;

    static StoreLocation sqlite(QString file);
    //! Parses `postgresql://user[:password]@host[:port]/db` (also `postgres://`); user, host
    //! and database are required, percent-escapes are decoded. Nothing else is accepted: a
    //! query string (`?sslmode=…`) is refused rather than silently ignored.
    static Expected<StoreLocation> parse(const QString &url);

    bool isPostgres() const { return kind == Kind::PostgreSQL; }
    //! For logs and errors: the file, or the URL without its password.
    QString display() const;
};

} // namespace chatter::server
