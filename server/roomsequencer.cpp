// SPDX-License-Identifier: MIT
#include "roomsequencer.h"

namespace chatter::server {

bool RoomSequencer::offer(const QString &room, const std::shared_ptr<const Broadcast> &broadcast)
{
    Q_ASSERT(broadcast->order());
    const Broadcast::Order order = *broadcast->order();
    std::lock_guard lock(m_mutex);
    auto it = m_rooms.find(room);
    if (it == m_rooms.end()) {
        it = m_rooms.insert(room, Room{order.id, {}, false});
        m_deliver(broadcast);
        return false;
    }
    Room &r = *it;
    if (order.id <= r.head)
        return false;
    if (order.prevId <= r.head) {
        r.head = order.id;
        m_deliver(broadcast);
        release(r);
        return false;
    }
    r.held.emplace(order.prevId, broadcast);
    if (r.gapOpen)
        return false;
    r.gapOpen = true;
    return true;
}

bool RoomSequencer::baseline(const QString &room, qint64 lastId)
{
    std::lock_guard lock(m_mutex);
    auto it = m_rooms.find(room);
    if (it == m_rooms.end()) {
        m_rooms.insert(room, Room{lastId, {}, false});
        return false;
    }
    if (lastId <= it->head || it->gapOpen)
        return false;
    it->gapOpen = true;
    return true;
}

std::optional<RoomSequencer::Gap> RoomSequencer::fillFrom(const QString &room) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_rooms.constFind(room);
    if (it == m_rooms.cend() || !it->gapOpen)
        return std::nullopt;
    return Gap{it->head};
}

RoomSequencer::Filled RoomSequencer::fill(const QString &room,
                                          const std::vector<std::shared_ptr<const Broadcast>> &read,
                                          qint64 newest, bool complete)
{
    std::lock_guard lock(m_mutex);
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return Filled::Closed; // forgotten meanwhile: nobody here to deliver to
    Room &r = *it;
    // What the database has is committed and complete up to its newest id: an id between two
    // of them that is not there was rolled back, so no link is asked for here.
    for (const auto &broadcast : read) {
        const qint64 id = broadcast->order()->id;
        if (id <= r.head)
            continue;
        r.head = id;
        m_deliver(broadcast);
    }
    r.head = std::max(r.head, newest);
    if (!complete) {
        jumpAhead(r);
        return Filled::Lost;
    }
    release(r);
    if (r.held.empty())
        return Filled::Closed;
    // Held while the read ran, behind a message committed after it: a new gap.
    r.gapOpen = true;
    return Filled::Again;
}

void RoomSequencer::abandon(const QString &room)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_rooms.find(room); it != m_rooms.end())
        jumpAhead(*it);
}

void RoomSequencer::jumpAhead(Room &room)
{
    for (const auto &[prevId, broadcast] : room.held)
        room.head = std::max(room.head, broadcast->order()->id);
    room.held.clear();
    room.gapOpen = false;
}

void RoomSequencer::forget(const QString &room)
{
    std::lock_guard lock(m_mutex);
    m_rooms.remove(room);
}

std::optional<qint64> RoomSequencer::head(const QString &room) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_rooms.constFind(room);
    return it == m_rooms.cend() ? std::nullopt : std::optional<qint64>(it->head);
}

int RoomSequencer::held(const QString &room) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_rooms.constFind(room);
    return it == m_rooms.cend() ? 0 : int(it->held.size());
}

void RoomSequencer::release(Room &room)
{
    // Held by prevId: the next to go is the one whose predecessor is the head. Anything held
    // at or below the head was delivered another way (a duplicate) and is dropped.
    while (!room.held.empty()) {
        auto first = room.held.begin();
        if (first->first > room.head)
            break;
        const qint64 id = first->second->order()->id;
        if (id > room.head) {
            room.head = id;
            m_deliver(first->second);
        }
        room.held.erase(first);
    }
    if (room.held.empty())
        room.gapOpen = false;
}

} // namespace chatter::server
