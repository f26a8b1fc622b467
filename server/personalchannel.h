// SPDX-License-Identifier: MIT
#pragma once

#include "accountdirectory.h"
#include "channel.h"
#include "conversations.h"

#include <QJsonArray>

namespace chatter::server {

//! `chatter:user:<nick>`: an account's personal topic (docs/conversations.md). Only that
//! account's own sockets join it. The join reply lists the account's conversations with their
//! read state and its private rooms; `dm`, `mention`, `read`, `unread`, `muted`,
//! `room_invited` and `room_removed` reach it as broadcasts from wherever they happen (any
//! worker, through PubSub). Clients open DMs (`open_dm`) and groups (`create_group`) here.
class PersonalChannel final : public Channel
{
public:
    //! Members a group may have besides its creator.
    static constexpr int MaxGroupMembers = 8;

    using Channel::Channel;

    JoinResult join(const QJsonValue &payload) override;
    HandleResult handleIn(const InboundEvent &in) override;

    //! Publishes `event` on the personal topic of the account with nickname `display`.
    static void notify(ChannelContext &context, const QString &display, const QString &event,
                       const QJsonObject &payload);
    //! The registered account with nickname `nick`: case-insensitive (case-folded), no
    //! look-alike folding.
    static std::optional<AccountDirectory::Account> registered(AccountDirectory &accounts,
                                                               const QString &nick);
    //! A private room as `private_rooms` and `room_invited` carry it.
    static QJsonObject roomEntry(const Conversations::PrivateRoom &room);

private:
    HandleResult openDm(const QJsonValue &payload);
    HandleResult createGroup(const InboundEvent &in);
    QJsonArray conversationList();

    QString m_display; //!< the account's nickname as registered
};

} // namespace chatter::server
