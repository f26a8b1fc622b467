// SPDX-License-Identifier: MIT
#include "push.h"

#include "phoenixchannel.h"
#include "phoenixsocket.h"

namespace chatter::client {

Push::Push(PhoenixChannel *channel, QString event, PayloadProvider payload, int timeoutMs)
    : QObject(channel), m_channel(channel), m_event(std::move(event)), m_payload(std::move(payload))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(timeoutMs);
    connect(&m_timer, &QTimer::timeout, this, &Push::handleTimeout);
}

Push::~Push()
{
    if (!m_ref.isEmpty())
        m_channel->unregisterRef(m_ref);
}

void Push::send()
{
    // phoenix.js: a buffered push whose timeout already fired has had its callbacks run.
    if (m_timedOut || m_done)
        return;
    startTimeout();
    m_sent = true;
    Message message;
    message.joinRef = m_channel->joinRefValue();
    message.ref = m_ref;
    message.topic = m_channel->topic();
    message.event = m_event;
    message.payload = m_payload ? m_payload() : QJsonObject();
    m_channel->socket()->push(message);
}

void Push::resend(int timeoutMs)
{
    m_timer.setInterval(timeoutMs);
    reset();
    m_timedOut = false;
    m_done = false;
    m_sent = false;
    send();
}

void Push::startTimeout()
{
    cancelTimeout();
    if (!m_ref.isEmpty())
        m_channel->unregisterRef(m_ref);
    m_ref = m_channel->socket()->makeRef();
    m_channel->registerRef(m_ref, this);
    m_timer.start();
}

void Push::reset()
{
    cancelTimeout();
    if (!m_ref.isEmpty())
        m_channel->unregisterRef(m_ref);
    m_ref.clear();
}

void Push::cancelTimeout()
{
    m_timer.stop();
}

void Push::handleReply(const QString &status, const QJsonValue &response)
{
    if (m_done)
        return;
    // Keep the ref: the channel's join_ref is the join push's ref while joined.
    cancelTimeout();
    m_channel->unregisterRef(m_ref);
    m_done = true;
    Q_EMIT replied(status, response);
    if (status == QLatin1String("ok"))
        Q_EMIT ok(response);
    else if (status == QLatin1String("error"))
        Q_EMIT error(response);
    finish();
}

void Push::handleTimeout()
{
    if (m_done)
        return;
    m_channel->unregisterRef(m_ref);
    m_timedOut = true;
    m_done = true;
    Q_EMIT timeout();
    finish();
}

void Push::finish()
{
    if (m_autoDelete)
        deleteLater();
}

} // namespace chatter::client
