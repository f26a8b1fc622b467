// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QString>

class QSqlDatabase;

namespace chatter::server {

class EventLog;
class MessageStore;

//! The stored audit log (table `audit`, docs/identity.md): logins, failed logins, admin
//! actions. Thread-safe: records are written on the store thread in the order they were made,
//! and each one is also an event in the EventLog, so the monitor shows it at once.
class AuditLog
{
public:
    struct Entry
    {
        qint64 id = 0;
        QDateTime at;
        QString actor;  //!< who did it: a nickname, "cli", or "monitor"
        QString action; //!< "login", "login_failed", "register", "kick", "ban", ...
        QString target;
        QString address;
        QString detail;
    };

    AuditLog(MessageStore *store, EventLog *events);

    void record(const QString &actor, const QString &action, const QString &target = {},
                const QHostAddress &address = {}, const QString &detail = {});

    //! Writes one entry with `db` (for the command line, which has no engine).
    static Expected<void> write(QSqlDatabase &db, const Entry &entry);
    //! The newest `limit` entries, oldest first.
    static Expected<QList<Entry>> read(QSqlDatabase &db, int limit);

private:
    MessageStore *m_store;
    EventLog *m_events;
};

} // namespace chatter::server
