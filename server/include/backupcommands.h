// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

#include <optional>

namespace chatter::server {

//! `chatter-server backup DEST` and `chatter-server restore BACKUP --data-dir DIR`: a
//! consistent copy of a running server's data directory, and the way back into a stopped one
//! (docs/operations.md). Like `account` and `audit` they run without an engine and need a
//! QCoreApplication. Returns the exit code, or nothing when `arguments` (argv, program first)
//! name neither command.
std::optional<int> runBackupCommand(const QStringList &arguments);

} // namespace chatter::server
