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
      m_connectionName(QStringLiteral("chatter-store-%1").arg(quintptr(this))),
      m_mailbox(new Mailbox(this))
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

Expected<void> MessageStore::open()
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_options.path);
    if (!db.open())
        return failure(db.lastError().text());
    if (auto configured = schema::configure(db, m_options.fullSync); !configured)
        return configured;
    if (auto migrated = schema::migrate(db); !migrated)
        return migrated;
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
        return failure(m_insert->lastError().text() + m_upsertRoom->lastError().text());
    }
    m_pruneTimer = new QTimer(this);
    connect(m_pruneTimer, &QTimer::timeout, this, &MessageStore::pruneNow);
    m_pruneTimer->start(m_options.pruneIntervalMs);
    pruneNow();
    return {};
}

void MessageStore::append(StoredMessage message, Mailbox *context, Done done)
{
    // Appends from all workers meet in one list. Only the first one after a commit wakes the
    // store thread, to schedule the next commit; everything appended until that commit starts
    // rides along without another wake-up (each one used to cost a context switch).
    bool arm = false;
    {
        std::scoped_lock locker(m_incomingMutex);
        m_incoming.append(Pending{std::move(message), context, std::move(done)});
        arm = !std::exchange(m_flushArmed, true);
    }
    if (arm)
        m_mailbox->post([this] { scheduleFlush(); });
}

void MessageStore::run(std::function<void(QSqlDatabase &db)> job)
{
    m_mailbox->post([this, job = std::move(job)] {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        job(db);
    });
}

void MessageStore::every(int intervalMs, std::function<void(QSqlDatabase &db)> job)
{
    m_mailbox->post([this, intervalMs, job = std::move(job)] {
        // Made here, on the store thread, which owns it (a child of the store).
        auto *timer = new QTimer(this);
        connect(timer, &QTimer::timeout, this, [this, job] {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            job(db);
        });
        timer->start(intervalMs);
    });
}

void MessageStore::prune()
{
    m_mailbox->post([this] { pruneNow(); });
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
        std::scoped_lock locker(m_incomingMutex);
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
    // Each context's results join its queue in append order; one drain at a time runs them
    // on its thread.
    QList<std::shared_ptr<Results>> toDrain;
    for (Pending &p : batch) {
        Mailbox *context = p.context.data();
        if (!context)
            continue;
        std::shared_ptr<Results> &results = m_results[context];
        if (!results || results->context != context) {
            // New, or an object that was deleted and whose address is in use again.
            results = std::make_shared<Results>();
            results->context = context;
        }
        std::scoped_lock locker(results->mutex);
        results->queue.push_back({std::move(p.done), p.message, ok});
        if (!std::exchange(results->draining, true))
            toDrain.append(results);
    }
    for (const std::shared_ptr<Results> &results : std::as_const(toDrain))
        postDrain(results);
    // Forget contexts that are gone, with whatever they left.
    m_results.removeIf([](const auto &entry) { return !entry.value()->context; });
}

void MessageStore::postDrain(const std::shared_ptr<Results> &results)
{
    if (Mailbox *context = results->context.data()) {
        context->post([results] { drain(results); });
        return;
    }
    // The context went away meanwhile: nobody is left to tell.
    std::scoped_lock locker(results->mutex);
    results->queue.clear();
    results->draining = false;
}

void MessageStore::drain(const std::shared_ptr<Results> &results)
{
    constexpr int MaxPerTurn = 64;
    constexpr qint64 MaxTurnMs = 10;
    QElapsedTimer turn;
    turn.start();
    for (int done = 0;; ++done) {
        Results::Result next;
        {
            std::unique_lock locker(results->mutex);
            if (results->queue.empty() || !results->context) {
                // Done, or a callback deleted the context: the rest has nobody to go to.
                results->queue.clear();
                results->draining = false;
                return;
            }
            if (done == MaxPerTurn || (done > 0 && turn.elapsed() >= MaxTurnMs)) {
                // The rest after whatever else waits on this thread; still in order, since
                // nothing else runs these results.
                locker.unlock();
                postDrain(results);
                return;
            }
            next = std::move(results->queue.front());
            results->queue.pop_front();
        }
        next.done(next.message, next.committed);
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
