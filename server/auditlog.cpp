// SPDX-License-Identifier: MIT
#include "auditlog.h"

#include "eventlog.h"
#include "logging.h"
#include "messagestore.h"

#include <QSqlError>
#include <QSqlQuery>

namespace chatter::server {

AuditLog::AuditLog(MessageStore *store, EventLog *events) : m_store(store), m_events(events) {}

void AuditLog::record(const QString &actor, const QString &action, const QString &target,
                      const QHostAddress &address, const QString &detail)
{
    Entry entry;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.actor = actor;
    entry.action = action;
    entry.target = target;
    entry.address = address.isNull() ? QString() : address.toString();
    entry.detail = detail;
    if (m_store) {
        m_store->run([entry](QSqlDatabase &db) {
            if (const auto written = write(db, entry); !written)
                qCWarning(lcIdentity).noquote() << "audit log:" << written.error();
        });
    }
    // The event after the write is queued: whoever reads the stored log on seeing the event
    // (the monitor) reads after the write.
    if (m_events) {
        EngineEvent event;
        event.at = entry.at;
        event.kind = EngineEvent::Kind::Admin;
        event.user = actor;
        event.text = QStringLiteral("%1 %2 %3").arg(action, target, detail).trimmed();
        m_events->record(std::move(event));
    }
}

Expected<void> AuditLog::write(QSqlDatabase &db, const Entry &entry)
{
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO audit (at, actor, action, target, address, detail) "
                                  "VALUES (?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(entry.at.toString(Qt::ISODateWithMs));
    insert.addBindValue(entry.actor);
    insert.addBindValue(entry.action);
    insert.addBindValue(entry.target.isNull() ? QStringLiteral("") : entry.target);   // NOT NULL
    insert.addBindValue(entry.address.isNull() ? QStringLiteral("") : entry.address); // NOT NULL
    insert.addBindValue(entry.detail.isNull() ? QStringLiteral("") : entry.detail);   // NOT NULL
    if (!insert.exec())
        return failure(insert.lastError().text());
    return {};
}

Expected<QList<AuditLog::Entry>> AuditLog::read(QSqlDatabase &db, int limit)
{
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT id, at, actor, action, target, address, detail FROM "
                                 "audit ORDER BY id DESC LIMIT ?"));
    query.addBindValue(limit);
    if (!query.exec())
        return failure(query.lastError().text());
    QList<Entry> entries;
    while (query.next()) {
        Entry entry;
        entry.id = query.value(0).toLongLong();
        entry.at = QDateTime::fromString(query.value(1).toString(), Qt::ISODateWithMs);
        entry.actor = query.value(2).toString();
        entry.action = query.value(3).toString();
        entry.target = query.value(4).toString();
        entry.address = query.value(5).toString();
        entry.detail = query.value(6).toString();
        entries.prepend(std::move(entry));
    }
    return entries;
}

} // namespace chatter::server
