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

bool Channel::push(const QString &event, const QJsonObject &payload)
{
    return m_session.pushFromChannel(*this, Message::push(m_joinRef, m_topic, event, payload),
                                     nullptr);
}

bool Channel::pushBinary(const QString &event, const QByteArray &payload, QString *error)
{
    return m_session.pushFromChannel(*this, Message::binaryPush(m_joinRef, m_topic, event, payload),
                                     error);
}

bool Channel::broadcast(const QString &event, const QJsonObject &payload)
{
    return m_context.publish(Broadcast::create(Message::broadcast(m_topic, event, payload)),
                             nullptr);
}

bool Channel::broadcastFrom(const QString &event, const QJsonObject &payload)
{
    return m_context.publish(Broadcast::create(Message::broadcast(m_topic, event, payload), m_id),
                             nullptr);
}

bool Channel::broadcastBinary(const QString &event, const QByteArray &payload, QString *error)
{
    return m_context.publish(Broadcast::create(Message::binaryBroadcast(m_topic, event, payload)),
                             error);
}

void Channel::replyLater(const ReplyHandle &handle, const ChannelReply &reply)
{
    m_context.completeReply(handle, reply);
}

} // namespace chatter::server
