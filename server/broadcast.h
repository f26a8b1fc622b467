// SPDX-License-Identifier: MIT
#pragma once

#include "message.h"
#include "serializer.h"

#include <memory>
#include <mutex>
#include <optional>

namespace chatter::server {

//! One broadcast on its way to every subscriber. The frame for each wire format is encoded at
//! most once, on whichever worker needs it first, and then shared by all recipients.
class Broadcast
{
public:
    //! `excludedChannel`: the Channel::id() of the one subscriber that must not get it
    //! (broadcast_from); 0 for none.
    static std::shared_ptr<const Broadcast> create(Message message, quint64 excludedChannel = 0);
    //! A conversation's committed message: its id and the id before it, by which a cluster's
    //! nodes put a room's broadcasts back in commit order (RoomSequencer).
    struct Order
    {
        qint64 id = 0;
        qint64 prevId = 0;
    };
    static std::shared_ptr<const Broadcast> createOrdered(Message message, Order order);
    //! Another node's broadcast: `v2Frame` is the V2 JSON text frame it encoded, which local
    //! V2 subscribers get byte for byte (ClusterEnvelope checked that it is `message`).
    static std::shared_ptr<const Broadcast> fromV2Frame(Message message, QByteArray v2Frame,
                                                        std::optional<Order> order = {});

    const Message &message() const { return m_message; }
    quint64 excludedChannel() const { return m_excludedChannel; }
    //! Set for committed conversation messages only.
    const std::optional<Order> &order() const { return m_order; }
    //! The encoded frame for `serializer`, or null if this message cannot be expressed in it.
    const Frame *frameFor(const Serializer *serializer) const;
    //! The same frame as a complete WebSocket frame, built once for every recipient.
    const QByteArray &webSocketFrameFor(const Serializer *serializer) const;
    QString encodeError(const Serializer *serializer) const;

private:
    Broadcast(Message message, quint64 excludedChannel);
    struct Slot
    {
        std::once_flag once;
        EncodeResult result = failure(QString()); //!< set once, behind `once`
        QByteArray webSocketFrame;
    };
    const Slot &slotFor(const Serializer *serializer) const;

    Message m_message;
    quint64 m_excludedChannel;
    std::optional<Order> m_order;
    mutable Slot m_slots[2];
};

} // namespace chatter::server
