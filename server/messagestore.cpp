// SPDX-License-Identifier: MIT
#include "messagestore.h"

#include "logging.h"
#include "schema.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace chatter::server {

MessageStore::MessageStore(Options options)
    : m_options(std::move(options)),
      m_connectionName(QStringLiteral("chatter-store-%1").arg(quintptr(this)))
{}

MessageStore::~MessageStore()
{
    if (m_batches > 0) {
        qCInfo(lcChannel).noquote() << "history: stored" << m_messages.load() << "messages in"
                                    << m_batches.load() << "commits";
    }
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool MessageStore::open(QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_options.path);
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    if (!schema::configure(db, m_options.fullSync, error) || !schema::migrate(db, error))
        return false;
    m_pruneTimer = new QTimer(this);
    connect(m_pruneTimer, &QTimer::timeout, this, &MessageStore::pruneNow);
    m_pruneTimer->start(m_options.pruneIntervalMs);
    pruneNow();
    return true;
}

void MessageStore::append(StoredMessage message, QObject *context, Done done)
{
    Pending pending{std::move(message), context, std::move(done)};
    QMetaObject::invokeMethod(
        this, [this, p = std::move(pending)]() mutable { enqueue(std::move(p)); },
        Qt::QueuedConnection);
}

void MessageStore::prune()
{
    QMetaObject::invokeMethod(this, &MessageStore::pruneNow, Qt::QueuedConnection);
}

void MessageStore::enqueue(Pending pending)
{
    m_pending.append(std::move(pending));
    // Queued behind every append already waiting in the event queue, so they share this commit.
    if (!m_flushQueued) {
        m_flushQueued = true;
        QMetaObject::invokeMethod(this, &MessageStore::flush, Qt::QueuedConnection);
    }
}

void MessageStore::flush()
{
    m_flushQueued = false;
    QList<Pending> batch = std::exchange(m_pending, {});
    if (batch.isEmpty())
        return;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    bool ok = db.transaction();
    QSqlQuery insert(db);
    QSqlQuery room(db);
    ok = ok && insert.prepare(QStringLiteral(
                   "INSERT INTO messages (room, user, body, at) VALUES (?, ?, ?, ?)"));
    ok = ok &&
         room.prepare(QStringLiteral("INSERT INTO rooms (name, created_at, last_message_id, "
                                     "last_activity_at, message_count) "
                                     "VALUES (:name, :at, :id, :at, 1) ON CONFLICT(name) DO UPDATE "
                                     "SET last_message_id = :id, "
                                     "last_activity_at = :at, message_count = message_count + 1"));
    for (Pending &p : batch) {
        if (!ok)
            break;
        StoredMessage &m = p.message;
        insert.addBindValue(m.room);
        insert.addBindValue(m.user);
        insert.addBindValue(m.body);
        insert.addBindValue(m.at);
        ok = insert.exec();
        m.id = insert.lastInsertId().toLongLong();
        room.bindValue(QStringLiteral(":name"), m.room);
        room.bindValue(QStringLiteral(":at"), m.at);
        room.bindValue(QStringLiteral(":id"), m.id);
        ok = ok && room.exec();
    }
    if (!ok) {
        qCCritical(lcChannel).noquote()
            << "storing" << batch.size() << "messages failed:" << insert.lastError().text()
            << room.lastError().text() << db.lastError().text();
        db.rollback();
    } else if (!db.commit()) {
        qCCritical(lcChannel).noquote() << "commit failed:" << db.lastError().text();
        db.rollback();
        ok = false;
    } else {
        ++m_batches;
        m_messages += batch.size();
    }
    for (Pending &p : batch) {
        if (!p.context)
            continue;
        QMetaObject::invokeMethod(
            p.context, [done = std::move(p.done), m = p.message, ok] { done(m, ok); },
            Qt::QueuedConnection);
    }
}

void MessageStore::pruneNow()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (!db.isOpen())
        return;
    QSqlQuery query(db);
    int removed = 0;
    if (m_options.retainDays > 0) {
        const QString cutoff = QDateTime::currentDateTimeUtc()
                                   .addDays(-m_options.retainDays)
                                   .toString(Qt::ISODateWithMs);
        query.prepare(QStringLiteral("DELETE FROM messages WHERE at < ?"));
        query.addBindValue(cutoff);
        if (query.exec())
            removed += query.numRowsAffected();
    }
    if (m_options.retainPerRoom > 0) {
        QStringList rooms;
        if (query.exec(QStringLiteral("SELECT name FROM rooms"))) {
            while (query.next())
                rooms.append(query.value(0).toString());
        }
        QSqlQuery trim(db);
        trim.prepare(QStringLiteral(
            "DELETE FROM messages WHERE room = :room AND id <= (SELECT id FROM messages "
            "WHERE room = :room ORDER BY id DESC LIMIT 1 OFFSET :keep)"));
        for (const QString &room : rooms) {
            trim.bindValue(QStringLiteral(":room"), room);
            trim.bindValue(QStringLiteral(":keep"), m_options.retainPerRoom);
            if (trim.exec())
                removed += trim.numRowsAffected();
        }
    }
    if (removed > 0)
        qCInfo(lcChannel) << "retention removed" << removed << "messages";
}

} // namespace chatter::server
