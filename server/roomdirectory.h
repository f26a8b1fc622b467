// SPDX-License-Identifier: MIT
#pragma once

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
        QString lastActivityAt;
        quint64 membersVersion = 0; //!< of the presence count `members` came from

        QJsonObject toJson() const;
    };

    void load(const QList<Room> &rooms);
    //! A room's member count as PresenceTracker::memberCount() read it. Workers read and write
    //! under two different locks, so two of them may arrive here in the other order: a count
    //! older (by `version`) than the one the room holds is ignored.
    void setMembers(const QString &room, int members, quint64 version, const QString &at);
    void noteMessage(const QString &room, qint64 id, const QString &at);

    //! Every room that has members or messages, most recently active first.
    QJsonArray list() const;
    //! Every known room, in no particular order.
    QList<Room> rooms() const;
    //! The rooms changed since the last call.
    QList<Room> takeDirty();

private:
    mutable std::mutex m_mutex;
    QHash<QString, Room> m_rooms;
    QSet<QString> m_dirty;
};

} // namespace chatter::server
