// SPDX-License-Identifier: MIT
#include "roomdirectorychannel.h"

#include "channelcontext.h"
#include "roomdirectory.h"

namespace chatter::server {

JoinResult RoomDirectoryChannel::join(const QJsonValue &)
{
    return JoinResult::accept(QJsonObject{{QStringLiteral("rooms"), context().directory().list()}});
}

HandleResult RoomDirectoryChannel::handleIn(const InboundEvent &in)
{
    if (in.event == QLatin1String("list"))
        return HandleResult::replyWith(
            ChannelReply::ok(QJsonObject{{QStringLiteral("rooms"), context().directory().list()}}));
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

} // namespace chatter::server
