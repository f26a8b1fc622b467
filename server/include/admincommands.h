// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

#include <optional>

namespace chatter::server {

//! `chatter-server account add|passwd|list|remove ...` and `chatter-server audit`: accounts and
//! the audit log, on the database of --data-dir directly, without starting the engine
//! (docs/identity.md). Needs a QCoreApplication (the SQLite driver is a plugin). Returns the
//! exit code, or nothing when `arguments` (argv, program first) name no such command.
std::optional<int> runAdminCommand(const QStringList &arguments);

} // namespace chatter::server
