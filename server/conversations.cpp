// SPDX-License-Identifier: MIT
#include "conversations.h"

#include "historyreader.h"
#include "isotime.h"
#include "logging.h"
#include "mailbox.h"
#include "messagestore.h"
#include "sqldialect.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <mutex>

namespace chatter::server {
namespace {

QString nowText()
{
    return isotime::now();
}

bool execOrWarn(QSqlQuery &query)
{
    if (query.exec())
        return true;
    qCWarning(lcIdentity).noquote() << "conversations:" << query.lastError().text();
    return false;
}

} // namespace

bool Conversations::PrivateRoom::hasMember(qint64 accountId) const
{
    return std::any_of(members.begin(), members.end(),
                       [accountId](const Member &m) { return m.accountId == accountId; });
}

Expected<QList<Conversations::PrivateRoom>> Conversations::roomsFrom(QSqlDatabase &db)
{
    QList<PrivateRoom> rooms;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral(
            "SELECT p.name, COALESCE(p.owner_id, 0), COALESCE(a.display, ''), p.is_group "
            "FROM private_rooms p LEFT JOIN accounts a ON a.id = p.owner_id ORDER BY p.name")))
        return failure(query.lastError().text());
    QHash<QString, qsizetype> index;
    while (query.next()) {
        PrivateRoom room;
        room.name = query.value(0).toString();
        room.ownerId = query.value(1).toLongLong();
        room.ownerDisplay = query.value(2).toString();
        room.group = query.value(3).toBool();
        index.insert(room.name, rooms.size());
        rooms.append(std::move(room));
    }
    // Members in the order they were added: SQLite's rowid, PostgreSQL's `seq` (inventory CV2).
    if (!query.exec(SqlDialect::of(db).membersInOrder()))
        return failure(query.lastError().text());
    while (query.next()) {
        const auto at = index.constFind(query.value(0).toString());
        if (at != index.constEnd())
            rooms[*at].members.append({query.value(1).toLongLong(), query.value(2).toString()});
    }
    return rooms;
}

Expected<QHash<QString, Conversations::ReadState>> Conversations::readStatesFrom(QSqlDatabase &db,
                                                                                 qint64 accountId)
{
    QHash<QString, ReadState> states;
    QSqlQuery query(db);
    query.prepare(QStringLiteral(
        "SELECT conversation, last_read_id, muted FROM read_state WHERE account_id = ?"));
    query.addBindValue(accountId);
    if (!query.exec())
        return failure(query.lastError().text());
    while (query.next())
        states.insert(query.value(0).toString(),
                      {query.value(1).toLongLong(), query.value(2).toBool()});
    return states;
}

Expected<Conversations::Loaded> Conversations::loadFrom(QSqlDatabase &db)
{
    Loaded loaded;
    auto rooms = roomsFrom(db);
    if (!rooms)
        return failure(rooms.error());
    loaded.rooms = std::move(*rooms);
    QSqlQuery query(db);
    if (!query.exec(
            QStringLiteral("SELECT account_id, conversation, last_read_id, muted FROM read_state")))
        return failure(query.lastError().text());
    while (query.next())
        loaded.readStates[query.value(0).toLongLong()].insert(
            query.value(1).toString(), {query.value(2).toLongLong(), query.value(3).toBool()});
    return loaded;
}

QStringList Conversations::reloadRooms(QList<PrivateRoom> rooms)
{
    std::unique_lock locker(m_mutex);
    QHash<QString, PrivateRoom> now;
    for (PrivateRoom &room : rooms)
        now.insert(room.name, std::move(room));
    for (const QString &name : std::as_const(m_creating))
        if (!now.contains(name) && m_rooms.contains(name))
            now.insert(name, m_rooms.value(name));
    QStringList changed;
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        const auto before = m_rooms.constFind(it.key());
        if (before == m_rooms.cend()) {
            changed.append(it.key());
            continue;
        }
        for (const Member &member : before->members)
            if (!it->hasMember(member.accountId)) {
                changed.append(it.key());
                break;
            }
    }
    m_rooms = std::move(now);
    return changed;
}

void Conversations::putReadStates(qint64 accountId, QHash<QString, ReadState> states)
{
    std::unique_lock locker(m_mutex);
    if (states.isEmpty())
        m_readStates.remove(accountId);
    else
        m_readStates.insert(accountId, std::move(states));
}

void Conversations::attach(MessageStore *store, Loaded loaded)
{
    std::unique_lock locker(m_mutex);
    m_store = store;
    m_rooms.clear();
    for (PrivateRoom &room : loaded.rooms)
        m_rooms.insert(room.name, std::move(room));
    m_readStates = std::move(loaded.readStates);
}

void Conversations::detach()
{
    std::unique_lock locker(m_mutex);
    m_store = nullptr;
}

std::optional<Conversations::PrivateRoom> Conversations::privateRoom(const QString &name) const
{
    std::shared_lock locker(m_mutex);
    const auto it = m_rooms.constFind(name);
    if (it == m_rooms.constEnd())
        return std::nullopt;
    return *it;
}

bool Conversations::isPrivate(const QString &name) const
{
    std::shared_lock locker(m_mutex);
    return m_rooms.contains(name);
}

bool Conversations::mayRead(const QString &name, qint64 accountId) const
{
    std::shared_lock locker(m_mutex);
    const auto it = m_rooms.constFind(name);
    return it == m_rooms.constEnd() || (accountId != 0 && it->hasMember(accountId));
}

QList<Conversations::PrivateRoom> Conversations::privateRoomsOf(qint64 accountId) const
{
    QList<PrivateRoom> rooms;
    std::shared_lock locker(m_mutex);
    for (const PrivateRoom &room : m_rooms)
        if (room.hasMember(accountId))
            rooms.append(room);
    std::sort(rooms.begin(), rooms.end(),
              [](const PrivateRoom &a, const PrivateRoom &b) { return a.name < b.name; });
    return rooms;
}

Conversations::ReadState Conversations::readState(qint64 accountId,
                                                  const QString &conversation) const
{
    std::shared_lock locker(m_mutex);
    return m_readStates.value(accountId).value(conversation);
}

QHash<QString, Conversations::ReadState> Conversations::readStatesOf(qint64 accountId) const
{
    std::shared_lock locker(m_mutex);
    return m_readStates.value(accountId);
}

bool Conversations::takeHere(const QString &who, const QString &conversation, qint64 nowMs,
                             qint64 windowMs)
{
    const QString key = who + QLatin1Char('\n') + conversation;
    std::unique_lock locker(m_mutex);
    // Entries older than the window say nothing any more: dropped now and then so that the
    // table holds only the last minute's @here senders.
    if (m_lastHere.size() > 4096)
        m_lastHere.removeIf([&](const auto &entry) { return nowMs - entry.value() >= windowMs; });
    const auto it = m_lastHere.constFind(key);
    if (it != m_lastHere.constEnd() && nowMs - *it < windowMs)
        return false;
    m_lastHere.insert(key, nowMs);
    return true;
}

void Conversations::write(Job job, Mailbox *replyTo, Done done)
{
    MessageStore *store = nullptr;
    {
        std::shared_lock locker(m_mutex);
        store = m_store;
    }
    auto finish = [replyTo, done = std::move(done)](bool ok) {
        if (!done)
            return;
        if (replyTo)
            replyTo->post([done, ok] { done(ok); });
        else
            done(ok);
    };
    if (!store) {
        const std::optional<Apply> apply = job(nullptr);
        if (apply && *apply)
            (*apply)();
        finish(apply.has_value());
        return;
    }
    store->run([job = std::move(job), finish = std::move(finish)](QSqlDatabase &db) {
        if (!db.transaction()) {
            finish(false);
            return;
        }
        const std::optional<Apply> apply = job(&db);
        if (!apply) {
            db.rollback();
            finish(false);
            return;
        }
        if (!db.commit()) {
            qCWarning(lcIdentity).noquote()
                << "conversations: commit failed:" << db.lastError().text();
            db.rollback();
            finish(false);
            return;
        }
        // Memory changes only now, so that it never shows what the database does not hold.
        if (*apply)
            (*apply)();
        finish(true);
    });
}

bool Conversations::createPrivate(const PrivateRoom &room, Mailbox *replyTo, Done done)
{
    {
        std::unique_lock locker(m_mutex);
        if (m_rooms.contains(room.name))
            return false;
        m_rooms.insert(room.name, room);
        m_creating.insert(room.name);
    }
    write(
        [room](QSqlDatabase *db) -> std::optional<Apply> {
            if (!db)
                return Apply();
            QSqlQuery insert(*db);
            insert.prepare(QStringLiteral("INSERT INTO private_rooms (name, owner_id, is_group, "
                                          "created_at) VALUES (?, ?, ?, ?)"));
            insert.addBindValue(room.name);
            insert.addBindValue(room.ownerId ? QVariant(room.ownerId)
                                             : QVariant(QMetaType::fromType<qint64>()));
            insert.addBindValue(room.group ? 1 : 0);
            insert.addBindValue(nowText());
            if (!execOrWarn(insert))
                return std::nullopt;
            QSqlQuery member(*db);
            member.prepare(QStringLiteral("INSERT INTO room_members (room, account_id, "
                                          "added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
            for (const Member &m : room.members) {
                member.addBindValue(room.name);
                member.addBindValue(m.accountId);
                member.addBindValue(nowText());
                if (!execOrWarn(member))
                    return std::nullopt;
            }
            return Apply();
        },
        replyTo,
        [this, name = room.name, done = std::move(done)](bool stored) {
            // Not stored: the room is not private after all (it is public again, and empty
            // of an owner), as it would be after a restart.
            {
                std::unique_lock locker(m_mutex);
                m_creating.remove(name);
                if (!stored)
                    m_rooms.remove(name);
            }
            if (done)
                done(stored);
        });
    return true;
}

void Conversations::addMember(const QString &room, const Member &member, Mailbox *replyTo,
                              Done done)
{
    write(
        [this, room, member](QSqlDatabase *db) -> std::optional<Apply> {
            {
                std::shared_lock locker(m_mutex);
                const auto it = m_rooms.constFind(room);
                if (it == m_rooms.constEnd() || it->hasMember(member.accountId))
                    return std::nullopt;
            }
            if (db) {
                QSqlQuery insert(*db);
                insert.prepare(
                    QStringLiteral("INSERT INTO room_members (room, account_id, added_at) "
                                   "VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
                insert.addBindValue(room);
                insert.addBindValue(member.accountId);
                insert.addBindValue(nowText());
                if (!execOrWarn(insert))
                    return std::nullopt;
            }
            return Apply([this, room, member] {
                std::unique_lock locker(m_mutex);
                auto it = m_rooms.find(room);
                if (it != m_rooms.end() && !it->hasMember(member.accountId))
                    it->members.append(member);
            });
        },
        replyTo, std::move(done));
}

void Conversations::removeMember(const QString &room, qint64 accountId, Mailbox *replyTo, Done done)
{
    write(
        [this, room, accountId](QSqlDatabase *db) -> std::optional<Apply> {
            {
                std::shared_lock locker(m_mutex);
                const auto it = m_rooms.constFind(room);
                if (it == m_rooms.constEnd() || !it->hasMember(accountId))
                    return std::nullopt;
            }
            if (db) {
                QSqlQuery remove(*db);
                remove.prepare(
                    QStringLiteral("DELETE FROM room_members WHERE room = ? AND account_id = ?"));
                remove.addBindValue(room);
                remove.addBindValue(accountId);
                if (!execOrWarn(remove))
                    return std::nullopt;
            }
            return Apply([this, room, accountId] {
                std::unique_lock locker(m_mutex);
                auto it = m_rooms.find(room);
                if (it != m_rooms.end())
                    it->members.removeIf(
                        [accountId](const Member &m) { return m.accountId == accountId; });
            });
        },
        replyTo, std::move(done));
}

void Conversations::markRead(qint64 accountId, const QString &display, const QString &conversation,
                             qint64 id, Mailbox *replyTo, ReadDone done)
{
    // Filled on the store thread, read on the caller's after `done` was posted there.
    auto result = std::make_shared<std::pair<qint64, int>>(-1, 0);
    write(
        [this, accountId, display, conversation, id,
         result](QSqlDatabase *db) -> std::optional<Apply> {
            // Only the store thread changes markers: what memory holds is what is stored.
            qint64 marker = std::max(id, readState(accountId, conversation).lastReadId);
            if (db) {
                QSqlQuery newest(*db);
                newest.prepare(
                    QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM messages WHERE room = ?"));
                newest.addBindValue(conversation);
                if (!execOrWarn(newest) || !newest.next())
                    return std::nullopt;
                marker = std::max(std::min(id, newest.value(0).toLongLong()),
                                  readState(accountId, conversation).lastReadId);
                QSqlQuery upsert(*db);
                upsert.prepare(SqlDialect::of(*db).upsertReadMarker());
                upsert.addBindValue(accountId);
                upsert.addBindValue(conversation);
                upsert.addBindValue(marker);
                if (!execOrWarn(upsert) || !upsert.next())
                    return std::nullopt;
                // Another node may have moved it further meanwhile.
                marker = upsert.value(0).toLongLong();
                upsert.finish();
                result->second =
                    HistoryReader::countAfter(*db, conversation, marker, display, MaxUnread);
            }
            result->first = marker;
            return Apply([this, accountId, conversation, marker] {
                std::unique_lock locker(m_mutex);
                m_readStates[accountId][conversation].lastReadId = marker;
            });
        },
        replyTo,
        [done = std::move(done), result](bool ok) {
            done(ok ? result->first : -1, ok ? result->second : 0);
        });
}

void Conversations::setMuted(qint64 accountId, const QString &conversation, bool muted,
                             Mailbox *replyTo, Done done)
{
    write(
        [this, accountId, conversation, muted](QSqlDatabase *db) -> std::optional<Apply> {
            if (db) {
                QSqlQuery upsert(*db);
                upsert.prepare(QStringLiteral(
                    "INSERT INTO read_state (account_id, conversation, last_read_id, muted) "
                    "VALUES (?, ?, 0, ?) ON CONFLICT (account_id, conversation) "
                    "DO UPDATE SET muted = excluded.muted"));
                upsert.addBindValue(accountId);
                upsert.addBindValue(conversation);
                upsert.addBindValue(muted ? 1 : 0);
                if (!execOrWarn(upsert))
                    return std::nullopt;
            }
            return Apply([this, accountId, conversation, muted] {
                std::unique_lock locker(m_mutex);
                m_readStates[accountId][conversation].muted = muted;
            });
        },
        replyTo, std::move(done));
}

} // namespace chatter::server
