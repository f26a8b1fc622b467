// SPDX-License-Identifier: MIT
#pragma once

#include "redislocation.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUuid>

#include <atomic>
#include <deque>
#include <functional>
#include <shared_mutex>
#include <vector>

namespace chatter::server {

class Mailbox;
class RedisConnection;

//! A node's topics on Redis (docs/cluster.md, "Subscribe only where needed"): the channel
//! `chatter:<cid>:t:<topic>` of every topic with local subscribers is subscribed on the
//! subscriber connection, envelopes are PUBLISHed on the commands connection, and what arrives
//! goes to `Incoming`. Lives on the cluster thread with both connections; the calls marked
//! "any thread" post there.
//!
//! * A topic is wanted while something here holds it (acquire()/release(): PubSub for each
//!   topic with local subscribers, a waiting join for a moment). The last release unsubscribes
//!   after `LingerMs`, so a storm of rejoins does not churn subscriptions.
//! * A topic is ready once Redis confirmed its subscription, again after every redial; ready()
//!   says so from any thread. `Ready` runs first (the relay reads the room's baseline), then
//!   the waiters of whenReady().
//! * Envelopes published while the commands connection is down wait in a bounded queue (oldest
//!   dropped first, logged) and go out after the reconnect.
class ClusterBus : public QObject
{
    Q_OBJECT
public:
    using Incoming = std::function<void(const QString &topic, const QByteArray &payload)>;
    //! Runs when a topic becomes ready; the joins waiting for it go on once `done` is called.
    using Ready = std::function<void(const QString &topic, std::function<void()> done)>;
    using Dropped = std::function<void(const QString &topic)>;

    static constexpr int LingerMs = 30000;
    //! How long a join waits for its topic's subscription before it goes on without (Redis
    //! away: the node still serves its own clients; the gap is filled after the reconnect).
    static constexpr int ReadyWaitMs = 2000;
    static constexpr int MaxQueued = 10000;
    static constexpr qsizetype MaxQueuedBytes = 16 * 1024 * 1024;

    //! `commands` is shared with ClusterLink (it claims the Redis on it); the subscriber
    //! connection is this bus's own.
    ClusterBus(RedisLocation location, QByteArray clusterId, RedisConnection *commands,
               QObject *parent = nullptr);
    ~ClusterBus() override;

    //! Cluster thread, before start().
    void setIncoming(Incoming incoming) { m_incoming = std::move(incoming); }
    //! Cluster thread, before start(): this node's inbox channel (`chatter:<cid>:n:<node>`,
    //! always subscribed) and what gets its messages.
    void setInbox(const QUuid &node, std::function<void(const QByteArray &payload)> inbox);
    //! Cluster thread, before start(): what gets the messages of the cluster's control channel
    //! `chatter:<cid>:all` (always subscribed), this node's own among them.
    void setControl(std::function<void(const QByteArray &payload)> control);
    void setReady(Ready ready) { m_onReady = std::move(ready); }
    //! Runs when a topic is unsubscribed: what this node knew of it is stale from then on.
    void setDropped(Dropped dropped) { m_onDropped = std::move(dropped); }
    //! Cluster thread.
    void start();
    void stop();

    //! Any thread.
    void acquire(const QString &topic);
    void release(const QString &topic);
    bool ready(const QString &topic) const;
    //! Any thread: false once a connection to Redis has been down for UnhealthyAfterMs, so that
    //! `/healthz` answers 503 and the balancer sends new clients to nodes that reach Redis.
    bool healthy() const;
    static constexpr qint64 UnhealthyAfterMs = 2000;
    //! Any thread: `resume` runs on the cluster thread once `topic` is ready, or after
    //! ReadyWaitMs without; the topic is held meanwhile.
    void whenReady(const QString &topic, std::function<void()> resume);
    //! Any thread: PUBLISHes `envelope` on the topic's channel.
    void publish(const QString &topic, QByteArray envelope);

    //! Any thread: PUBLISHes `payload` on `channel` as it is (queued while Redis is away).
    void publishRaw(const QByteArray &channel, QByteArray payload);
    //! Cluster thread: PUBLISHes `payload` on `channel` now and hands `done` how many
    //! subscribers Redis gave it to (one Redis server counts them all), or -1 when Redis is
    //! away or failed: for requests that need an answer, which are not queued.
    void publishCounted(const QByteArray &channel, const QByteArray &payload,
                        std::function<void(qint64 receivers)> done);

    //! The Redis channel of a topic.
    QByteArray channelOf(const QString &topic) const;
    //! A node's inbox channel.
    QByteArray inboxOf(const QUuid &node) const;
    //! The channel every node reads: `chatter:<cid>:all`.
    const QByteArray &controlChannel() const { return m_controlChannel; }
    //! Cluster thread: for tests and the monitor.
    int wantedCount() const { return int(m_holds.size()); }
    qint64 droppedEnvelopes() const { return m_dropped; }

private:
    struct Waiter
    {
        std::function<void()> resume;
        qint64 deadlineMs = 0;
    };
    void hold(const QString &topic);
    void unhold(const QString &topic);
    void unsubscribeLingering();
    void confirmed(const QByteArray &channel);
    void releaseWaiters(const QString &topic);
    void lost();
    void expireWaiters();
    void flushQueue();

    Mailbox *m_mailbox;
    QByteArray m_prefix;         //!< `chatter:<cid>:t:`
    QByteArray m_clusterPrefix;  //!< `chatter:<cid>:`
    QByteArray m_controlChannel; //!< `chatter:<cid>:all`
    RedisConnection *m_commands;
    RedisConnection *m_subscriber;
    Incoming m_incoming;
    QByteArray m_inbox;
    std::function<void(const QByteArray &)> m_onInbox;
    std::function<void(const QByteArray &)> m_onControl;
    Ready m_onReady;
    Dropped m_onDropped;
    QHash<QString, int> m_holds;        //!< cluster thread
    QHash<QString, qint64> m_lingering; //!< released topics: when to unsubscribe
    QHash<QString, std::vector<Waiter>> m_waiters;
    QTimer m_lingerTimer;
    QTimer m_waiterTimer;
    //! PUBLISHes waiting for the connection: channel, payload.
    std::deque<std::pair<QByteArray, QByteArray>> m_queue;
    qsizetype m_queuedBytes = 0;
    qint64 m_dropped = 0;
    bool m_stopped = false;

    //! When each connection went down (ms since the epoch), 0 while it is up. Any thread.
    std::atomic<qint64> m_commandsDownSince{0};
    std::atomic<qint64> m_subscriberDownSince{0};

    mutable std::shared_mutex m_readyLock;
    QSet<QString> m_ready; //!< behind m_readyLock: read by workers
};

} // namespace chatter::server
