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
    //! room_update passes through handleOut: private rooms are filtered per subscriber. The
    //! directory is not the hot path; its updates are throttled (RoomDirectory).
    QSet<QString> intercepts() const override;
    void handleOut(const QString &event, const QJsonObject &payload) override;

private:
    //! The entry as this socket may see it, or nothing when it may not see the room.
    std::optional<QJsonObject> visible(QJsonObject entry);
    QJsonArray list();
};

} // namespace chatter::server
