// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <mutex>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QString>

namespace chatter::server {

//! The list of rooms with member counts and last activity, for the `chatter:rooms` topic.
//! Workers note changes as they happen; the engine publishes the dirty rooms at a throttled
//! rate, so a busy room costs one `room_update` per interval, not one per message.
class RoomDirectory
{
public:
    struct Room
    {
        QString name;
        int members = 0;
        qint64 lastMessageId = 0;
        qint64 messageCount = 0;
        qint64 lastActivityMs = 0;  //!< 0 for none; ms rather than text: one room per person
        quint64 membersVersion = 0; //!< of the presence count `members` came from
        //! Admitted for a join whose member count has not arrived yet: it exists already.
        bool reserved = false;

        //! Has members or messages (or is about to): what counts against the room limit.
        bool exists() const { return members > 0 || messageCount > 0 || reserved; }
        QJsonObject toJson() const;
    };

    enum class Admission
    {
        Existing, //!< the room exists; joining it creates nothing
        Created,  //!< a new room, now counted
        Full,     //!< a new room, but `maxRooms` exist already
        TooFast   //!< a new room, but the caller may not create one now
    };

    void load(const QList<Room> &rooms);
    //! Whether a join may bring `room` into existence: always when it exists, else only under
    //! `maxRooms` and when `mayCreate()` (the joiner's creation rate) agrees. A created room is
    //! counted at once, so that concurrent joins from other workers see it.
    Admission admit(const QString &room, int maxRooms, const std::function<bool()> &mayCreate);
    //! Rooms that exist now.
    int existingCount() const;
    //! A room's member count as PresenceTracker::memberCount() read it. Workers read and write
    //! under two different locks, so two of them may arrive here in the other order: a count
    //! older (by `version`) than the one the room holds is ignored.
    void setMembers(const QString &room, int members, quint64 version, qint64 atMs);
    void noteMessage(const QString &room, qint64 id, qint64 atMs);
    //! A `room_update` another node of the cluster published (docs/cluster.md): its member
    //! count is the cluster's as that node tracks it (local and other nodes' presence); ids,
    //! counts and times only move forward. Not published again (not dirty).
    void applyRemote(const QJsonObject &remote);

    //! Every room that has members or messages, most recently active first.
    QJsonArray list() const;
    //! Every known room, in no particular order.
    QList<Room> rooms() const;
    //! The rooms changed since the last call.
    QList<Room> takeDirty();

private:
    //! Applies `change` to `room`, keeping m_existing in step.
    template <typename Change> void update(Room &room, Change change);
    void forgetDormant(int keep);

    mutable std::mutex m_mutex;
    //! Existing rooms, and rooms that existed and are empty now (dormant): those keep their
    //! presence count version so that a late, older count is still recognised as older.
    QHash<QString, Room> m_rooms;
    QSet<QString> m_dirty;
    int m_existing = 0;
};

} // namespace chatter::server
