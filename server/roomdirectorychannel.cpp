// SPDX-License-Identifier: MIT
#include "roomdirectorychannel.h"

#include "channelcontext.h"
#include "conversations.h"
#include "events.h"
#include "roomdirectory.h"

namespace chatter::server {

JoinResult RoomDirectoryChannel::join(const QJsonValue &)
{
    return JoinResult::accept(QJsonObject{{QStringLiteral("rooms"), list()}});
}

HandleResult RoomDirectoryChannel::handleIn(const InboundEvent &in)
{
    if (in.event == QLatin1String("list"))
        return HandleResult::replyWith(
            ChannelReply::ok(QJsonObject{{QStringLiteral("rooms"), list()}}));
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

QSet<QString> RoomDirectoryChannel::intercepts() const
{
    return {PrivateRoomUpdate};
}

void RoomDirectoryChannel::handleOut(const QString &event, const QJsonObject &payload)
{
    if (event != PrivateRoomUpdate)
        return;
    if (const auto entry = visible(payload))
        push(events::RoomUpdate, *entry);
}

std::optional<QJsonObject> RoomDirectoryChannel::visible(QJsonObject entry)
{
    Conversations *conversations = context().conversations();
    if (!conversations)
        return entry;
    const auto room = conversations->privateRoom(entry.value(QLatin1String("name")).toString());
    if (!room)
        return entry;
    if (!room->hasMember(connectInfo().accountId))
        return std::nullopt;
    entry.insert(QStringLiteral("private"), true);
    if (room->group)
        entry.insert(QStringLiteral("group"), true);
    return entry;
}

QJsonArray RoomDirectoryChannel::list()
{
    const QJsonArray all = context().directory().list();
    if (!context().conversations())
        return all;
    QJsonArray shown;
    for (const QJsonValue &entry : all)
        if (const auto seen = visible(entry.toObject()))
            shown.append(*seen);
    return shown;
}

} // namespace chatter::server
