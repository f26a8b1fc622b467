// SPDX-License-Identifier: MIT
#pragma once

#include "serverconfig.h"

#include <QStringList>

#include <optional>

namespace chatter::server {

//! Reads the configuration from command-line flags, each mirrored by a CHATTER_* environment
//! variable; a flag wins over its variable. On `--help`/`--version` or an error it prints and
//! returns nothing, with the exit code in `exitCode`.
std::optional<ServerConfig> parseCommandLine(const QStringList &arguments, int *exitCode);

} // namespace chatter::server
