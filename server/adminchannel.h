// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"

namespace chatter::server {

class AdminActions;

//! `chatter:admin`: what an administrator's socket may do (docs/identity.md): kick an identity,
//! ban and unban it, speak as `system` in a room. Only sockets whose session is an admin
//! account join; every action is in the audit log. Validates payloads itself; the work beyond
//! this worker goes through AdminActions.
class AdminChannel final : public Channel
{
public:
    AdminChannel(SocketSession &session, ChannelContext &context, QString topic,
                 AdminActions &actions);

    JoinResult join(const QJsonValue &payload) override;
    HandleResult handleIn(const InboundEvent &in) override;

    //! The longest ban in minutes (a year); longer is "until lifted", minutes 0.
    static constexpr int MaxBanMinutes = 366 * 24 * 60;
    static constexpr int MaxReasonLength = 500;

private:
    HandleResult kick(const QJsonObject &payload, const ReplyHandle &handle);
    HandleResult ban(const QJsonObject &payload);
    HandleResult unban(const QJsonObject &payload);
    HandleResult system(const QJsonObject &payload, const ReplyHandle &handle);

    AdminActions &m_actions;
};

} // namespace chatter::server
