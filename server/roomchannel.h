// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"

namespace chatter::server {

//! `chatter:room:<name>`: the chat contract. new_msg is stored, then broadcast to the whole
//! room (sender included) and acknowledged with its id; history pages backwards; presence
//! tracks who is here; ping echoes; typing reaches the others.
class RoomChannel final : public Channel
{
public:
    static inline const QString TopicPattern = QStringLiteral("chatter:room:*");
    //! History in a join reply: the newest page, or everything after last_seen_id up to a bound.
    static constexpr int RecentOnJoin = 50;
    static constexpr int BackfillLimit = 1000;
    static constexpr int MaxHistoryPage = 100;

    RoomChannel(SocketSession &session, Worker &worker, const QString &topic);

    JoinResult join(const QJsonValue &payload) override;
    void afterJoin() override;
    HandleResult handleIn(const InboundEvent &in) override;
    void terminate(const QString &reason) override;

    QString roomName() const { return m_room; }

private:
    HandleResult newMessage(const InboundEvent &in);
    HandleResult history(const QJsonValue &payload);
    HandleResult typing(const QJsonValue &payload);
    HandleResult status(const QJsonValue &payload);
    void publishMembers();

    QString m_room;
    bool m_tracked = false;
    QString m_status = QStringLiteral("online");
};

} // namespace chatter::server
