// SPDX-License-Identifier: MIT
#include "broadcast.h"

namespace chatter::server {

Broadcast::Broadcast(Message message, const Channel *exclude)
    : m_message(std::move(message)), m_exclude(exclude)
{
}

std::shared_ptr<const Broadcast> Broadcast::create(Message message, const Channel *exclude)
{
    return std::shared_ptr<const Broadcast>(new Broadcast(std::move(message), exclude));
}

const EncodeResult &Broadcast::resultFor(const Serializer *serializer) const
{
    Slot &slot = m_slots[serializer->version() == Serializer::Version::V1 ? 0 : 1];
    std::call_once(slot.once, [&] { slot.result = serializer->encode(m_message); });
    return slot.result;
}

const Frame *Broadcast::frameFor(const Serializer *serializer) const
{
    const EncodeResult &result = resultFor(serializer);
    return result.frame ? &*result.frame : nullptr;
}

QString Broadcast::encodeError(const Serializer *serializer) const
{
    return resultFor(serializer).error;
}

} // namespace chatter::server
