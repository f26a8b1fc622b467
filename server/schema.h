// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace chatter::server::schema {

//! The version this build writes. PRAGMA user_version holds the version of a SQLite file,
//! `cluster.schema_version` that of a PostgreSQL database.
inline constexpr int CurrentVersion = 8;

//! Brings the database up to CurrentVersion, one migration per version, each in a transaction.
//! Refuses a file written by a newer Chatter. On PostgreSQL (a QPSQL connection) an empty
//! database gets server/sql/postgresql-schema.sql (version 8) under an advisory lock.
Expected<void> migrate(QSqlDatabase &db);

//! The triggers that keep `messages_fts` current (docs/files-and-search.md).
const QStringList &searchTriggers();
//! `--search on|off` at start: off drops the triggers and empties the index; on again puts
//! them back and rebuilds the index from `messages`. Nothing when it is as asked already;
//! true when something changed.
Expected<bool> setSearch(QSqlDatabase &db, bool on);

//! WAL, so readers on worker threads never block the writer; busy timeout for the moments a
//! checkpoint holds the lock.
Expected<void> configure(QSqlDatabase &db, bool fullSync);

} // namespace chatter::server::schema
