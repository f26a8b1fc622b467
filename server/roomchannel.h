// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"
#include "storedmessage.h"

namespace chatter::server {

//! `chatter:room:<name>`: the chat contract. new_msg is stored, then broadcast to the whole
//! room (sender included) and acknowledged with its id; history pages backwards; presence
//! tracks who is here; ping echoes; typing reaches the others.
class RoomChannel final : public Channel
{
public:
    //! History in a join reply: the newest page, or everything after last_seen_id up to a bound.
    static constexpr int RecentOnJoin = 50;
    static constexpr int BackfillLimit = 1000;
    static constexpr int MaxHistoryPage = 100;

    RoomChannel(SocketSession &session, ChannelContext &context, const QString &topic);

    JoinResult join(const QJsonValue &payload) override;
    void afterJoin() override;
    HandleResult handleIn(const InboundEvent &in) override;
    void terminate(const QString &reason) override;

    //! The one step after a message is committed, whoever wrote it (a member, the server's
    //! system messages): broadcast it to its room and note it in the directory.
    //! `system` marks messages from the server itself.
    static Expected<void> publishCommitted(ChannelContext &context, const StoredMessage &message,
                                           bool system = false);

private:
    HandleResult newMessage(const InboundEvent &in);
    HandleResult history(const QJsonValue &payload);
    //! Bytes of messages one reply may carry (see HistoryPage::fitWithin).
    qint64 replyBudget();
    HandleResult typing(const QJsonValue &payload);
    HandleResult status(const QJsonValue &payload);
    QJsonObject presenceMeta() const;
    void publishMembers();

    QString m_room;
    bool m_tracked = false;
    QString m_status = QStringLiteral("online");
};

} // namespace chatter::server
