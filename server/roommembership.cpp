// SPDX-License-Identifier: MIT
#include "roommembership.h"

#include "accountdirectory.h"
#include "channelcontext.h"
#include "conversations.h"
#include "events.h"
#include "personalchannel.h"
#include "presencetracker.h"
#include "topics.h"

namespace chatter::server {
namespace {

ChannelReply forbidden()
{
    return ChannelReply::error(QStringLiteral("forbidden"));
}

} // namespace

RoomMembership::RoomMembership(ChannelContext &context, const ConnectInfo &info, QString room,
                               QString topic)
    : m_context(context), m_info(info), m_room(std::move(room)), m_topic(std::move(topic))
{}

bool RoomMembership::mayManage() const
{
    if (m_info.role == QLatin1String("admin"))
        return true;
    Conversations *conversations = m_context.conversations();
    const auto room = conversations ? conversations->privateRoom(m_room) : std::nullopt;
    return room && room->ownerId != 0 && room->ownerId == m_info.accountId;
}

HandleResult RoomMembership::setPrivate(const InboundEvent &in)
{
    Conversations *conversations = m_context.conversations();
    AccountDirectory *accounts = m_context.accounts();
    if (topics::isDmKey(m_room) || !conversations || !accounts)
        return HandleResult::replyWith(forbidden());
    if (in.payload.toObject().value(QLatin1String("private")) != QJsonValue(true))
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("a private room stays private")));
    if (!mayManage())
        return HandleResult::replyWith(forbidden());
    if (conversations->isPrivate(m_room))
        return HandleResult::replyWith(ChannelReply::ok());
    // Every account present now becomes a member (an admin's room has no owner).
    Conversations::PrivateRoom room;
    room.name = m_room;
    const QJsonObject present = m_context.presence().list(m_topic);
    for (auto it = present.constBegin(); it != present.constEnd(); ++it) {
        if (const auto account = PersonalChannel::registered(*accounts, it.key()))
            room.members.append({account->id, account->display});
    }
    ChannelContext *context = &m_context;
    const ReplyHandle handle = in.replyHandle;
    const QString topic = m_topic;
    const bool started = conversations->createPrivate(
        room, context->replyMailbox(), [context, handle, room, topic](bool stored) {
            if (!stored) {
                context->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not store the change")));
                return;
            }
            context->completeReply(handle, ChannelReply::ok());
            // Guests (account 0) present cannot be members: they are removed from the room.
            context->removeAccountFromTopic(0, topic);
            const QJsonObject entry = PersonalChannel::roomEntry(room);
            for (const Conversations::Member &m : room.members)
                PersonalChannel::notify(*context, m.display, events::RoomInvited, entry);
        });
    if (!started)
        return HandleResult::replyWith(ChannelReply::ok());
    return HandleResult::deferReply();
}

Expected<RoomMembership::Target> RoomMembership::targetOf(const InboundEvent &in)
{
    Conversations *conversations = m_context.conversations();
    AccountDirectory *accounts = m_context.accounts();
    auto room = conversations && accounts && !topics::isDmKey(m_room)
                    ? conversations->privateRoom(m_room)
                    : std::nullopt;
    if (!room)
        return failure(QStringLiteral("not a private room"));
    auto account = PersonalChannel::registered(
        *accounts, in.payload.toObject().value(QLatin1String("user")).toString());
    if (!account)
        return failure(QStringLiteral("no such account"));
    return Target{std::move(*room), std::move(*account)};
}

HandleResult RoomMembership::invite(const InboundEvent &in)
{
    const auto target = targetOf(in);
    if (!target)
        return HandleResult::replyWith(ChannelReply::error(target.error()));
    const auto &[room, account] = *target;
    if (!mayManage())
        return HandleResult::replyWith(forbidden());
    Conversations *conversations = m_context.conversations();
    if (room.hasMember(account.id))
        return HandleResult::replyWith(ChannelReply::ok());
    ChannelContext *context = &m_context;
    const ReplyHandle handle = in.replyHandle;
    const QString name = m_room;
    const QString invitee = account.display;
    conversations->addMember(
        m_room, {account.id, account.display}, context->replyMailbox(),
        [context, handle, name, invitee](bool stored) {
            const auto now = stored ? context->conversations()->privateRoom(name) : std::nullopt;
            if (!now) {
                context->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not store the change")));
                return;
            }
            context->completeReply(handle, ChannelReply::ok());
            PersonalChannel::notify(*context, invitee, events::RoomInvited,
                                    PersonalChannel::roomEntry(*now));
        });
    return HandleResult::deferReply();
}

HandleResult RoomMembership::remove(const InboundEvent &in)
{
    const auto target = targetOf(in);
    if (!target)
        return HandleResult::replyWith(ChannelReply::error(target.error()));
    const auto &[room, account] = *target;
    Conversations *conversations = m_context.conversations();
    // Members may remove themselves: that is leaving.
    if (!mayManage() && account.id != m_info.accountId)
        return HandleResult::replyWith(forbidden());
    if (!room.hasMember(account.id))
        return HandleResult::replyWith(ChannelReply::error(QStringLiteral("not a member")));
    ChannelContext *context = &m_context;
    const ReplyHandle handle = in.replyHandle;
    const QString topic = m_topic;
    const qint64 removed = account.id;
    const QString display = account.display;
    conversations->removeMember(
        m_room, removed, context->replyMailbox(),
        [context, handle, topic, removed, display](bool stored) {
            if (!stored) {
                context->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not store the change")));
                return;
            }
            context->completeReply(handle, ChannelReply::ok());
            context->removeAccountFromTopic(removed, topic);
            PersonalChannel::notify(*context, display, events::RoomRemoved,
                                    {{QStringLiteral("topic"), topic}});
        });
    return HandleResult::deferReply();
}

} // namespace chatter::server
