// SPDX-License-Identifier: MIT
#include "message.h"

#include "events.h"

namespace chatter {
namespace {

Message replyTo(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic)
{
    Message m;
    m.kind = Message::Kind::Reply;
    m.joinRef = joinRef;
    m.ref = ref;
    m.topic = topic;
    m.event = events::Reply;
    return m;
}

} // namespace

Message Message::reply(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                       const QString &status, const QJsonValue &response)
{
    Message m = replyTo(joinRef, ref, topic);
    m.payload =
        QJsonObject{{QStringLiteral("status"), status}, {QStringLiteral("response"), response}};
    return m;
}

Message Message::binaryReply(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                             const QString &status, const QByteArray &response)
{
    Message m = replyTo(joinRef, ref, topic);
    m.replyStatus = status;
    m.binaryPayload = response;
    m.binary = true;
    return m;
}

Message Message::push(const QJsonValue &joinRef, const QString &topic, const QString &event,
                      const QJsonObject &payload)
{
    Message m;
    m.kind = Kind::Push;
    m.joinRef = joinRef;
    m.topic = topic;
    m.event = event;
    m.payload = payload;
    return m;
}

Message Message::pushJson(const QJsonValue &joinRef, const QString &topic, const QString &event,
                          QByteArray payloadJson)
{
    Message m;
    m.kind = Kind::Push;
    m.joinRef = joinRef;
    m.topic = topic;
    m.event = event;
    m.payloadJson = std::move(payloadJson);
    return m;
}

Message Message::binaryPush(const QJsonValue &joinRef, const QString &topic, const QString &event,
                            const QByteArray &payload)
{
    Message m = push(joinRef, topic, event, {});
    m.binaryPayload = payload;
    m.binary = true;
    return m;
}

Message Message::broadcast(const QString &topic, const QString &event, const QJsonObject &payload)
{
    Message m;
    m.kind = Kind::Broadcast;
    m.topic = topic;
    m.event = event;
    m.payload = payload;
    return m;
}

Message Message::broadcastJson(const QString &topic, const QString &event, QByteArray payloadJson)
{
    Message m;
    m.kind = Kind::Broadcast;
    m.topic = topic;
    m.event = event;
    m.payloadJson = std::move(payloadJson);
    return m;
}

Message Message::binaryBroadcast(const QString &topic, const QString &event,
                                 const QByteArray &payload)
{
    Message m = broadcast(topic, event, {});
    m.binaryPayload = payload;
    m.binary = true;
    return m;
}

Message Message::channelControl(const QJsonValue &joinRef, const QString &topic,
                                const QString &event, const QJsonObject &payload)
{
    Message m = push(joinRef, topic, event, payload);
    m.ref = joinRef;
    return m;
}

QString Message::refText(const QJsonValue &ref)
{
    if (ref.isString())
        return ref.toString();
    if (ref.isDouble())
        return QString::number(ref.toDouble(), 'g', 17);
    return {};
}

bool Message::sameRef(const QJsonValue &a, const QJsonValue &b)
{
    return a.isNull() == b.isNull() && refText(a) == refText(b);
}

bool Message::isHeartbeat() const
{
    return topic == events::PhoenixTopic && event == events::Heartbeat;
}

} // namespace chatter
