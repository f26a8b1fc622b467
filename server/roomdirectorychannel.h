// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"

#include <QJsonArray>

namespace chatter::server {

//! `chatter:rooms`: the join reply lists every room with its member count and last activity;
//! `room_update` broadcasts follow as rooms appear and change. A private room is listed (and
//! updated) only to its members, with `private: true` (and `group: true` for a group).
class RoomDirectoryChannel final : public Channel
{
public:
    using Channel::Channel;

    JoinResult join(const QJsonValue &payload) override;
    HandleResult handleIn(const InboundEvent &in) override;
    //! The engine publishes a private room's update under this name (never on the wire):
    //! handleOut turns it into `room_update` for members. Public rooms' updates stay shared
    //! frames, encoded once for every subscriber.
    static constexpr QLatin1StringView PrivateRoomUpdate{"private_room_update"};

    QSet<QString> intercepts() const override;
    void handleOut(const QString &event, const QJsonObject &payload) override;

private:
    //! The entry as this socket may see it, or nothing when it may not see the room.
    std::optional<QJsonObject> visible(QJsonObject entry);
    QJsonArray list();
};

} // namespace chatter::server
