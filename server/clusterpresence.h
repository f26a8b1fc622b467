// SPDX-License-Identifier: MIT
#pragma once

#include "presencetracker.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUuid>

#include <functional>
#include <memory>
#include <vector>

namespace chatter::server {

class Broadcast;
class PubSub;
class RedisConnection;

//! Presence across nodes (docs/cluster.md, "Presence across nodes"), as Phoenix's tracker does
//! it: each node owns its metas and heartbeats them; the others keep copies.
//!
//! * This node's presence diffs update the topic's hash `chatter:<cid>:p:<topic>` (field
//!   `<node>/<phx_ref>`, value `{"key", "meta"}`) and are PUBLISHed, in one MULTI/EXEC, so a
//!   snapshot and the diff stream agree.
//! * A topic that becomes ready is snapshotted (`HGETALL`; fields of nodes without a heartbeat
//!   are skipped); diffs arriving meanwhile wait and are applied after it. The snapshot is made
//!   the truth for that topic: metas it lacks leave, metas it adds join (this node's clients get
//!   those diffs), which is also how a resubscription after an outage catches up.
//! * Heartbeat: `chatter:<cid>:node:<node>` with `PX` the node timeout, refreshed every third of
//!   it; its value is `{"at": ms, "name", "addr", "started"}`. Every second the nodes with metas
//!   here are looked up; one whose key is gone is dead: its metas are removed here and the leaves
//!   go to this node's subscribers (each node tells its own clients, nobody publishes them). The
//!   node that wins `SET …:reap:<node> NX` deletes the dead node's fields. Without an answer from
//!   Redis for the node timeout, every other node's metas are dropped the same way (this node
//!   cannot see their heartbeats).
//! * After the commands connection comes back (Redis restarted, empty), this node writes its
//!   metas again and publishes them as joins.
//!
//! Lives on the cluster thread, like the connection it uses.
class ClusterPresence : public QObject
{
    Q_OBJECT
public:
    ClusterPresence(PresenceTracker &tracker, PubSub &pubsub, RedisConnection &commands,
                    QByteArray clusterId, QUuid node, int nodeTimeoutMs, QObject *parent = nullptr);
    ~ClusterPresence() override;

    void start();
    //! Deletes this node's heartbeat key (the others drop its metas at their next look) and
    //! stops; `done` once Redis answered (at once when it is away).
    void stop(std::function<void()> done);

    //! This node's diff (`payload` the presence_diff's {joins, leaves}) and the envelope that
    //! carries it on `channel`. False when Redis is away: the caller queues the envelope; the
    //! hash is written again after the reconnect.
    bool publishOwn(const QString &topic, const QJsonObject &payload, const QByteArray &channel,
                    const QByteArray &envelope);
    //! Another node's diff for `topic`, delivered here after it is applied.
    void receive(const QString &topic, const QUuid &node,
                 const std::shared_ptr<const Broadcast> &diff);
    //! `topic` became ready: snapshot, then `done` (the joins waiting for it go on).
    void snapshot(const QString &topic, std::function<void()> done);
    //! `topic` is unsubscribed: the other nodes' metas of it go, silently.
    void dropped(const QString &topic);

    //! What the heartbeat's value carries besides the time (`at`): the node's name, listener
    //! and start (ClusterControl). Written at once.
    void setIdentity(const QJsonObject &identity);

    QByteArray heartbeatKey(const QUuid &node) const;
    QByteArray hashKey(const QString &topic) const;

private:
    struct Pending
    {
        std::vector<std::pair<QUuid, std::shared_ptr<const Broadcast>>> diffs;
    };
    void heartbeat();
    void checkNodes();
    void nodeGone(const QUuid &node);
    void reap(const QUuid &node);
    void republish();
    //! Applies another node's {joins, leaves} to the tracker.
    void apply(const QString &topic, const QUuid &node, const QJsonObject &payload);
    //! Sends `diffs` to this node's subscribers of `topic` as one presence_diff.
    void deliver(const QString &topic, const QList<PresenceDiff> &diffs);
    void finishSnapshot(const QString &topic, const QList<PresenceTracker::RemoteEntry> &entries,
                        const std::function<void()> &done);
    QByteArray nodeText(const QUuid &node) const;

    PresenceTracker &m_tracker;
    PubSub &m_pubsub;
    RedisConnection &m_commands;
    QByteArray m_prefix; //!< `chatter:<cid>:`
    QUuid m_node;
    int m_timeoutMs;
    QTimer m_heartbeatTimer;
    QTimer m_checkTimer;
    qint64 m_lastAnswerMs = 0;         //!< the last node check Redis answered
    QJsonObject m_identity;            //!< the heartbeat's value but its time
    QHash<QString, Pending> m_pending; //!< topics being snapshotted
    bool m_stopped = false;
};

} // namespace chatter::server
