// SPDX-License-Identifier: MIT
#pragma once

#include <QLoggingCategory>

namespace chatter::server {

Q_DECLARE_LOGGING_CATEGORY(lcNet)      //!< connects, disconnects, refusals, slow readers
Q_DECLARE_LOGGING_CATEGORY(lcProtocol) //!< malformed frames and other protocol errors
Q_DECLARE_LOGGING_CATEGORY(lcChannel)  //!< joins, leaves, crashes
Q_DECLARE_LOGGING_CATEGORY(lcIdentity) //!< accounts, sessions, logins, bans, admin actions
Q_DECLARE_LOGGING_CATEGORY(lcCluster)  //!< Redis connections, the cluster id
//! DNS-SD announcements on the LAN through Avahi (docs/discovery.md)
Q_DECLARE_LOGGING_CATEGORY(lcDiscovery)

//! Installs the log format and the minimum level ("debug", "info", "warning", "error").
void setupLogging(const QString &level);

} // namespace chatter::server
