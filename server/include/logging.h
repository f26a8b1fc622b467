// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QLoggingCategory>

namespace chatter::server {

Q_DECLARE_LOGGING_CATEGORY(lcNet)      //!< connects, disconnects, refusals, slow readers
Q_DECLARE_LOGGING_CATEGORY(lcProtocol) //!< malformed frames and other protocol errors
Q_DECLARE_LOGGING_CATEGORY(lcChannel)  //!< joins, leaves, crashes
Q_DECLARE_LOGGING_CATEGORY(lcIdentity) //!< accounts, sessions, logins, bans, admin actions
Q_DECLARE_LOGGING_CATEGORY(lcCluster)  //!< Redis connections, the cluster id
//! DNS-SD announcements on the LAN through Avahi (docs/discovery.md)
Q_DECLARE_LOGGING_CATEGORY(lcDiscovery)

//! Where log lines go (docs/operations.md): `file` with size-based rotation when set; else the
//! journal when systemd connected stderr to it; else stderr.
struct LogOutput
{
    QString file;
    qint64 fileBytes = 10 * 1024 * 1024;
    int files = 5;
};

//! Installs the log format, the minimum level ("debug", "info", "warning", "error") and the
//! output. Call once, before the engine starts its threads. Fails only when the log file
//! cannot be opened.
Expected<void> setupLogging(const QString &level, const LogOutput &output = {});

} // namespace chatter::server
