// SPDX-License-Identifier: MIT
#include "roomchannel.h"

#include "chatvalidation.h"
#include "engine.h"
#include "events.h"
#include "topicpattern.h"
#include "worker.h"

#include <QDateTime>
#include <QJsonArray>

namespace chatter::server {

RoomChannel::RoomChannel(SocketSession &session, Worker &worker, const QString &topic)
    : Channel(session, worker, topic),
      m_room(chatter::TopicPattern(TopicPattern).wildcardPart(topic))
{
}

JoinResult RoomChannel::join(const QJsonValue &)
{
    if (const QString why = validation::checkRoomName(m_room); !why.isEmpty())
        return JoinResult::refuse(why);
    return JoinResult::accept(QJsonObject{{QStringLiteral("messages"), QJsonArray()}});
}

HandleResult RoomChannel::handleIn(const InboundEvent &in)
{
    if (in.event == events::NewMessage)
        return newMessage(in.payload);
    if (in.event == events::Ping)
        return HandleResult::replyWith(in.binary ? ChannelReply::okBinary(in.binaryPayload)
                                                 : ChannelReply::ok(in.payload));
    if (in.event == events::Typing)
        return typing(in.payload);
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

HandleResult RoomChannel::newMessage(const QJsonValue &payload)
{
    const QJsonValue body = payload.toObject().value(QLatin1String("body"));
    if (const QString why = validation::checkBody(body); !why.isEmpty())
        return HandleResult::replyWith(ChannelReply::error(why));
    const qint64 id = worker().engine().nextMessageId();
    const QJsonObject message{
        {QStringLiteral("id"), id},
        {QStringLiteral("user"), connectInfo().user},
        {QStringLiteral("body"), body.toString()},
        {QStringLiteral("at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
    };
    broadcast(events::NewMessage, message);
    return HandleResult::replyWith(ChannelReply::ok(QJsonObject{{QStringLiteral("id"), id}}));
}

HandleResult RoomChannel::typing(const QJsonValue &payload)
{
    const QJsonValue typing = payload.toObject().value(QLatin1String("typing"));
    broadcastFrom(events::Typing, {{QStringLiteral("user"), connectInfo().user},
                                   {QStringLiteral("typing"), typing.isBool() ? typing.toBool() : true}});
    return HandleResult::noReply();
}

} // namespace chatter::server
