// SPDX-License-Identifier: MIT
#include "adminchannel.h"

#include "adminactions.h"
#include "channelcontext.h"
#include "chatvalidation.h"
#include "roomchannel.h"

#include <QDateTime>

namespace chatter::server {
namespace {

HandleResult error(const QString &reason)
{
    return HandleResult::replyWith(ChannelReply::error(reason));
}

//! The `user` of a payload: any nickname that could connect (its look-alikes go with it).
Expected<QString> userOf(const QJsonObject &payload)
{
    const QJsonValue user = payload.value(QLatin1StringView("user"));
    if (!user.isString())
        return failure(QStringLiteral("user is required"));
    if (const auto valid = validation::checkNickname(user); !valid)
        return failure(valid.error());
    return user.toString();
}

} // namespace

AdminChannel::AdminChannel(SocketSession &session, ChannelContext &context, QString topic,
                           AdminActions &actions)
    : Channel(session, context, std::move(topic)), m_actions(actions)
{}

JoinResult AdminChannel::join(const QJsonValue &)
{
    // The role comes from the socket's session (an admin account), never from the client.
    if (connectInfo().role != QLatin1StringView("admin"))
        return JoinResult::refuse(QStringLiteral("forbidden"));
    return JoinResult::accept();
}

HandleResult AdminChannel::handleIn(const InboundEvent &in)
{
    if (!in.payload.isObject())
        return error(QStringLiteral("payload must be an object"));
    const QJsonObject payload = in.payload.toObject();
    if (in.event == QLatin1StringView("kick"))
        return kick(payload, in.replyHandle);
    if (in.event == QLatin1StringView("ban"))
        return ban(payload);
    if (in.event == QLatin1StringView("unban"))
        return unban(payload);
    if (in.event == QLatin1StringView("system"))
        return system(payload, in.replyHandle);
    return error(QStringLiteral("unknown event"));
}

HandleResult AdminChannel::kick(const QJsonObject &payload, const ReplyHandle &handle)
{
    const auto user = userOf(payload);
    if (!user)
        return error(user.error());
    ChannelContext *channels = &context();
    m_actions.kick(
        *user, {connectInfo().user, connectInfo().peerAddress}, [channels, handle](int closed) {
            channels->completeReply(
                handle, ChannelReply::ok(QJsonObject{{QStringLiteral("closed"), closed}}));
        });
    return HandleResult::deferReply();
}

HandleResult AdminChannel::ban(const QJsonObject &payload)
{
    const auto user = userOf(payload);
    if (!user)
        return error(user.error());
    const QJsonValue minutes = payload.value(QLatin1StringView("minutes"));
    const double number = minutes.toDouble(-1);
    if (!minutes.isDouble() || number < 0 || number > MaxBanMinutes || number != int(number))
        return error(QStringLiteral("minutes must be a whole number from 0 (until lifted) to %1")
                         .arg(MaxBanMinutes));
    const QJsonValue reason = payload.value(QLatin1StringView("reason"));
    if (!reason.isUndefined() && !reason.isString())
        return error(QStringLiteral("reason must be a string"));
    if (reason.toString().size() > MaxReasonLength)
        return error(QStringLiteral("reason is longer than %1 characters").arg(MaxReasonLength));
    const QDateTime until = m_actions.ban(*user, int(number), reason.toString(),
                                          {connectInfo().user, connectInfo().peerAddress});
    return HandleResult::replyWith(ChannelReply::ok(QJsonObject{
        {QStringLiteral("until"),
         until.isNull() ? QJsonValue() : QJsonValue(until.toString(Qt::ISODateWithMs))}}));
}

HandleResult AdminChannel::unban(const QJsonObject &payload)
{
    const auto user = userOf(payload);
    if (!user)
        return error(user.error());
    if (m_actions.unban(*user, {connectInfo().user, connectInfo().peerAddress}) == 0)
        return error(QStringLiteral("not banned"));
    return HandleResult::replyWith(ChannelReply::ok());
}

HandleResult AdminChannel::system(const QJsonObject &payload, const ReplyHandle &handle)
{
    const QJsonValue room = payload.value(QLatin1StringView("room"));
    if (!room.isString())
        return error(QStringLiteral("room is required"));
    if (const auto valid = validation::checkRoomName(room.toString()); !valid)
        return error(valid.error());
    const QJsonValue body = payload.value(QLatin1StringView("body"));
    if (const auto valid = validation::checkBody(body); !valid)
        return error(valid.error());
    m_actions.record({connectInfo().user, connectInfo().peerAddress}, QStringLiteral("system"),
                     room.toString(), body.toString());
    // The path the monitor's system messages take (Engine::sendSystemMessage): stored as
    // "system", then broadcast to the room marked `system`.
    StoredMessage message{0, room.toString(), QStringLiteral("system"), body.toString(),
                          QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)};
    message.author = QStringLiteral("system");
    ChannelContext *channels = &context();
    channels->append(std::move(message), [channels, handle](const StoredMessage &m, bool ok) {
        if (!ok) {
            channels->completeReply(
                handle, ChannelReply::error(QStringLiteral("could not store the message")));
            return;
        }
        RoomChannel::publishCommitted(*channels, m, true);
        channels->completeReply(handle,
                                ChannelReply::ok(QJsonObject{{QStringLiteral("id"), m.id}}));
    });
    return HandleResult::deferReply();
}

} // namespace chatter::server
