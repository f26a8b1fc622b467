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
    m_insert.reset();
    m_upsertRoom.reset();
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
    m_insert = std::make_unique<QSqlQuery>(db);
    m_upsertRoom = std::make_unique<QSqlQuery>(db);
    // Prepared once: parsing the SQL for every commit showed up in profiles.
    if (!m_insert->prepare(
            QStringLiteral("INSERT INTO messages (room, user, body, at) VALUES (?, ?, ?, ?)")) ||
        !m_upsertRoom->prepare(QStringLiteral(
            "INSERT INTO rooms (name, created_at, last_message_id, last_activity_at, "
            "message_count) VALUES (:name, :at, :id, :at, :count) ON CONFLICT(name) DO UPDATE "
            "SET last_message_id = :id, last_activity_at = :at, "
            "message_count = message_count + :count"))) {
        *error = m_insert->lastError().text() + m_upsertRoom->lastError().text();
        return false;
    }
    m_pruneTimer = new QTimer(this);
    connect(m_pruneTimer, &QTimer::timeout, this, &MessageStore::pruneNow);
    m_pruneTimer->start(m_options.pruneIntervalMs);
    pruneNow();
    return true;
}

void MessageStore::append(StoredMessage message, QObject *context, Done done)
{
    // Appends from all workers meet in one list. Only the first one after a commit wakes the
    // store thread, to schedule the next commit; everything appended until that commit starts
    // rides along without another wake-up (each one used to cost a context switch).
    bool arm = false;
    {
        QMutexLocker locker(&m_incomingMutex);
        m_incoming.append(Pending{std::move(message), context, std::move(done)});
        arm = !std::exchange(m_flushArmed, true);
    }
    if (arm)
        QMetaObject::invokeMethod(this, &MessageStore::scheduleFlush, Qt::QueuedConnection);
}

void MessageStore::prune()
{
    QMetaObject::invokeMethod(this, &MessageStore::pruneNow, Qt::QueuedConnection);
}

void MessageStore::scheduleFlush()
{
    // Right after a commit, wait a moment for more: under load that turns many tiny
    // transactions (each a fsync and two thread hops) into a few larger ones, and when idle
    // the first message still goes out at once.
    const qint64 sinceLast = m_sinceFlush.isValid() ? m_sinceFlush.elapsed() : MinFlushGapMs;
    if (sinceLast >= MinFlushGapMs)
        flush();
    else
        QTimer::singleShot(int(MinFlushGapMs - sinceLast), Qt::PreciseTimer, this,
                           &MessageStore::flush);
}

bool MessageStore::writeBatch(QList<Pending> &batch)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (!db.transaction())
        return false;
    struct RoomUpdate
    {
        qint64 lastId = 0;
        QString lastAt;
        int count = 0;
    };
    QHash<QString, RoomUpdate> rooms;
    bool ok = true;
    for (Pending &p : batch) {
        StoredMessage &m = p.message;
        m_insert->bindValue(0, m.room);
        m_insert->bindValue(1, m.user);
        m_insert->bindValue(2, m.body);
        m_insert->bindValue(3, m.at);
        if (!(ok = m_insert->exec()))
            break;
        m.id = m_insert->lastInsertId().toLongLong();
        RoomUpdate &room = rooms[m.room];
        room.lastId = m.id;
        room.lastAt = m.at;
        ++room.count;
    }
    // One directory update per room and batch, not per message.
    for (auto it = rooms.cbegin(); ok && it != rooms.cend(); ++it) {
        m_upsertRoom->bindValue(QStringLiteral(":name"), it.key());
        m_upsertRoom->bindValue(QStringLiteral(":at"), it->lastAt);
        m_upsertRoom->bindValue(QStringLiteral(":id"), it->lastId);
        m_upsertRoom->bindValue(QStringLiteral(":count"), it->count);
        ok = m_upsertRoom->exec();
    }
    if (!ok) {
        qCCritical(lcChannel).noquote()
            << "storing" << batch.size() << "messages failed:" << m_insert->lastError().text()
            << m_upsertRoom->lastError().text() << db.lastError().text();
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        qCCritical(lcChannel).noquote() << "commit failed:" << db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

void MessageStore::flush()
{
    QList<Pending> batch;
    {
        QMutexLocker locker(&m_incomingMutex);
        batch.swap(m_incoming);
        m_flushArmed = false;
    }
    if (batch.isEmpty())
        return;
    const bool ok = writeBatch(batch);
    m_sinceFlush.start();
    if (ok) {
        ++m_batches;
        m_messages += batch.size();
    }
    // One queued call per caller thread and batch, in append order.
    QHash<QObject *, QList<std::pair<Done, StoredMessage>>> byContext;
    QList<QObject *> order;
    for (Pending &p : batch) {
        if (!p.context)
            continue;
        auto &list = byContext[p.context];
        if (list.isEmpty())
            order.append(p.context);
        list.append({std::move(p.done), p.message});
    }
    for (QObject *context : std::as_const(order)) {
        QMetaObject::invokeMethod(
            context,
            [results = std::move(byContext[context]), ok] {
                for (const auto &[done, message] : results)
                    done(message, ok);
            },
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
