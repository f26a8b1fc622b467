// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>
#include <shared_mutex>

class QSqlDatabase;

namespace chatter::server {

class Mailbox;
class MessageStore;

//! What accounts keep of their conversations (docs/conversations.md): private rooms with their
//! owner and members, and each account's read marker and mute setting per conversation (a
//! room name or a DM's key `dm:<a>:<b>`). Also the `@here` limit, which is per user and
//! conversation whatever worker the user's sockets are on.
//!
//! Thread-safe (one std::shared_mutex): every worker reads it at joins and for mentions. Loaded
//! at engine start; changes are written through the store (on its thread) and reach memory
//! right after their commit, then the caller's `done` runs on its own thread — with one
//! exception, a private room created by a join (createPrivate), which is in memory at once:
//! a join is answered at once, and the room must be private from then on on every worker.
class Conversations
{
public:
    struct Member
    {
        qint64 accountId = 0;
        QString display;

        bool operator==(const Member &) const = default;
    };
    struct PrivateRoom
    {
        QString name;
        qint64 ownerId = 0; //!< 0: none (a public room an admin made private)
        QString ownerDisplay;
        bool group = false;
        QList<Member> members; //!< in the order they joined

        bool hasMember(qint64 accountId) const;
    };
    struct ReadState
    {
        qint64 lastReadId = 0;
        bool muted = false;
    };
    //! What loadFrom() read, for attach().
    struct Loaded
    {
        QList<PrivateRoom> rooms;
        QHash<qint64, QHash<QString, ReadState>> readStates;
    };

    //! Reads private rooms, members and read state from `db` (store thread, at start).
    static Expected<Loaded> loadFrom(QSqlDatabase &db);
    //! Replaces what memory holds and writes every later change through `store` (null: memory
    //! only, for tests).
    void attach(MessageStore *store, Loaded loaded);
    //! Stops writing through the store (it is about to go).
    void detach();

    // Another writer (a node of the cluster, the command line) changed them: store thread.
    static Expected<QList<PrivateRoom>> roomsFrom(QSqlDatabase &db);
    static Expected<QHash<QString, ReadState>> readStatesFrom(QSqlDatabase &db, qint64 accountId);
    //! Replaces the private rooms in memory with `rooms`, keeping the ones a join made private
    //! whose insert has not committed yet; returns the names of the rooms whose members changed
    //! or which became private (their sockets may now be somewhere they may not read).
    QStringList reloadRooms(QList<PrivateRoom> rooms);
    void putReadStates(qint64 accountId, QHash<QString, ReadState> states);

    // Any thread.
    std::optional<PrivateRoom> privateRoom(const QString &name) const;
    bool isPrivate(const QString &name) const;
    //! Whether account `accountId` (0: a guest) may read room `name`: any public room, a
    //! private one only as its member.
    bool mayRead(const QString &name, qint64 accountId) const;
    //! The private rooms `accountId` is a member of, by name.
    QList<PrivateRoom> privateRoomsOf(qint64 accountId) const;
    ReadState readState(qint64 accountId, const QString &conversation) const;
    QHash<QString, ReadState> readStatesOf(qint64 accountId) const;

    //! One `@here` by `who` in `conversation` per `windowMs`: true (and counted) if this one
    //! may go out now.
    bool takeHere(const QString &who, const QString &conversation, qint64 nowMs,
                  qint64 windowMs = 60'000);

    using Done = std::function<void(bool stored)>;
    //! Makes `room` private (new, or an existing public room) with its members. False, and
    //! nothing changes, when it is private already. In memory at once (see the class comment);
    //! `done` runs on `replyTo`'s thread after the commit.
    bool createPrivate(const PrivateRoom &room, Mailbox *replyTo = nullptr, Done done = {});
    //! Adds or removes a member of a private room. `done(false)` when it is not private or
    //! nothing would change.
    void addMember(const QString &room, const Member &member, Mailbox *replyTo, Done done);
    void removeMember(const QString &room, qint64 accountId, Mailbox *replyTo, Done done);

    //! Moves `accountId`'s marker in `conversation` to `id`, clamped to the conversation's
    //! newest message and never backwards. `done` gets the marker now in force and the number
    //! of messages after it written by anyone but `display` (capped at `MaxUnread`), or -1 as
    //! the marker when it could not be stored.
    using ReadDone = std::function<void(qint64 lastReadId, int unread)>;
    void markRead(qint64 accountId, const QString &display, const QString &conversation, qint64 id,
                  Mailbox *replyTo, ReadDone done);
    void setMuted(qint64 accountId, const QString &conversation, bool muted, Mailbox *replyTo,
                  Done done);

    //! Unread counts stop here (the contract's cap).
    static constexpr int MaxUnread = 999;

private:
    //! A change to memory, made once the statements that store it are committed.
    using Apply = std::function<void()>;
    //! Stores a change (null `db`: no store); nothing when it cannot be made.
    using Job = std::function<std::optional<Apply>(QSqlDatabase *db)>;
    //! Runs `job` in a transaction on the store thread (or here, without a store), applies its
    //! change after the commit, then runs `done` on `replyTo`'s thread (here if null).
    void write(Job job, Mailbox *replyTo, Done done);

    mutable std::shared_mutex m_mutex;
    QHash<QString, PrivateRoom> m_rooms;
    QSet<QString> m_creating; //!< made private by createPrivate, commit not yet answered
    QHash<qint64, QHash<QString, ReadState>> m_readStates;
    QHash<QString, qint64> m_lastHere; //!< "who\nconversation" → ms of the last @here
    MessageStore *m_store = nullptr;
};

} // namespace chatter::server
