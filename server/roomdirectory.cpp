// SPDX-License-Identifier: MIT
#include "roomdirectory.h"

#include "isotime.h"

#include <algorithm>

namespace chatter::server {

QJsonObject RoomDirectory::Room::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("members"), members},
            {QStringLiteral("last_message_id"), lastMessageId},
            {QStringLiteral("messages"), messageCount},
            {QStringLiteral("last_activity_at"),
             lastActivityMs ? QJsonValue(isotime::fromMsecs(lastActivityMs)) : QJsonValue()}};
}

template <typename Change> void RoomDirectory::update(Room &room, Change change)
{
    const bool existed = room.exists();
    change(room);
    m_existing += int(room.exists()) - int(existed);
}

void RoomDirectory::load(const QList<Room> &rooms)
{
    std::scoped_lock locker(m_mutex);
    for (const Room &loaded : rooms)
        update(m_rooms[loaded.name], [&loaded](Room &r) { r = loaded; });
}

RoomDirectory::Admission RoomDirectory::admit(const QString &room, int maxRooms,
                                              const std::function<bool()> &mayCreate)
{
    std::scoped_lock locker(m_mutex);
    const auto it = m_rooms.constFind(room);
    if (it != m_rooms.cend() && it->exists())
        return Admission::Existing;
    if (m_existing >= maxRooms)
        return Admission::Full;
    if (!mayCreate())
        return Admission::TooFast;
    Room &r = m_rooms[room];
    r.name = room;
    update(r, [](Room &x) { x.reserved = true; });
    // Names joined once and empty since are kept for their count versions, but not forever.
    if (m_rooms.size() > 2 * qsizetype(maxRooms) + 1024)
        forgetDormant(maxRooms);
    return Admission::Created;
}

void RoomDirectory::forgetDormant(int keep)
{
    for (auto it = m_rooms.begin(); it != m_rooms.end() && m_rooms.size() > keep;) {
        if (!it->exists() && !m_dirty.contains(it.key()))
            it = m_rooms.erase(it);
        else
            ++it;
    }
}

int RoomDirectory::existingCount() const
{
    std::scoped_lock locker(m_mutex);
    return m_existing;
}

void RoomDirectory::setMembers(const QString &room, int members, quint64 version, qint64 atMs)
{
    std::scoped_lock locker(m_mutex);
    Room &r = m_rooms[room];
    r.name = room;
    if (version < r.membersVersion)
        return;
    const int before = r.members;
    const bool wasReserved = r.reserved;
    update(r, [members, version](Room &x) {
        x.membersVersion = version;
        x.members = members;
        x.reserved = false; // its own count is here now
    });
    if (before == members && !wasReserved)
        return;
    r.lastActivityMs = atMs;
    m_dirty.insert(room);
}

void RoomDirectory::noteMessage(const QString &room, qint64 id, qint64 atMs)
{
    std::scoped_lock locker(m_mutex);
    Room &r = m_rooms[room];
    r.name = room;
    update(r, [id, atMs](Room &x) {
        x.lastMessageId = std::max(x.lastMessageId, id);
        ++x.messageCount;
        x.lastActivityMs = atMs;
    });
    m_dirty.insert(room);
}

void RoomDirectory::applyRemote(const QJsonObject &remote)
{
    const QString name = remote.value(QLatin1String("name")).toString();
    if (name.isEmpty())
        return;
    const int members = remote.value(QLatin1String("members")).toInt(-1);
    const auto lastId = qint64(remote.value(QLatin1String("last_message_id")).toDouble());
    const auto messages = qint64(remote.value(QLatin1String("messages")).toDouble());
    const QJsonValue at = remote.value(QLatin1String("last_activity_at"));
    const qint64 atMs = at.isString() ? isotime::toMsecs(at.toString()) : 0;
    std::scoped_lock locker(m_mutex);
    Room &r = m_rooms[name];
    r.name = name;
    update(r, [&](Room &x) {
        if (members >= 0) {
            x.members = members;
            x.reserved = false;
        }
        x.lastMessageId = std::max(x.lastMessageId, lastId);
        x.messageCount = std::max(x.messageCount, messages);
        x.lastActivityMs = std::max(x.lastActivityMs, atMs);
    });
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
        return a.lastActivityMs != b.lastActivityMs ? a.lastActivityMs > b.lastActivityMs
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
