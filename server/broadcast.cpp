// SPDX-License-Identifier: MIT
#include "broadcast.h"

#include "websocketframe.h"

namespace chatter::server {

Broadcast::Broadcast(Message message, quint64 excludedChannel)
    : m_message(std::move(message)), m_excludedChannel(excludedChannel)
{}

std::shared_ptr<const Broadcast> Broadcast::create(Message message, quint64 excludedChannel)
{
    return std::shared_ptr<const Broadcast>(new Broadcast(std::move(message), excludedChannel));
}

std::shared_ptr<const Broadcast> Broadcast::createOrdered(Message message, Order order)
{
    auto broadcast = std::shared_ptr<Broadcast>(new Broadcast(std::move(message), 0));
    broadcast->m_order = order;
    return broadcast;
}

std::shared_ptr<const Broadcast> Broadcast::fromV2Frame(Message message, QByteArray v2Frame,
                                                        std::optional<Order> order)
{
    auto broadcast = std::shared_ptr<Broadcast>(new Broadcast(std::move(message), 0));
    broadcast->m_order = order;
    Slot &slot = broadcast->m_slots[1];
    // Filled before anyone else can see the object: no other thread races this call_once.
    std::call_once(slot.once, [&] {
        Frame frame = Frame::makeText(std::move(v2Frame));
        slot.webSocketFrame = serverWebSocketFrame(false, frame.data);
        slot.result = std::move(frame);
    });
    return broadcast;
}

const Broadcast::Slot &Broadcast::slotFor(const Serializer *serializer) const
{
    Slot &slot = m_slots[serializer->version() == Serializer::Version::V1 ? 0 : 1];
    std::call_once(slot.once, [&] {
        slot.result = serializer->encode(m_message);
        if (slot.result)
            slot.webSocketFrame = serverWebSocketFrame(slot.result->binary, slot.result->data);
    });
    return slot;
}

const Frame *Broadcast::frameFor(const Serializer *serializer) const
{
    const EncodeResult &result = slotFor(serializer).result;
    return result ? &*result : nullptr;
}

const QByteArray &Broadcast::webSocketFrameFor(const Serializer *serializer) const
{
    return slotFor(serializer).webSocketFrame;
}

QString Broadcast::encodeError(const Serializer *serializer) const
{
    const EncodeResult &result = slotFor(serializer).result;
    return result ? QString() : result.error();
}

} // namespace chatter::server
