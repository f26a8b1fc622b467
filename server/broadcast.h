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

    const Message &message() const { return m_message; }
    quint64 excludedChannel() const { return m_excludedChannel; }
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
    mutable Slot m_slots[2];
};

} // namespace chatter::server
