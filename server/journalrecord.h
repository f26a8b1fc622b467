// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QtGlobal>

namespace chatter::server::journal {

//! Whether systemd connected stderr to the journal: it sets JOURNAL_STREAM to
//! "<device>:<inode>" of that stream, and only when stderr is still that stream do records
//! belong in the journal (a child that redirected stderr inherits the variable, not the
//! stream). systemd.exec(5), "$JOURNAL_STREAM".
bool stderrIsJournal();

//! What a log line is, for the journal's MESSAGE_ID (stable across versions,
//! docs/operations.md) and CHATTER_EVENT; both null for a line of no listed kind.
struct LineKind
{
    const char *messageId = nullptr;
    const char *event = nullptr;
};
LineKind kindOf(QStringView message);

//! The journal's PRIORITY (syslog levels) of a Qt message type.
int priorityOf(QtMsgType type);

//! Sends one record to journald with sd_journal_sendv: MESSAGE, PRIORITY, MESSAGE_ID and
//! CHATTER_EVENT (when kindOf knows the line), CHATTER_CATEGORY, SYSLOG_IDENTIFIER. Thread-safe
//! (libsystemd's own promise). False when the journal did not take it.
bool send(QtMsgType type, const char *category, const QString &message);

} // namespace chatter::server::journal
