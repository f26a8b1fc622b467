// SPDX-License-Identifier: MIT
#pragma once

#include "batchsender.h"
#include "channelcontext.h"
#include "connection.h"
#include "enginesnapshot.h"
#include "eventlog.h"
#include "handshakevalidator.h"
#include "localfanout.h"
#include "mailbox.h"
#include "metricssample.h"
#include "presencediffqueue.h"
#include "sessioncontext.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

namespace chatter::server {

class Broadcast;
class Engine;
class FrontDoor;
class HistoryReader;
class HttpRoutes;
class LongPollEndpoint;

//! One server thread. Owns a share of the connections from their first byte to their close,
//! and the parts that serve them on this thread: the front door, the HTTP routes, the local
//! fan-out and the presence-diff queue. It is the context its sessions and channels run in.
//! The worker and everything it owns live on its thread; the engine calls in queued.
class Worker : public QObject, public SessionContext, public ChannelContext, private ConnectionOwner
{
    Q_OBJECT
public:
    Worker(int index, Engine &engine);
    ~Worker() override;

    //! Takes over an accepted socket descriptor (called queued, on this worker's thread); one
    //! that the connection limits refused is answered 503 and closed. `proxied`: `peer` is a
    //! trusted load balancer, admitted under its exemption, and a PROXY header comes first.
    void adoptDescriptor(qintptr descriptor, const QHostAddress &peer, quint16 peerPort,
                         bool admitted, bool proxied);
    //! Fans a broadcast out to this worker's subscribers of its topic (PubSub calls it).
    void deliver(const std::shared_ptr<const Broadcast> &broadcast);

    // SessionContext
    const ServerConfig &config() const override;
    std::unique_ptr<Channel> createChannel(SocketSession &session, const QString &topic) override;
    void subscribe(Subscription &subscription) override;
    void unsubscribe(Subscription &subscription) override;
    bool awaitTopic(const QString &topic, quint64 connectionId) override;
    void record(EngineEvent::Kind kind, const ConnectInfo &info, const QString &topic,
                const QString &text) override;
    void noteRateLimited() override { ++m_rateLimited; }

    // ChannelContext
    HistoryReader &history() override;
    //! PostgreSQL: the validator looks for sessions memory does not know in the database.
    void lookUpStoredSessions();
    void append(StoredMessage message, AppendDone done) override;
    void change(MessageChange change, ChangeDone done) override;
    PresenceTracker &presence() override;
    RoomDirectory &directory() override;
    Expected<void> publish(const std::shared_ptr<const Broadcast> &broadcast) override;
    void queuePresenceDiff(const QString &topic, const PresenceDiff &diff) override;
    void flushPresenceDiff(const QString &topic) override;
    void completeReply(const ReplyHandle &handle, const ChannelReply &reply) override;
    void disconnectSocketId(const QString &socketId) override;
    AccountDirectory *accounts() override;
    Conversations *conversations() override;
    Mailbox *replyMailbox() override { return m_mailbox; }
    Searcher *searcher() override;
    void removeAccountFromTopic(qint64 accountId, const QString &topic) override;

    //! Work for this worker's thread, from any thread.
    Mailbox &mailbox() { return *m_mailbox; }
    //! Collects the sends of a delivery into one submission.
    BatchSender &batchSender() { return m_batch; }
    void recordConnect(const ConnectInfo &info);
    //! Whether an event of this kind would be logged or kept: skip building its text if not.
    bool wantsEvent(EngineEvent::Kind kind) const;

    //! Takes ownership of a connection made by a transport (WebSocket, long-poll sessions).
    void addConnection(Connection *connection);
    Connection *connection(quint64 id) const { return m_connections.value(id); }
    int connectionCount() const { return int(m_connections.size()); }

    //! The rows of this worker's sockets (at most `limit`, when not negative), plus its traffic
    //! totals (added into `totals`).
    QList<SocketRow> snapshot(EngineSnapshot *totals, qsizetype limit = -1) const;
    //! Only the traffic totals, added into `totals`: no rows (the cluster's counters).
    void addTotals(EngineSnapshot *totals) const;
    //! This worker's part of /metrics, added into `sample`: connections by transport, joins,
    //! and the traffic totals the monitor shows.
    void addMetrics(MetricsSample *sample) const;
    //! Admin actions on this worker's sockets; false if the socket is not here.
    bool disconnectSocket(quint64 id, quint16 code, const QString &reason);
    bool removeFromTopic(quint64 id, const QString &topic);
    //! Removes every socket of the account here from `topic` (phx_close); how many.
    int removeAccountHere(qint64 accountId, const QString &topic);
    //! Removes from a conversation's `topic` every socket here whose account may no longer read
    //! it (Conversations::mayRead: a member removed, the room made private); how many.
    int removeUnauthorisedHere(const QString &topic);
    void disconnectAddress(const QHostAddress &address);
    //! Closes (code 1001) every socket whose socket id is `socketId`; returns how many.
    int closeSocketId(const QString &socketId);
    //! Closes (code 1008) every socket of this session (revoked or expired).
    int closeSession(const QByteArray &sessionHash, const QString &reason);
    //! Closes (code 1001) every socket whose nickname shares one of `keys` (NicknamePolicy): an
    //! identity with its look-alikes; returns how many.
    int closeIdentity(const QStringList &keys, const QString &reason);
    //! Closes every socket, e.g. 1012 when the server restarts.
    void closeAll(quint16 code, const QString &reason);

    int index() const { return m_index; }
    const HandshakeValidator &validator() const { return m_validator; }
    LongPollEndpoint &longPoll();
    QString dispatcherName() const;
    Engine &engine() { return m_engine; }

private:
    void connectionFinished(Connection *connection) override;
    void sweepIdle();

    int m_index;
    Engine &m_engine;
    HandshakeValidator m_validator;
    BatchSender m_batch;
    LocalFanout m_fanout;
    PresenceDiffQueue m_presenceDiffs;
    HttpRoutes *m_http = nullptr;
    FrontDoor *m_frontDoor = nullptr;
    Mailbox *m_mailbox = nullptr;
    QHash<quint64, Connection *> m_connections;
    //! Connections counted in the account directory (who holds which nickname).
    QSet<quint64> m_attached;
    QTimer m_idleSweep;
    std::unique_ptr<HistoryReader> m_history;
    ConnectionStats m_closedTotals; //!< traffic of connections that are gone
    // Counted on this thread only and read by addMetrics() here too: plain integers.
    qint64 m_joins = 0;       //!< joins accepted since the start
    qint64 m_rateLimited = 0; //!< messages answered "rate limited"
};

} // namespace chatter::server
