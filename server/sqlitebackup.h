// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QString>

namespace chatter::server::sqlitebackup {

//! What a copy holds, for the command's report.
struct Summary
{
    qint64 pages = 0;
    qint64 bytes = 0;
    int schemaVersion = 0;
    qint64 messages = 0;
};

//! Copies the SQLite database `source` to `destination` (a new file, replaced if it exists) with
//! SQLite's online backup API, while a server may be writing to `source`. The copy is one
//! snapshot: the messages committed before it began, none after. `pagesPerStep` pages are
//! copied at a time with a short rest in between. The copy is a single file (journal mode
//! DELETE), synced, and checked with `PRAGMA quick_check` before this returns.
Expected<Summary> copy(const QString &source, const QString &destination, int pagesPerStep);

//! Opens `file` read-only and checks that it is a sound Chatter database (`PRAGMA quick_check`,
//! a schema version this build knows).
Expected<Summary> verify(const QString &file);

//! Whether some process has the SQLite database `file` open: every SQLite connection in WAL
//! mode holds a shared lock on the "DMS" byte of `<file>-shm` for as long as it is open
//! (https://sqlite.org/walformat.html, "How SQLite uses the shm file"), so asking for a write
//! lock there without taking it tells whether a server is running on it.
Expected<bool> inUse(const QString &file);

} // namespace chatter::server::sqlitebackup
