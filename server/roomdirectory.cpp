// SPDX-License-Identifier: MIT
#include "roomdirectory.h"

#include <algorithm>

namespace chatter::server {

QJsonObject RoomDirectory::Room::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("members"), members},
            {QStringLiteral("last_message_id"), lastMessageId},
            {QStringLiteral("messages"), messageCount},
            {QStringLiteral("last_activity_at"),
             lastActivityAt.isEmpty() ? QJsonValue() : QJsonValue(lastActivityAt)}};
}

void RoomDirectory::load(const QList<Room> &rooms)
{
    std::scoped_lock locker(m_mutex);
    for (const Room &room : rooms)
        m_rooms.insert(room.name, room);
}

void RoomDirectory::setMembers(const QString &room, int members, quint64 version, const QString &at)
{
    std::scoped_lock locker(m_mutex);
    Room &r = m_rooms[room];
    r.name = room;
    if (version < r.membersVersion)
        return;
    r.membersVersion = version;
    if (r.members == members)
        return;
    r.members = members;
    r.lastActivityAt = at;
    m_dirty.insert(room);
}

void RoomDirectory::noteMessage(const QString &room, qint64 id, const QString &at)
{
    std::scoped_lock locker(m_mutex);
    Room &r = m_rooms[room];
    r.name = room;
    r.lastMessageId = std::max(r.lastMessageId, id);
    ++r.messageCount;
    r.lastActivityAt = at;
    m_dirty.insert(room);
}

QJsonArray RoomDirectory::list() const
{
    QList<Room> rooms;
    {
        std::scoped_lock locker(m_mutex);
        for (const Room &room : m_rooms) {
            if (room.members > 0 || room.messageCount > 0)
                rooms.append(room);
        }
    }
    std::sort(rooms.begin(), rooms.end(), [](const Room &a, const Room &b) {
        return a.lastActivityAt != b.lastActivityAt ? a.lastActivityAt > b.lastActivityAt
                                                    : a.name < b.name;
    });
    QJsonArray array;
    for (const Room &room : rooms)
        array.append(room.toJson());
    return array;
}

QList<RoomDirectory::Room> RoomDirectory::rooms() const
{
    std::scoped_lock locker(m_mutex);
    return m_rooms.values();
}

QList<RoomDirectory::Room> RoomDirectory::takeDirty()
{
    std::scoped_lock locker(m_mutex);
    QList<Room> dirty;
    for (const QString &name : std::as_const(m_dirty))
        dirty.append(m_rooms.value(name));
    m_dirty.clear();
    return dirty;
}

} // namespace chatter::server
