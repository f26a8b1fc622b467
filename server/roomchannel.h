// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"

namespace chatter::server {

//! `chatter:room:<name>`: the chat contract. new_msg is broadcast to the whole room (sender
//! included) and acknowledged with its id; ping echoes; typing reaches the others.
class RoomChannel final : public Channel
{
public:
    static inline const QString TopicPattern = QStringLiteral("chatter:room:*");

    RoomChannel(SocketSession &session, Worker &worker, const QString &topic);

    JoinResult join(const QJsonValue &payload) override;
    HandleResult handleIn(const InboundEvent &in) override;

    QString roomName() const { return m_room; }

private:
    HandleResult newMessage(const QJsonValue &payload);
    HandleResult typing(const QJsonValue &payload);

    QString m_room;
};

} // namespace chatter::server
