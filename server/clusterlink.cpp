// SPDX-License-Identifier: MIT
#include "clusterlink.h"

#include "clusterbus.h"
#include "logging.h"
#include "mailbox.h"
#include "redisconnection.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace chatter::server {

//! The starting thread waits on this for the first claim's outcome; the cluster thread fills it.
struct ClusterLink::StartWait
{
    std::mutex mutex;
    std::condition_variable changed;
    std::optional<Expected<void>> outcome;
};

ClusterLink::ClusterLink(RedisLocation location, QByteArray clusterId, QObject *parent)
    : QObject(parent), m_location(std::move(location)), m_clusterId(std::move(clusterId)),
      m_mailbox(new Mailbox(this)),
      m_commands(new RedisConnection(m_location, RedisConnection::Role::Commands, this)),
      m_bus(new ClusterBus(m_location, m_clusterId, m_commands, this))
{
    // Every (re)connect claims the Redis again: after a Redis restart the first node back
    // writes the id, and a node of another cluster that races it finds the wrong one.
    connect(m_commands, &RedisConnection::connected, this, [this] {
        claim([this](const Expected<void> &claimed) {
            if (m_startWait) {
                const std::shared_ptr<StartWait> wait = std::exchange(m_startWait, nullptr);
                {
                    const std::lock_guard lock(wait->mutex);
                    wait->outcome = claimed;
                }
                wait->changed.notify_all();
            } else if (!claimed) {
                qCCritical(lcCluster).noquote() << claimed.error();
            }
        });
    });
}

ClusterLink::~ClusterLink() = default;

Expected<void> ClusterLink::start(int timeoutMs)
{
    auto wait = std::make_shared<StartWait>();
    m_mailbox->run([this, wait] {
        m_startWait = wait;
        m_commands->start();
        m_bus->start();
    });
    std::unique_lock lock(wait->mutex);
    if (wait->changed.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                               [&wait] { return wait->outcome.has_value(); }))
        return *wait->outcome;
    lock.unlock();
    QString why;
    m_mailbox->run([this, &why] {
        m_startWait.reset();
        why = m_commands->lastError();
    });
    return failure(QStringLiteral("Redis at %1 did not answer within %2 ms%3")
                       .arg(m_location.display())
                       .arg(timeoutMs)
                       .arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
}

void ClusterLink::stop()
{
    m_bus->stop();
    m_commands->stop();
}

void ClusterLink::claim(std::function<void(const Expected<void> &)> done)
{
    // Pipelined on one connection: the GET sees the SET's outcome, or another node's id.
    m_commands->command({"SET", clusterKey(), m_clusterId, "NX"});
    m_commands->command({"GET", clusterKey()}, [this, done](const RedisReply &reply) {
        if (!reply.ok()) {
            done(failure(QStringLiteral("cannot claim Redis at %1 for this cluster: %2")
                             .arg(m_location.display(), reply.errorString())));
            return;
        }
        if (reply.type == RedisReply::Type::String && reply.text == m_clusterId) {
            qCInfo(lcCluster).noquote()
                << "Redis at" << m_location.display() << "serves cluster" << m_clusterId;
            done({});
            return;
        }
        done(failure(
            QStringLiteral("Redis at %1 serves the cluster %2, but this node's database is the "
                           "cluster %3: another cluster's Redis (a wrong --redis, or a wrong "
                           "--database). Give each cluster its own Redis (or db number), or "
                           "delete the key %4 if that cluster is gone")
                .arg(m_location.display(),
                     reply.type == RedisReply::Type::String ? QString::fromUtf8(reply.text)
                                                            : QStringLiteral("(none)"),
                     QString::fromUtf8(m_clusterId), QString::fromLatin1(clusterKey()))));
    });
}

} // namespace chatter::server
