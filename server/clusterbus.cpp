// SPDX-License-Identifier: MIT
#include "clusterbus.h"

#include "logging.h"
#include "mailbox.h"
#include "redisconnection.h"

#include <QDateTime>

#include <mutex>

namespace chatter::server {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

ClusterBus::ClusterBus(RedisLocation location, QByteArray clusterId, RedisConnection *commands,
                       QObject *parent)
    : QObject(parent), m_mailbox(new Mailbox(this)),
      m_prefix(QByteArrayLiteral("chatter:") + clusterId + QByteArrayLiteral(":t:")),
      m_clusterPrefix(QByteArrayLiteral("chatter:") + clusterId + ':'),
      m_controlChannel(m_clusterPrefix + "all"), m_commands(commands),
      m_subscriber(
          new RedisConnection(std::move(location), RedisConnection::Role::Subscriber, this))
{
    connect(m_subscriber, &RedisConnection::subscribed, this, &ClusterBus::confirmed);
    connect(m_subscriber, &RedisConnection::disconnected, this, &ClusterBus::lost);
    connect(m_subscriber, &RedisConnection::message, this,
            [this](const QByteArray &channel, const QByteArray &payload) {
                if (channel == m_inbox && m_onInbox) {
                    m_onInbox(payload);
                    return;
                }
                if (m_onControl && channel == m_controlChannel) {
                    m_onControl(payload);
                    return;
                }
                if (!m_incoming || !channel.startsWith(m_prefix))
                    return;
                m_incoming(QString::fromUtf8(channel.mid(m_prefix.size())), payload);
            });
    connect(m_commands, &RedisConnection::connected, this, &ClusterBus::flushQueue);
    // Down from the start until the first answer.
    m_commandsDownSince = nowMs();
    m_subscriberDownSince = nowMs();
    connect(m_commands, &RedisConnection::connected, this, [this] { m_commandsDownSince = 0; });
    connect(m_commands, &RedisConnection::disconnected, this,
            [this] { m_commandsDownSince = nowMs(); });
    connect(m_subscriber, &RedisConnection::connected, this, [this] { m_subscriberDownSince = 0; });
    connect(m_subscriber, &RedisConnection::disconnected, this,
            [this] { m_subscriberDownSince = nowMs(); });
    // Children, so that they move to the cluster thread with the bus.
    m_lingerTimer.setParent(this);
    m_waiterTimer.setParent(this);
    m_lingerTimer.setInterval(1000);
    connect(&m_lingerTimer, &QTimer::timeout, this, &ClusterBus::unsubscribeLingering);
    m_waiterTimer.setInterval(100);
    connect(&m_waiterTimer, &QTimer::timeout, this, &ClusterBus::expireWaiters);
}

ClusterBus::~ClusterBus() = default;

void ClusterBus::start()
{
    m_subscriber->start();
    m_lingerTimer.start();
    m_waiterTimer.start();
}

void ClusterBus::stop()
{
    m_stopped = true;
    m_lingerTimer.stop();
    m_waiterTimer.stop();
    m_subscriber->stop();
    m_waiters.clear();
    std::unique_lock lock(m_readyLock);
    m_ready.clear();
}

QByteArray ClusterBus::channelOf(const QString &topic) const
{
    return m_prefix + topic.toUtf8();
}

QByteArray ClusterBus::inboxOf(const QUuid &node) const
{
    return m_clusterPrefix + "n:" + node.toByteArray(QUuid::WithoutBraces);
}

void ClusterBus::setInbox(const QUuid &node, std::function<void(const QByteArray &)> inbox)
{
    m_inbox = inboxOf(node);
    m_onInbox = std::move(inbox);
    m_subscriber->subscribe(m_inbox);
}

void ClusterBus::setControl(std::function<void(const QByteArray &)> control)
{
    m_onControl = std::move(control);
    m_subscriber->subscribe(controlChannel());
}

void ClusterBus::acquire(const QString &topic)
{
    m_mailbox->post([this, topic] { hold(topic); });
}

void ClusterBus::release(const QString &topic)
{
    m_mailbox->post([this, topic] { unhold(topic); });
}

bool ClusterBus::ready(const QString &topic) const
{
    std::shared_lock lock(m_readyLock);
    return m_ready.contains(topic);
}

bool ClusterBus::healthy() const
{
    const qint64 now = nowMs();
    for (const qint64 since : {m_commandsDownSince.load(), m_subscriberDownSince.load()}) {
        if (since != 0 && now - since >= UnhealthyAfterMs)
            return false;
    }
    return true;
}

void ClusterBus::whenReady(const QString &topic, std::function<void()> resume)
{
    m_mailbox->post([this, topic, resume = std::move(resume)]() mutable {
        if (m_stopped)
            return;
        hold(topic);
        if (ready(topic)) {
            resume();
            unhold(topic);
            return;
        }
        m_waiters[topic].push_back({std::move(resume), nowMs() + ReadyWaitMs});
    });
}

void ClusterBus::publish(const QString &topic, QByteArray envelope)
{
    publishRaw(channelOf(topic), std::move(envelope));
}

void ClusterBus::publishRaw(const QByteArray &channel, QByteArray payload)
{
    m_mailbox->post([this, channel, envelope = std::move(payload)]() mutable {
        if (m_stopped)
            return;
        if (m_commands->isConnected() && m_queue.empty()) {
            m_commands->command({QByteArrayLiteral("PUBLISH"), channel, envelope});
            return;
        }
        m_queuedBytes += envelope.size();
        m_queue.emplace_back(channel, std::move(envelope));
        while (m_queue.size() > size_t(MaxQueued) || m_queuedBytes > MaxQueuedBytes) {
            m_queuedBytes -= m_queue.front().second.size();
            m_queue.pop_front();
            if (m_dropped++ % 1000 == 0)
                qCWarning(lcCluster)
                    << "Redis is away: broadcasts for other nodes dropped," << m_dropped
                    << "so far (their rooms are filled from the "
                       "database after the reconnect)";
        }
    });
}

void ClusterBus::publishCounted(const QByteArray &channel, const QByteArray &payload,
                                std::function<void(qint64 receivers)> done)
{
    if (m_stopped || !m_commands->isConnected()) {
        done(-1);
        return;
    }
    m_commands->command({QByteArrayLiteral("PUBLISH"), channel, payload},
                        [done = std::move(done)](const RedisReply &reply) {
                            done(reply.type == RedisReply::Type::Integer ? reply.integer : -1);
                        });
}

void ClusterBus::flushQueue()
{
    // Room messages among them are also recovered by the other nodes' gap fills; the rest
    // (typing, personal events) would otherwise be lost for the outage.
    while (!m_queue.empty() && m_commands->isConnected()) {
        auto [channel, envelope] = std::move(m_queue.front());
        m_queue.pop_front();
        m_queuedBytes -= envelope.size();
        m_commands->command({QByteArrayLiteral("PUBLISH"), channel, envelope});
    }
}

void ClusterBus::hold(const QString &topic)
{
    if (m_stopped)
        return;
    if (m_holds[topic]++ > 0)
        return;
    if (m_lingering.remove(topic))
        return; // still subscribed
    m_subscriber->subscribe(channelOf(topic));
}

void ClusterBus::unhold(const QString &topic)
{
    auto it = m_holds.find(topic);
    if (it == m_holds.end())
        return;
    if (--*it > 0)
        return;
    m_holds.erase(it);
    m_lingering.insert(topic, nowMs() + LingerMs);
}

void ClusterBus::unsubscribeLingering()
{
    const qint64 now = nowMs();
    for (auto it = m_lingering.begin(); it != m_lingering.end();) {
        if (it.value() > now) {
            ++it;
            continue;
        }
        const QString topic = it.key();
        it = m_lingering.erase(it);
        {
            std::unique_lock lock(m_readyLock);
            m_ready.remove(topic);
        }
        m_subscriber->unsubscribe(channelOf(topic));
        if (m_onDropped)
            m_onDropped(topic);
    }
}

void ClusterBus::confirmed(const QByteArray &channel)
{
    if (!channel.startsWith(m_prefix))
        return;
    const QString topic = QString::fromUtf8(channel.mid(m_prefix.size()));
    if (!m_holds.contains(topic) && !m_lingering.contains(topic))
        return; // released and unsubscribed meanwhile
    {
        std::unique_lock lock(m_readyLock);
        m_ready.insert(topic);
    }
    if (!m_onReady) {
        releaseWaiters(topic);
        return;
    }
    m_onReady(topic, [this, topic] { releaseWaiters(topic); });
}

void ClusterBus::releaseWaiters(const QString &topic)
{
    const auto waiters = m_waiters.take(topic);
    for (const Waiter &waiter : waiters) {
        waiter.resume();
        unhold(topic);
    }
}

void ClusterBus::lost()
{
    // Nothing is confirmed until the redial resubscribes; joins meanwhile wait (briefly).
    std::unique_lock lock(m_readyLock);
    m_ready.clear();
}

void ClusterBus::expireWaiters()
{
    const qint64 now = nowMs();
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        std::vector<Waiter> &list = it.value();
        const QString topic = it.key();
        std::vector<Waiter> due;
        for (auto w = list.begin(); w != list.end();) {
            if (w->deadlineMs <= now) {
                due.push_back(std::move(*w));
                w = list.erase(w);
            } else {
                ++w;
            }
        }
        it = list.empty() ? m_waiters.erase(it) : std::next(it);
        for (const Waiter &waiter : due) {
            qCWarning(lcCluster).noquote()
                << "Redis did not confirm" << topic << "within" << ReadyWaitMs
                << "ms; a join goes on without other nodes' broadcasts";
            waiter.resume();
            unhold(topic);
        }
    }
}

} // namespace chatter::server
