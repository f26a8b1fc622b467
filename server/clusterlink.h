// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "redislocation.h"

#include <QByteArray>
#include <QObject>

#include <memory>

namespace chatter::server {

class ClusterBus;
class Mailbox;
class RedisConnection;

//! The node's side of Redis (docs/cluster.md, "Redis" and "Mismatched --database or --redis").
//! Lives on the cluster thread (`chatter-cluster`, an EpollEventDispatcher thread the engine
//! makes), like everything it owns: the commands connection to Redis, and later the subscriber
//! connection and what uses them.
//!
//! At start, and again after every reconnect, it claims the Redis for this
//! node's cluster — `SET chatter:cluster <cid> NX`, then `GET chatter:cluster` — where `<cid>`
//! is `cluster.cluster_id` of the PostgreSQL database. Another id there means this Redis serves
//! another database's cluster: at start the node refuses to start; later (a Redis restart
//! raced by a node of another cluster) it is logged as critical.
class ClusterLink : public QObject
{
    Q_OBJECT
public:
    ClusterLink(RedisLocation location, QByteArray clusterId, QObject *parent = nullptr);
    ~ClusterLink() override;

    //! Jobs for the cluster thread.
    Mailbox &mailbox() { return *m_mailbox; }
    //! The node's topics on Redis (a child, on the cluster thread).
    ClusterBus &bus() { return *m_bus; }
    //! The commands connection (cluster thread), shared with the bus and presence.
    RedisConnection &commands() { return *m_commands; }
    const QByteArray &clusterId() const { return m_clusterId; }

    //! Any thread but the cluster thread: connects and claims the Redis, waiting up to
    //! `timeoutMs`. A failure names both cluster ids, or says why Redis did not answer.
    Expected<void> start(int timeoutMs);
    //! Cluster thread: closes the connections (before the thread ends).
    void stop();

    //! The key that says which cluster a Redis serves.
    static QByteArray clusterKey() { return QByteArrayLiteral("chatter:cluster"); }

private:
    struct StartWait;
    //! Cluster thread: SET NX, GET; `done` gets the outcome.
    void claim(std::function<void(const Expected<void> &)> done);

    RedisLocation m_location;
    QByteArray m_clusterId;
    Mailbox *m_mailbox = nullptr;
    RedisConnection *m_commands = nullptr;  //!< cluster thread
    ClusterBus *m_bus = nullptr;            //!< cluster thread
    std::shared_ptr<StartWait> m_startWait; //!< until the first claim is answered
};

} // namespace chatter::server
