// SPDX-License-Identifier: MIT
#include "phoenixchannel.h"

#include "events.h"
#include "phoenixsocket.h"
#include "push.h"

namespace chatter::client {

PhoenixChannel::PhoenixChannel(PhoenixSocket *socket, QString topic, ParamsProvider params)
    : QObject(socket), m_socket(socket), m_topic(std::move(topic)), m_params(std::move(params))
{
    const int timeout = m_socket->options().timeoutMs;
    m_joinPush = new Push(
        this, events::Join, [this] { return m_params ? m_params() : QJsonObject(); }, timeout);
    connect(m_joinPush, &Push::ok, this, &PhoenixChannel::onJoinOk);
    connect(m_joinPush, &Push::error, this, &PhoenixChannel::onJoinError);
    connect(m_joinPush, &Push::timeout, this, &PhoenixChannel::onJoinTimeout);
    m_rejoinTimer.setSingleShot(true);
    connect(&m_rejoinTimer, &QTimer::timeout, this, [this] {
        ++m_rejoinTries;
        if (m_socket->isConnected())
            rejoin();
    });
}

PhoenixChannel::~PhoenixChannel()
{
    // Pushes unregister their refs from m_pending when destroyed; QObject would delete them
    // only after m_pending is gone.
    qDeleteAll(findChildren<Push *>(Qt::FindDirectChildrenOnly));
}

QString PhoenixChannel::joinRef() const
{
    return m_joinPush->ref();
}

QJsonValue PhoenixChannel::joinRefValue() const
{
    const QString ref = joinRef();
    return ref.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(ref);
}

bool PhoenixChannel::canPush() const
{
    return m_socket->isConnected() && m_state == State::Joined;
}

Push *PhoenixChannel::join(int timeoutMs)
{
    if (m_joinedOnce)
        return m_joinPush;
    m_joinedOnce = true;
    if (timeoutMs > 0)
        m_joinPush->m_timer.setInterval(timeoutMs);
    rejoin();
    return m_joinPush;
}

Push *PhoenixChannel::push(const QString &event, const QJsonObject &payload, int timeoutMs)
{
    auto *p = new Push(
        this, event, [payload] { return payload; },
        timeoutMs > 0 ? timeoutMs : m_socket->options().timeoutMs);
    p->m_autoDelete = true;
    if (canPush()) {
        p->send();
    } else {
        // The timeout starts now, not when the join finally succeeds.
        p->startTimeout();
        m_pushBuffer.append(p);
    }
    return p;
}

void PhoenixChannel::leave()
{
    m_rejoinTimer.stop();
    m_joinPush->cancelTimeout();
    const bool wasJoined = m_socket->isConnected() && m_state != State::Closed;
    setState(State::Leaving);
    if (wasJoined) {
        // Fire and forget: phoenix.js resolves the leave locally, so the server's reply and
        // phx_close arrive after this object is gone and are ignored.
        pushLeave();
    }
    onClose();
}

bool PhoenixChannel::isMember(const Message &message) const
{
    if (message.topic != m_topic)
        return false;
    // A non-null join_ref from an earlier join of this topic is stale.
    if (!message.joinRef.isNull() && Message::refText(message.joinRef) != joinRef())
        return false;
    return true;
}

void PhoenixChannel::handleMessage(const Message &message)
{
    const QString &event = message.event;
    if (event == events::Reply) {
        const QJsonObject payload = message.payload.toObject();
        const QPointer<Push> push = m_pending.value(Message::refText(message.ref));
        if (push)
            push->handleReply(payload.value(QLatin1String("status")).toString(),
                              payload.value(QLatin1String("response")));
        return;
    }
    if (event == events::Error) {
        onError(message.payload.toObject());
        return;
    }
    if (event == events::Close) {
        onClose();
        return;
    }
    if (m_state == State::Closed || m_state == State::Leaving)
        return;
    Q_EMIT eventReceived(event, message.payload);
}

void PhoenixChannel::handleSocketOpen()
{
    resetRejoinTimer();
    if (m_state == State::Errored)
        rejoin();
}

void PhoenixChannel::handleSocketError(const QString &reason)
{
    resetRejoinTimer();
    if (m_state == State::Errored || m_state == State::Leaving || m_state == State::Closed)
        return;
    onError(QJsonObject{{QStringLiteral("source"), QStringLiteral("transport")},
                        {QStringLiteral("reason"), reason}});
}

void PhoenixChannel::registerRef(const QString &ref, Push *push)
{
    m_pending.insert(ref, push);
}

void PhoenixChannel::unregisterRef(const QString &ref)
{
    m_pending.remove(ref);
}

void PhoenixChannel::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void PhoenixChannel::rejoin()
{
    if (m_state == State::Leaving || m_removed)
        return;
    m_socket->leaveOtherChannels(this);
    setState(State::Joining);
    m_joinPush->resend(m_joinPush->m_timer.interval());
}

void PhoenixChannel::scheduleRejoin()
{
    const int delay = m_socket->options().rejoinAfter.delayMs(m_rejoinTries + 1);
    m_rejoinTimer.start(delay);
    Q_EMIT rejoinScheduled(delay);
}

void PhoenixChannel::resetRejoinTimer()
{
    m_rejoinTimer.stop();
    m_rejoinTries = 0;
}

void PhoenixChannel::onJoinOk(const QJsonValue &response)
{
    setState(State::Joined);
    resetRejoinTimer();
    const QList<QPointer<Push>> buffered = std::exchange(m_pushBuffer, {});
    for (const QPointer<Push> &push : buffered) {
        if (push)
            push->send();
    }
    Q_EMIT joined(response.toObject());
}

void PhoenixChannel::onJoinError(const QJsonValue &response)
{
    setState(State::Errored);
    if (m_socket->isConnected())
        scheduleRejoin();
    Q_EMIT joinRefused(response.toObject());
}

void PhoenixChannel::pushLeave()
{
    Message leave;
    leave.joinRef = joinRefValue();
    leave.ref = m_socket->makeRef();
    leave.topic = m_topic;
    leave.event = events::Leave;
    m_socket->push(leave);
}

void PhoenixChannel::onJoinTimeout()
{
    // Tell the server to drop whatever it may have made of the late join, then retry.
    pushLeave();
    setState(State::Errored);
    m_joinPush->reset();
    if (m_socket->isConnected())
        scheduleRejoin();
    Q_EMIT joinTimedOut();
}

void PhoenixChannel::onError(const QJsonObject &reason)
{
    if (m_state == State::Leaving || m_state == State::Closed)
        return;
    if (m_state == State::Joining)
        m_joinPush->reset();
    setState(State::Errored);
    if (m_socket->isConnected())
        scheduleRejoin();
    Q_EMIT errored(reason);
}

void PhoenixChannel::onClose()
{
    resetRejoinTimer();
    m_joinPush->cancelTimeout();
    setState(State::Closed);
    m_removed = true;
    m_socket->removeChannel(this);
    Q_EMIT closed();
}

} // namespace chatter::client
