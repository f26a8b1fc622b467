// SPDX-License-Identifier: MIT
#include "roomheads.h"

#include <algorithm>

namespace chatter::server {

RoomHeads::Head RoomHeads::of(const QString &room) const
{
    std::scoped_lock locker(m_mutex);
    return m_heads.value(room);
}

void RoomHeads::noteMessage(const QString &room, qint64 id)
{
    std::scoped_lock locker(m_mutex);
    Head &head = m_heads[room];
    head.lastMessageId = std::max(head.lastMessageId, id);
}

void RoomHeads::noteChange(const QString &room, qint64 seq)
{
    std::scoped_lock locker(m_mutex);
    Head &head = m_heads[room];
    head.lastChangeSeq = std::max(head.lastChangeSeq, seq);
}

} // namespace chatter::server
