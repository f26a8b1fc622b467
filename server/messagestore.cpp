// SPDX-License-Identifier: MIT
#include "messagestore.h"

#include "chatvalidation.h"
#include "filecontentstore.h"
#include "logging.h"
#include "schema.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace chatter::server {

struct MessageStore::ChangeQueries
{
    explicit ChangeQueries(QSqlDatabase &db)
        : find(db), edit(db), remove(db), dropReactions(db), hasReaction(db), countEmoji(db),
          addReaction(db), removeReaction(db), listReactions(db), forgetChange(db), noteChange(db),
          loseFiles(db), dropFiles(db)
    {}
    QSqlQuery find, edit, remove, dropReactions, hasReaction, countEmoji, addReaction,
        removeReaction, listReactions, forgetChange, noteChange, loseFiles, dropFiles;

    QList<QSqlQuery *> all()
    {
        return {&find,       &edit,        &remove,         &dropReactions, &hasReaction,
                &countEmoji, &addReaction, &removeReaction, &listReactions, &forgetChange,
                &noteChange, &loseFiles,   &dropFiles};
    }
};

MessageStore::MessageStore(Options options)
    : m_options(std::move(options)), m_dialect(m_options.location),
      m_connectionName(QStringLiteral("chatter-store-%1").arg(quintptr(this))),
      m_mailbox(new Mailbox(this))
{}

MessageStore::~MessageStore()
{
    dropStatements();
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
    auto opened = m_dialect.open(m_connectionName, SqlDialect::Role::Writer, m_options.fullSync);
    if (!opened)
        return failure(opened.error());
    QSqlDatabase db = *opened;
    if (auto migrated = schema::migrate(db); !migrated)
        return migrated;
    if (auto loaded = loadHeads(db); !loaded)
        return loaded;
    if (auto prepared = prepareStatements(db); !prepared)
        return prepared;
    if (m_dialect.isPostgres())
        qCInfo(lcChannel).noquote()
            << "history in PostgreSQL" << m_dialect.location().display()
            << "(acknowledged after COMMIT with synchronous_commit = on; durability is the "
               "server's fsync setting)";
    m_pruneTimer = new QTimer(this);
    connect(m_pruneTimer, &QTimer::timeout, this, &MessageStore::pruneNow);
    m_pruneTimer->start(m_options.pruneIntervalMs);
    pruneNow();
    return {};
}

void MessageStore::dropStatements()
{
    m_insert.reset();
    m_upsertRoom.reset();
    m_lockRoom.reset();
    m_createRoom.reset();
    m_insertFile.reset();
    m_markAttached.reset();
    m_changeQueries.reset();
}

void MessageStore::reconnectIfDown()
{
    // PostgreSQL: a connection whose server went away stays "open" in Qt and fails every
    // statement. A failed batch probes it; a dead one is closed and opened again (with the
    // session settings, and the statements prepared again), at most once per backoff step
    // (100 ms doubling to 2 s), so that while the server is down each batch fails at once.
    if (!m_dialect.isPostgres())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        QSqlQuery probe(db);
        if (db.isOpen() && probe.exec(QStringLiteral("SELECT 1")))
            return;
    }
    if (m_reconnectTimer.isValid() && m_reconnectTimer.elapsed() < m_reconnectBackoffMs)
        return;
    m_reconnectTimer.start();
    dropStatements();
    QSqlDatabase::removeDatabase(m_connectionName);
    auto opened = m_dialect.open(m_connectionName, SqlDialect::Role::Writer, m_options.fullSync);
    if (opened) {
        if (auto prepared = prepareStatements(*opened); prepared) {
            qCInfo(lcChannel).noquote() << "history: connected to PostgreSQL again";
            m_reconnectBackoffMs = 0;
            // The failure was the connection's, and it is new: the next batch will tell.
            m_lastBatchOk.store(true, std::memory_order_relaxed);
            return;
        } else {
            opened = failure(prepared.error());
        }
    }
    m_reconnectBackoffMs = std::clamp(m_reconnectBackoffMs * 2, qint64(100), qint64(2000));
    qCWarning(lcChannel).noquote() << "history: PostgreSQL unreachable:" << opened.error();
}

Expected<void> MessageStore::prepareStatements(QSqlDatabase &db)
{
    m_insert = std::make_unique<QSqlQuery>(db);
    m_upsertRoom = std::make_unique<QSqlQuery>(db);
    // Prepared once: parsing the SQL for every commit showed up in profiles.
    bool prepared = m_insert->prepare(m_dialect.insertMessage());
    if (prepared && m_dialect.locksRooms()) {
        m_lockRoom = std::make_unique<QSqlQuery>(db);
        m_createRoom = std::make_unique<QSqlQuery>(db);
        // The row is locked before the batch takes ids and released by its COMMIT: another
        // node's batch for the same room takes its ids after this one is visible.
        prepared = m_lockRoom->prepare(QStringLiteral(
                       "SELECT last_message_id, last_change_seq FROM rooms WHERE name = ? "
                       "FOR UPDATE")) &&
                   m_createRoom->prepare(
                       QStringLiteral("INSERT INTO rooms (name, created_at) VALUES (?, ?) "
                                      "ON CONFLICT (name) DO NOTHING")) &&
                   m_upsertRoom->prepare(QStringLiteral(
                       "UPDATE rooms SET last_message_id = ?, "
                       "last_activity_at = COALESCE(?, last_activity_at), "
                       "message_count = message_count + ?, last_change_seq = ? WHERE name = ?"));
    } else if (prepared) {
        prepared = m_upsertRoom->prepare(QStringLiteral(
            "INSERT INTO rooms (name, created_at, last_message_id, last_activity_at, "
            "message_count) VALUES (:name, :at, :id, :at, :count) ON CONFLICT(name) DO UPDATE "
            "SET last_message_id = :id, last_activity_at = :at, "
            "message_count = message_count + :count"));
    }
    if (!prepared) {
        QString error = m_insert->lastError().text() + m_upsertRoom->lastError().text();
        if (m_lockRoom)
            error += m_lockRoom->lastError().text() + m_createRoom->lastError().text();
        return failure(error);
    }
    return {};
}

Expected<void> MessageStore::loadHeads(QSqlDatabase &db)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT name, last_message_id FROM rooms")))
        return failure(q.lastError().text());
    while (q.next())
        m_heads.noteMessage(q.value(0).toString(), q.value(1).toLongLong());
    if (!q.exec(QStringLiteral("SELECT room, MAX(seq) FROM changes GROUP BY room")))
        return failure(q.lastError().text());
    while (q.next())
        m_heads.noteChange(q.value(0).toString(), q.value(1).toLongLong());
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

void MessageStore::change(MessageChange change, Mailbox *context, ChangeDone done)
{
    auto pending = std::make_shared<PendingChange>();
    pending->request = std::move(change);
    pending->done = std::move(done);
    bool arm = false;
    {
        std::scoped_lock locker(m_incomingMutex);
        m_incoming.append(Pending{{}, context, {}, std::move(pending)});
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

qsizetype MessageStore::queuedRequests()
{
    std::scoped_lock locker(m_incomingMutex);
    return m_incoming.size();
}

void MessageStore::probe(Mailbox *context, std::function<void(const Expected<void> &outcome)> done)
{
    m_mailbox->post([this, context = QPointer<Mailbox>(context), done = std::move(done)] {
        const Expected<void> outcome = probeNow();
        if (!outcome)
            reconnectIfDown();
        if (Mailbox *target = context.data())
            target->post([done, outcome] { done(outcome); });
    });
}

Expected<void> MessageStore::probeNow()
{
    // The writer's own connection, as a batch uses it: a store that answers here commits.
    if (!m_insert)
        return failure(QStringLiteral("no connection to the database"));
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction())
        return failure(db.lastError().text());
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT 1"))) {
        const QString why = query.lastError().text();
        db.rollback();
        return failure(why);
    }
    query.finish();
    if (!db.commit()) {
        const QString why = db.lastError().text();
        db.rollback();
        return failure(why);
    }
    return {};
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
        qint64 lastSeq = 0;
    };
    QHash<QString, RoomUpdate> rooms;
    QHash<QString, LockedRoom> locked;
    bool ok = !m_dialect.locksRooms() || lockRooms(batch, locked);
    for (Pending &p : batch) {
        if (!ok)
            break;
        if (p.change) {
            if (!(ok = writeChange(*p.change)))
                break;
            if (p.change->outcome.changed)
                rooms[p.change->request.room].lastSeq = p.change->outcome.seq;
            continue;
        }
        StoredMessage &m = p.message;
        m_insert->bindValue(0, m.room);
        m_insert->bindValue(1, m.user);
        m_insert->bindValue(2, m.body);
        m_insert->bindValue(3, m.at);
        m_insert->bindValue(4, m.replyTo > 0 ? QVariant(m.replyTo) : QVariant());
        // A null QString would bind as NULL; older callers (tools, tests) leave it unset.
        m_insert->bindValue(5, m.author.isNull() ? QStringLiteral("") : m.author);
        // PostgreSQL keeps the folded nickname for `from:` (inventory SR3).
        if (m_dialect.isPostgres())
            m_insert->bindValue(6, m.user.toCaseFolded());
        if (!(ok = m_insert->exec()))
            break;
        if (m_dialect.returnsIds()) {
            if (!(ok = m_insert->next()))
                break;
            m.id = m_insert->value(0).toLongLong();
            m_insert->finish();
        } else {
            m.id = m_insert->lastInsertId().toLongLong();
        }
        if (!m.attachments.isEmpty() && !(ok = writeAttachments(m)))
            break;
        RoomUpdate &room = rooms[m.room];
        // The chain starts at what the room's lock found (PostgreSQL: every node's commits),
        // or at this process's head (SQLite: the one writer).
        m.prevId = room.count > 0           ? room.lastId
                   : m_dialect.locksRooms() ? locked.value(m.room).lastMessageId
                                            : m_heads.of(m.room).lastMessageId;
        room.lastId = m.id;
        room.lastAt = m.at;
        ++room.count;
    }
    // One directory update per room and batch, not per message.
    for (auto it = rooms.cbegin(); ok && m_dialect.locksRooms() && it != rooms.cend(); ++it) {
        const LockedRoom &before = locked.value(it.key());
        const bool appended = it->count > 0;
        m_upsertRoom->bindValue(0, appended ? it->lastId : before.lastMessageId);
        m_upsertRoom->bindValue(1, appended ? QVariant(it->lastAt) : QVariant());
        m_upsertRoom->bindValue(2, it->count);
        m_upsertRoom->bindValue(3, it->lastSeq > 0 ? it->lastSeq : before.lastChangeSeq);
        m_upsertRoom->bindValue(4, it.key());
        ok = m_upsertRoom->exec();
    }
    for (auto it = rooms.cbegin(); ok && !m_dialect.locksRooms() && it != rooms.cend(); ++it) {
        if (it->count == 0)
            continue; // SQLite's rooms have no change counter
        m_upsertRoom->bindValue(QStringLiteral(":name"), it.key());
        m_upsertRoom->bindValue(QStringLiteral(":at"), it->lastAt);
        m_upsertRoom->bindValue(QStringLiteral(":id"), it->lastId);
        m_upsertRoom->bindValue(QStringLiteral(":count"), it->count);
        ok = m_upsertRoom->exec();
    }
    if (!ok) {
        qCCritical(lcChannel).noquote()
            << "storing" << batch.size() << "messages failed:" << m_insert->lastError().text()
            << m_upsertRoom->lastError().text()
            << (m_lockRoom ? m_lockRoom->lastError().text() : QString()) << db.lastError().text();
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        qCCritical(lcChannel).noquote() << "commit failed:" << db.lastError().text();
        db.rollback();
        return false;
    }
    // Before the results go back: a worker publishes only what the heads already show.
    for (auto it = rooms.cbegin(); it != rooms.cend(); ++it)
        m_heads.noteMessage(it.key(), it->lastId);
    for (const Pending &p : std::as_const(batch)) {
        if (p.change && p.change->outcome.changed)
            m_heads.noteChange(p.change->request.room, p.change->outcome.seq);
    }
    return true;
}

bool MessageStore::lockRooms(const QList<Pending> &batch, QHash<QString, LockedRoom> &rooms)
{
    // Every room the batch writes to (appends and changes alike), locked in one order shared by
    // every node, so that two nodes' batches cannot deadlock on rooms.
    QStringList names;
    QString firstAt;
    for (const Pending &p : batch) {
        names.append(p.change ? p.change->request.room : p.message.room);
        if (firstAt.isEmpty() && !p.change)
            firstAt = p.message.at;
    }
    if (firstAt.isEmpty())
        firstAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    names.sort();
    names.removeDuplicates();
    for (const QString &name : std::as_const(names)) {
        // A room's first message creates its row; then it is locked like any other.
        for (int attempt = 0; attempt < 2; ++attempt) {
            m_lockRoom->bindValue(0, name);
            if (!m_lockRoom->exec())
                return false;
            if (m_lockRoom->next()) {
                rooms.insert(
                    name, {m_lockRoom->value(0).toLongLong(), m_lockRoom->value(1).toLongLong()});
                m_lockRoom->finish();
                break;
            }
            m_lockRoom->finish();
            if (attempt == 1)
                return false;
            m_createRoom->bindValue(0, name);
            m_createRoom->bindValue(1, firstAt);
            if (!m_createRoom->exec())
                return false;
        }
    }
    return true;
}

bool MessageStore::writeAttachments(const StoredMessage &message)
{
    if (!m_insertFile) {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName);
        auto insert = std::make_unique<QSqlQuery>(db);
        auto mark = std::make_unique<QSqlQuery>(db);
        // A file removed since the sender's check (never attached for an hour) is skipped:
        // the message goes out without it rather than not at all.
        if (!insert->prepare(
                QStringLiteral("INSERT INTO message_files (message_id, file_id, position) "
                               "SELECT ?, id, ? FROM files WHERE id = ? AND removed = 0")) ||
            !mark->prepare(
                QStringLiteral("UPDATE files SET attached = 1 WHERE id = ? AND attached <> 1"))) {
            qCCritical(lcChannel).noquote()
                << "preparing attachments:" << insert->lastError().text()
                << mark->lastError().text();
            return false;
        }
        m_insertFile = std::move(insert);
        m_markAttached = std::move(mark);
    }
    for (qsizetype i = 0; i < message.attachments.size(); ++i) {
        const QString &id = message.attachments.at(i).id;
        m_insertFile->bindValue(0, message.id);
        m_insertFile->bindValue(1, int(i));
        m_insertFile->bindValue(2, id);
        m_markAttached->bindValue(0, id);
        if (!m_insertFile->exec() || !m_markAttached->exec())
            return false;
    }
    return true;
}

bool MessageStore::prepareChangeQueries(QSqlDatabase &db)
{
    if (m_changeQueries)
        return true;
    auto q = std::make_unique<ChangeQueries>(db);
    const bool ok =
        q->find.prepare(
            QStringLiteral("SELECT room, deleted, body, edited_at FROM messages WHERE id = ?")) &&
        q->edit.prepare(
            QStringLiteral("UPDATE messages SET body = ?, edited_at = ? WHERE id = ?")) &&
        q->remove.prepare(
            QStringLiteral("UPDATE messages SET body = '', deleted = 1 WHERE id = ?")) &&
        q->dropReactions.prepare(QStringLiteral("DELETE FROM reactions WHERE message_id = ?")) &&
        q->hasReaction.prepare(QStringLiteral(
            "SELECT 1 FROM reactions WHERE message_id = ? AND emoji = ? AND \"user\" = ?")) &&
        q->countEmoji.prepare(
            QStringLiteral("SELECT COUNT(DISTINCT emoji), COUNT(CASE WHEN emoji = ? THEN 1 END) "
                           "FROM reactions WHERE message_id = ?")) &&
        q->addReaction.prepare(QStringLiteral(
            "INSERT INTO reactions (message_id, emoji, \"user\") VALUES (?, ?, ?)")) &&
        q->removeReaction.prepare(QStringLiteral(
            "DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND \"user\" = ?")) &&
        q->listReactions.prepare(
            QStringLiteral("SELECT emoji, \"user\" FROM reactions WHERE message_id = ? "
                           "ORDER BY emoji, \"user\"")) &&
        q->forgetChange.prepare(QStringLiteral("DELETE FROM changes WHERE message_id = ?")) &&
        q->noteChange.prepare(m_dialect.insertChange()) &&
        q->loseFiles.prepare(
            QStringLiteral("UPDATE files SET attached = 2 WHERE id IN "
                           "(SELECT file_id FROM message_files WHERE message_id = ?)")) &&
        q->dropFiles.prepare(QStringLiteral("DELETE FROM message_files WHERE message_id = ?"));
    if (!ok) {
        for (QSqlQuery *query : q->all()) {
            if (query->lastError().isValid())
                qCCritical(lcChannel).noquote()
                    << "preparing a change:" << query->lastError().text();
        }
        return false;
    }
    m_changeQueries = std::move(q);
    return true;
}

bool MessageStore::writeChange(PendingChange &pending)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName);
    if (!prepareChangeQueries(db))
        return false;
    ChangeQueries &q = *m_changeQueries;
    const MessageChange &request = pending.request;
    ChangeOutcome &outcome = pending.outcome;
    outcome.message.id = request.id;
    outcome.message.room = request.room;

    q.find.addBindValue(request.id);
    if (!q.find.exec())
        return false;
    if (!q.find.next() || q.find.value(0).toString() != request.room) {
        q.find.finish();
        outcome.refusal = QStringLiteral("no such message");
        return true;
    }
    outcome.message.deleted = q.find.value(1).toBool();
    outcome.message.body = q.find.value(2).toString();
    outcome.message.editedAt = q.find.value(3).toString();
    q.find.finish();
    if (outcome.message.deleted) {
        outcome.refusal = QStringLiteral("message deleted");
        return true;
    }

    switch (request.kind) {
    case MessageChange::Kind::Edit:
        if (request.body == outcome.message.body)
            return true;
        q.edit.addBindValue(request.body);
        q.edit.addBindValue(request.at);
        q.edit.addBindValue(request.id);
        if (!q.edit.exec())
            return false;
        outcome.message.body = request.body;
        outcome.message.editedAt = request.at;
        break;
    case MessageChange::Kind::Delete:
        q.remove.addBindValue(request.id);
        q.dropReactions.addBindValue(request.id);
        // Its files go at the next retention pass, when no other message refers to them.
        q.loseFiles.addBindValue(request.id);
        q.dropFiles.addBindValue(request.id);
        if (!q.remove.exec() || !q.dropReactions.exec() || !q.loseFiles.exec() ||
            !q.dropFiles.exec())
            return false;
        outcome.message.deleted = true;
        outcome.message.body.clear();
        break;
    case MessageChange::Kind::React: {
        q.hasReaction.addBindValue(request.id);
        q.hasReaction.addBindValue(request.emoji);
        q.hasReaction.addBindValue(request.user);
        if (!q.hasReaction.exec())
            return false;
        const bool has = q.hasReaction.next();
        q.hasReaction.finish();
        if (request.on && !has) {
            q.countEmoji.addBindValue(request.emoji);
            q.countEmoji.addBindValue(request.id);
            if (!q.countEmoji.exec() || !q.countEmoji.next())
                return false;
            const int distinct = q.countEmoji.value(0).toInt();
            const bool known = q.countEmoji.value(1).toInt() > 0;
            q.countEmoji.finish();
            if (!known && distinct >= validation::MaxReactionEmoji) {
                outcome.refusal = QStringLiteral("too many reactions");
                return true;
            }
            q.addReaction.addBindValue(request.id);
            q.addReaction.addBindValue(request.emoji);
            q.addReaction.addBindValue(request.user);
            if (!q.addReaction.exec())
                return false;
        } else if (!request.on && has) {
            q.removeReaction.addBindValue(request.id);
            q.removeReaction.addBindValue(request.emoji);
            q.removeReaction.addBindValue(request.user);
            if (!q.removeReaction.exec())
                return false;
        }
        q.listReactions.addBindValue(request.id);
        if (!q.listReactions.exec())
            return false;
        while (q.listReactions.next()) {
            const QString emoji = q.listReactions.value(0).toString();
            if (outcome.message.reactions.isEmpty() ||
                outcome.message.reactions.last().first != emoji)
                outcome.message.reactions.append({emoji, {}});
            outcome.message.reactions.last().second.append(q.listReactions.value(1).toString());
        }
        q.listReactions.finish();
        if (request.on == has)
            return true; // already as asked: nothing to note
        break;
    }
    }
    // The message's one row in `changes` moves to the newest sequence value.
    q.forgetChange.addBindValue(request.id);
    q.noteChange.addBindValue(request.room);
    q.noteChange.addBindValue(request.id);
    if (!q.forgetChange.exec() || !q.noteChange.exec())
        return false;
    if (m_dialect.returnsIds()) {
        if (!q.noteChange.next())
            return false;
        outcome.seq = q.noteChange.value(0).toLongLong();
        q.noteChange.finish();
    } else {
        outcome.seq = q.noteChange.lastInsertId().toLongLong();
    }
    outcome.changed = true;
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
    // No statements: the connection was lost and not opened again yet (reconnectIfDown).
    QElapsedTimer took;
    took.start();
    const bool ok = m_insert && writeBatch(batch);
    m_commitLatency.observe(took.nsecsElapsed());
    m_sinceFlush.start();
    m_lastBatchOk.store(ok, std::memory_order_relaxed);
    if (ok) {
        ++m_batches;
        m_messages += batch.size();
    } else {
        m_failedBatches.fetch_add(1, std::memory_order_relaxed);
        reconnectIfDown();
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
        if (p.change)
            p.change->outcome.committed = ok;
        results->queue.push_back({std::move(p.done), p.message, ok, std::move(p.change)});
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
        if (next.change)
            next.change->done(next.change->outcome);
        else
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
    if (removed > 0) {
        // What belonged to the removed messages goes with them.
        // NOT EXISTS, an anti-join on both stores (PostgreSQL plans NOT IN over a subquery as
        // a per-row scan once the ids outgrow work_mem: inventory MS21-24).
        query.exec(QStringLiteral("DELETE FROM reactions WHERE NOT EXISTS "
                                  "(SELECT 1 FROM messages m WHERE m.id = reactions.message_id)"));
        query.exec(QStringLiteral("DELETE FROM changes WHERE NOT EXISTS "
                                  "(SELECT 1 FROM messages m WHERE m.id = changes.message_id)"));
        query.exec(QStringLiteral(
            "UPDATE files SET attached = 2 WHERE id IN (SELECT mf.file_id FROM message_files mf "
            "WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = mf.message_id))"));
        query.exec(
            QStringLiteral("DELETE FROM message_files WHERE NOT EXISTS "
                           "(SELECT 1 FROM messages m WHERE m.id = message_files.message_id)"));
        qCInfo(lcChannel) << "retention removed" << removed << "messages";
    }
    if (m_options.files)
        removeUnreferencedFiles(db);
}

void MessageStore::removeUnreferencedFiles(QSqlDatabase &db)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString graceCutoff = now.addMSecs(-m_options.orphanFileMs).toString(Qt::ISODateWithMs);
    // Removed rows stay a day: the upload quota counts what was uploaded, not what is kept.
    const QString quotaCutoff = now.addDays(-1).toString(Qt::ISODateWithMs);
    if (!db.transaction())
        return;
    // Candidates only (the partial index files_candidates): uploads never attached past the
    // grace period, and files that lost a message since the last pass.
    QSqlQuery query(db);
    query.prepare(QStringLiteral(
        "SELECT id, sha256, EXISTS (SELECT 1 FROM message_files mf WHERE mf.file_id = f.id) "
        "FROM files f WHERE removed = 0 AND attached <> 1 AND (attached = 2 OR created_at < ?)"));
    query.addBindValue(graceCutoff);
    QStringList ids;
    QStringList stillAttached;
    QSet<QString> hashes;
    const FileContentStore &content = *m_options.files;
    bool ok = query.exec();
    while (ok && query.next()) {
        if (query.value(2).toBool()) {
            stillAttached.append(query.value(0).toString());
            continue;
        }
        ids.append(query.value(0).toString());
        hashes.insert(query.value(1).toString());
    }
    query.finish();
    QSqlQuery mark(db);
    mark.prepare(QStringLiteral("UPDATE files SET removed = 1 WHERE id = ?"));
    for (const QString &id : std::as_const(ids)) {
        mark.bindValue(0, id);
        ok = ok && mark.exec();
    }
    QSqlQuery keep(db);
    keep.prepare(QStringLiteral("UPDATE files SET attached = 1 WHERE id = ?"));
    for (const QString &id : std::as_const(stillAttached)) {
        keep.bindValue(0, id);
        ok = ok && keep.exec();
    }
    QSqlQuery forget(db);
    forget.prepare(QStringLiteral("DELETE FROM files WHERE removed = 1 AND created_at < ?"));
    forget.addBindValue(quotaCutoff);
    ok = ok && forget.exec();
    // Content is shared by every upload of the same bytes: it goes when no kept row has it,
    // in this transaction (PostgreSQL) or after it (disk).
    const QStringList unused(hashes.cbegin(), hashes.cend());
    Expected<int> removed = 0;
    if (ok && content.removesInTransaction() && !unused.isEmpty())
        removed = content.removeUnused(db, unused);
    if (!ok || !removed || !db.commit()) {
        qCWarning(lcChannel).noquote()
            << "removing files failed:" << query.lastError().text() << mark.lastError().text()
            << db.lastError().text() << (removed ? QString() : removed.error());
        db.rollback();
        return;
    }
    if (ids.isEmpty())
        return;
    if (!content.removesInTransaction())
        removed = content.removeUnused(db, unused);
    const int deleted = removed ? *removed : 0;
    qCInfo(lcChannel) << "retention removed" << ids.size() << "files," << deleted
                      << "of them the last copy of their content";
}

} // namespace chatter::server
