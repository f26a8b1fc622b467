// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"

namespace chatter::server {

//! `chatter:rooms`: the join reply lists every room with its member count and last activity;
//! `room_update` broadcasts follow as rooms appear and change.
class RoomDirectoryChannel final : public Channel
{
public:
    using Channel::Channel;

    JoinResult join(const QJsonValue &payload) override;
    HandleResult handleIn(const InboundEvent &in) override;
};

} // namespace chatter::server
