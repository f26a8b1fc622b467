// SPDX-License-Identifier: MIT
#include "channel.h"

#include "broadcast.h"
#include "channelcontext.h"
#include "socketsession.h"

#include <atomic>

namespace chatter::server {
namespace {

std::atomic<quint64> lastChannelId{0};

} // namespace

Channel::Channel(SocketSession &session, ChannelContext &context, QString topic)
    : m_session(session), m_context(context), m_id(++lastChannelId), m_topic(std::move(topic))
{}

Channel::~Channel() = default;

const ConnectInfo &Channel::connectInfo() const
{
    return m_session.info();
}

Expected<void> Channel::push(const QString &event, const QJsonObject &payload)
{
    return m_session.pushFromChannel(*this, Message::push(joinRef(), m_topic, event, payload));
}

Expected<void> Channel::pushJson(const QString &event, QByteArray payloadJson)
{
    return m_session.pushFromChannel(
        *this, Message::pushJson(joinRef(), m_topic, event, std::move(payloadJson)));
}

Expected<void> Channel::pushBinary(const QString &event, const QByteArray &payload)
{
    return m_session.pushFromChannel(*this,
                                     Message::binaryPush(joinRef(), m_topic, event, payload));
}

Expected<void> Channel::broadcast(const QString &event, const QJsonObject &payload)
{
    return m_context.publish(Broadcast::create(Message::broadcast(m_topic, event, payload)));
}

Expected<void> Channel::broadcastFrom(const QString &event, const QJsonObject &payload)
{
    return m_context.publish(Broadcast::create(Message::broadcast(m_topic, event, payload), m_id));
}

Expected<void> Channel::broadcastBinary(const QString &event, const QByteArray &payload)
{
    return m_context.publish(Broadcast::create(Message::binaryBroadcast(m_topic, event, payload)));
}

void Channel::replyLater(const ReplyHandle &handle, const ChannelReply &reply)
{
    m_context.completeReply(handle, reply);
}

} // namespace chatter::server
