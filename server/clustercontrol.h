// SPDX-License-Identifier: MIT
#pragma once

#include "enginesnapshot.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUuid>

#include <functional>
#include <mutex>

namespace chatter::server {

class ClusterBus;
class ClusterInbox;
class ClusterPresence;
class Mailbox;
class RedisConnection;

//! Cluster-wide admin actions and the cluster as the monitor sees it (docs/cluster.md,
//! "Cluster-wide actions" and "The monitor and the cluster").
//!
//! * Actions go out on `chatter:<cid>:all` as JSON with the origin node's id (`from`): a
//!   socket-id disconnect, an identity's close (kick, nickname ban), an address's close
//!   (address ban), one socket of one node (the monitor). The origin acts on its own sockets
//!   itself and skips its own message; every other node acts on its own sockets. A close of an
//!   identity that wants a count is answered by every node on the asker's inbox.
//! * Every StatsIntervalMs the node publishes its counters on `:all`; the others keep a table
//!   of nodes, and drop a node whose heartbeat key (ClusterPresence) is gone.
//! * Another node's sockets are listed on request on its inbox (ClusterInbox kind "socks", at
//!   most MaxListedSockets rows), at most once a second and only while someone asks.
//!
//! Lives on the cluster thread; the calls marked "any thread" post there.
class ClusterControl : public QObject
{
    Q_OBJECT
public:
    static constexpr int StatsIntervalMs = 2000;
    //! How long a count of closes waits for the other nodes' answers.
    static constexpr int AnswerWaitMs = 1000;
    static constexpr int MaxListedSockets = 2000;
    //! A listing of the other nodes' sockets is asked for again after this long.
    static constexpr int ListingAgeMs = 1000;

    //! What this node does to its own sockets: the engine's, called on the cluster thread.
    //! The `done` callbacks may run on any thread.
    struct Local
    {
        std::function<void(const QString &socketId)> closeSocketId;
        std::function<void(const QString &nickname, const QString &reason,
                           std::function<void(int closed)> done)>
            closeIdentity;
        std::function<void(const QHostAddress &address)> disconnectAddress;
        std::function<void(quint64 id, const QString &byNode)> disconnectSocket;
        std::function<void(int limit, std::function<void(const QList<SocketRow> &rows)> done)>
            listSockets;
        //! Connections and traffic totals (a NodeRow's counters).
        std::function<void(std::function<void(const NodeRow &counters)> done)> counters;
        //! The table changed (every tick): self first, then the others by name.
        std::function<void(const QList<NodeRow> &nodes)> nodesChanged;
    };

    ClusterControl(ClusterBus &bus, ClusterInbox &inbox, RedisConnection &commands,
                   ClusterPresence &presence, QUuid node, Local local, QObject *parent = nullptr);
    ~ClusterControl() override;

    //! Cluster thread, once the engine listens: acts, publishes and answers from now on.
    void start();
    void stop();
    //! Any thread: the node's name and listener (`host:port`), kept in its heartbeat and
    //! published with its counters.
    void setIdentity(const QString &name, const QString &address, const QDateTime &startedAt);

    //! Any thread: the other nodes close their sockets of this socket id, identity, address.
    void closeSocketId(const QString &socketId);
    //! `done`, when given, gets how many sockets the other nodes closed (those that answered
    //! within AnswerWaitMs), on the cluster thread.
    void closeIdentity(const QString &nickname, const QString &reason,
                       std::function<void(int closed)> done);
    void disconnectAddress(const QHostAddress &address);
    //! Any thread: node `nodeId` closes its socket `id`.
    void disconnectSocket(const QUuid &nodeId, quint64 id);

    //! Any thread: the other nodes' sockets as last listed (rows name their node); asks for a
    //! new listing when this one is older than ListingAgeMs.
    QList<SocketRow> remoteSockets();

    //! Cluster thread: a message on `:all`.
    void receive(const QByteArray &payload);

    static QJsonObject toJson(const SocketRow &row);
    static SocketRow socketFromJson(const QJsonObject &object);

private:
    void publish(QJsonObject message);
    void tick();
    void publishStats(const NodeRow &counters);
    void checkHeartbeats();
    void emitTable();
    void listRemote();
    void answerListing(const QJsonObject &request,
                       const std::function<void(const QJsonObject &)> &answer);

    ClusterBus &m_bus;
    ClusterInbox &m_inbox;
    RedisConnection &m_commands;
    ClusterPresence &m_presence;
    QUuid m_node;
    QString m_nodeText;
    Local m_local;
    Mailbox *m_mailbox;
    QTimer m_timer;
    //! Nothing is done to this node's sockets before start(): the engine makes its workers
    //! after the cluster is up.
    bool m_started = false;
    bool m_stopped = false;
    NodeRow m_self;                 //!< cluster thread
    QHash<QUuid, NodeRow> m_others; //!< cluster thread

    std::mutex m_listingLock; //!< guards the three below: read by the monitor's thread
    QList<SocketRow> m_listed;
    qint64 m_listedAtMs = 0;
    bool m_listing = false;
};

} // namespace chatter::server
