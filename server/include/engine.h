// SPDX-License-Identifier: MIT
#pragma once

#include "adminrecords.h"
#include "enginesnapshot.h"
#include "eventlog.h"
#include "expected.h"
#include "serverconfig.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <QDateTime>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

class QSqlDatabase;
class QThread;
class QTimer;

namespace chatter::server {

class AccountDirectory;
class AdminActions;
class AuditLog;
class Bans;
class ChangeFeed;
struct ChangeSet;
class ChannelRouter;
class ClusterBus;
class ClusterControl;
class ClusterInbox;
class ClusterLink;
class ClusterPresence;
class ClusterRelay;
class LongPollRouter;
struct RedisLocation;
class ConnectionLimiter;
class Conversations;
class FileContentStore;
class FileUrlSigner;
class Listener;
class LoginThrottle;
class Mailbox;
class MessageStore;
class PasswordPool;
struct StoreLocation;
class PresenceTracker;
class RefusalCounts;
class MetricsListener;
class PubSub;
class RoomDirectory;
class Searcher;
class ServerNames;
class ServiceAnnouncer;
class SharedThrottle;
class StaticAssets;
class TlsContext;
class Worker;

//! The Chatter server engine: the listening socket, the worker threads, pub/sub and the channel
//! routes. It has no UI; a monitor observes its signals.
class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(ServerConfig config, QObject *parent = nullptr);
    ~Engine() override;

    //! Starts the workers and listens. False (see errorString()) if the port cannot be bound.
    bool start();
    //! Closes every socket with `code` (1012: restarting), waits for them briefly, stops workers.
    void stop(quint16 code = 1012);

    quint16 port() const;
    QString errorString() const { return m_error; }
    const ServerConfig &config() const { return m_config; }
    ChannelRouter &router() { return *m_router; }
    const ChannelRouter &router() const { return *m_router; }
    PubSub &pubsub() { return *m_pubsub; }
    //! With --redis: broadcasts to and from the other nodes, and the node's topics on Redis
    //! (both thread-safe where workers use them); null for one node alone.
    ClusterRelay *clusterRelay() { return m_workerRelay.load(std::memory_order_acquire); }
    ClusterBus *clusterBus();
    //! With --redis: long-poll requests for other nodes' sessions (thread-safe forward()).
    LongPollRouter *longPollRouter() { return m_workerRouter.load(std::memory_order_acquire); }
    PresenceTracker &presence() { return *m_presence; }
    RoomDirectory &directory() { return *m_directory; }
    MessageStore &store() { return *m_store; }
    //! The store (a SQLite file, or PostgreSQL with --database); for logs: the file or the URL
    //! without its password.
    QString databasePath() const { return m_databasePath; }
    const StoreLocation &storeLocation() const { return *m_storeLocation; }
    //! Signs long-poll session tokens; random per run, since sessions do not outlive the process.
    const QByteArray &longPollSecret() const { return m_longPollSecret; }
    Worker *worker(int index) const;
    const StaticAssets &assets() const { return *m_assets; }

    //! Phoenix's `broadcast(socket_id, "disconnect", %{})`: closes those sockets with 1001,
    //! in a cluster on every node (docs/cluster.md, "Cluster-wide actions").
    void disconnectSocketId(const QString &socketId);
    //! Private rooms, members and read state (docs/conversations.md); any thread.
    Conversations &conversations() { return *m_conversations; }
    //! Pushes phx_close on `topic` to every socket of the account, on every worker.
    void removeAccountFromTopic(qint64 accountId, const QString &topic);

    // Accounts and sessions (docs/identity.md); any thread.
    AccountDirectory &accounts() { return *m_accounts; }
    //! Where Argon2id hashes are made and checked: two threads, never an event loop's.
    PasswordPool &passwordPool() { return *m_passwordPool; }
    //! The search thread (docs/files-and-search.md); null with `--search off`. Thread-safe.
    Searcher *searcher() { return m_searcher.get(); }
    //! Failed logins per address and account; in a cluster shared through Redis (any thread).
    SharedThrottle &loginThrottle() { return *m_loginThrottle; }
    // Files (docs/files-and-search.md); any thread. The signer and the content store exist
    // once the store is open (on disk beside SQLite, in `file_chunks` on PostgreSQL).
    const FileUrlSigner *fileUrls() const { return m_fileUrls.get(); }
    const FileContentStore &fileContent() const { return *m_fileContent; }
    //! Where uploads are hashed, written and thumbnailed: one thread, never an event loop's.
    PasswordPool &fileThread() { return *m_fileThread; }
    SharedThrottle &registrationThrottle() { return *m_registrationThrottle; }
    //! Closes every socket of these sessions (revoked): 1008 with `reason`.
    void closeSessions(const QList<QByteArray> &sessionHashes, const QString &reason);
    //! stop() has begun: work finishing on other threads posts nothing to workers any more.
    bool isStopping() const { return m_stopping.load(); }

    // Observation and administration, for the monitor; callable from any thread.
    EventLog &events() { return m_events; }
    Bans &bans() { return *m_bans; }
    //! Null until the store is open and after stop().
    AuditLog *audit() { return m_audit.get(); }
    //! The names and addresses the server answers to (Host header checks).
    const ServerNames &names() const { return *m_names; }
    //! Gathers an EngineSnapshot from every worker; delivered by snapshotReady().
    void requestSnapshot();
    void disconnectSocket(quint64 id);
    //! Closes socket `id` of node `nodeId` (a SocketRow's): this node's own when `nodeId` is
    //! empty or this node's, another node's through the cluster.
    void disconnectSocket(const QString &nodeId, quint64 id);
    void removeFromRoom(quint64 id, const QString &topic);
    //! Stores and broadcasts a message from "system" to `room`.
    void sendSystemMessage(const QString &room, const QString &body);
    //! Stored bans (they outlive restarts), made by `actor` ("monitor" by default) and audited.
    //! `minutes` 0 bans until lifted. A nickname ban covers its look-alikes and the account
    //! that owns it; its sockets (and those of the banned address) are closed.
    //! Returns the end of the ban (null: until lifted).
    QDateTime banNickname(const QString &nickname, int minutes, const QString &reason = {},
                          const QString &actor = QStringLiteral("monitor"),
                          const QHostAddress &actorAddress = {});
    void banAddress(const QHostAddress &address, int minutes, const QString &reason = {},
                    const QString &actor = QStringLiteral("monitor"));
    //! The stored bans in force, oldest first.
    QList<BanRow> activeBans() const;
    //! Lifts a stored ban; false when it is not in force (any more).
    bool liftBan(qint64 id, const QString &actor = QStringLiteral("monitor"));
    //! Lifts every ban in force on a nickname (by its keys) or an address; how many.
    int liftBans(const QString &target, const QString &actor, const QHostAddress &actorAddress);
    //! Closes (1001) every socket whose nickname shares a key with `nickname`, on every worker
    //! and, in a cluster, on every node. `done` gets how many, on the thread of `replyTo` (a
    //! worker's, or the engine's if null): in a cluster with the closes of the other nodes
    //! that answered within a second.
    void closeIdentity(const QString &nickname, const QString &reason, Mailbox *replyTo,
                       std::function<void(int closed)> done);
    //! Reads the newest `limit` audit entries on the store thread; auditReady() delivers them.
    void requestAudit(int limit);
    //! Stops or resumes accepting connections; open sockets stay.
    bool setListening(bool listening);
    bool isListening() const;
    QDateTime startedAt() const { return m_startedAt; }
    int connectionCount() const { return m_connections.load(); }

    // The cluster (docs/cluster.md, "The monitor and the cluster"); the engine's thread.
    //! Started with --redis (and running).
    bool isClustered() const { return m_workerControl.load(std::memory_order_acquire); }
    //! --node-name, or `<host>:<port>` of the listener; empty for one node alone.
    QString nodeName() const { return m_nodeName; }
    //! The nodes as last heard of, this one first; empty for one node alone.
    QList<NodeRow> nodes() const { return m_nodes; }
    QStringList workerDispatchers() const;

    //! Connections and long-poll sessions, in all and per address.
    ConnectionLimiter &limits() { return *m_limits; }
    //! Logs a refusal by the limiter (at most once per address and second) for the monitor.
    void noteRefused(const QHostAddress &peer, const QString &why);
    //! The certificate of https:// and wss://, or null without TLS.
    TlsContext *tls() const { return m_tls.get(); }
    //! SHA-256 of the certificate in use ("AB:CD:…"), empty without TLS; any thread.
    QString tlsFingerprint() const;
    //! Reads the certificate and key again (SIGHUP): new connections present the new one,
    //! open ones keep theirs. On failure the old one stays and the reason is returned.
    Expected<QString> reloadTls();

    //! Refused connections by reason, for /metrics (the caps are counted by limits()).
    RefusalCounts &refusals() { return *m_refusals; }
    //! Work for the engine's (main) thread, from any thread.
    Mailbox &mailbox() { return *m_mailbox; }
    int workerCount() const { return int(m_workers.size()); }
    //! The port of the --metrics-address listener; 0 without one.
    quint16 metricsPort() const;

    quint64 nextConnectionId() { return ++m_connectionIds; }
    void noteConnected(int delta) { m_connections += delta; }

Q_SIGNALS:
    void listening(quint16 port);
    void snapshotReady(const chatter::server::EngineSnapshot &snapshot);
    //! The answer to requestAudit(), newest first.
    void auditReady(const QList<chatter::server::AuditRow> &entries);
    //! A stored ban was made or lifted (by anyone: monitor, admin socket).
    void bansChanged();
    //! In a cluster, every 2 s: the nodes, this one first (nodes()).
    void nodesChanged(const QList<chatter::server::NodeRow> &nodes);
    //! A reload put a different certificate in use.
    void tlsCertificateChanged(const QString &fingerprint);

private:
    void dispatch(int descriptor, const QHostAddress &peer, quint16 port);
    bool openStore();
    //! With --redis: the cluster thread, its connection, and the claim of the Redis for this
    //! database's cluster id (docs/cluster.md). False (m_error) when refused.
    bool startCluster();
    //! Refuses (m_error) when a node live on this database is not on this node's Redis.
    bool checkSameRedis(const RedisLocation &location);
    //! PostgreSQL without --redis: refuses (m_error) while a node with --redis is live on it.
    bool checkNoClusterNodes();
    //! Every 2 s on the store thread: reloads accounts another process changed, deletes expired
    //! sessions, writes coalesced last-used times.
    void maintainAccounts(QSqlDatabase &db);
    //! PostgreSQL: LISTENs for what other writers change (ChangeFeed, on the store thread).
    bool startChangeFeed();
    //! Store thread: reads again what `changes` names and acts on it (sessions revoked, bans,
    //! members removed); applying one twice changes nothing (the node's own writes come back).
    void applyChanges(QSqlDatabase &db, const ChangeSet &changes);
    bool setUpTls();
    //! With --metrics-address: /metrics and /healthz on a listener of their own.
    bool startMetricsListener();
    //! This node's part of the cluster-wide actions: its own sockets only. `done` on any thread.
    void closeIdentityHere(const QString &nickname, const QString &reason,
                           std::function<void(int closed)> done);
    void closeSocketIdHere(const QString &socketId);
    void disconnectAddressHere(const QHostAddress &address);
    //! What ClusterControl does here (a ClusterControl::Local), made in startCluster().
    void startClusterControl();
    //! After listening: the node's name and listener into its heartbeat and counters.
    void announceNode();
    //! DNS-SD through the system's Avahi daemon, once listening (docs/discovery.md).
    void startAnnouncing();
    void publishDirectoryChanges();

    // The engine's internals, behind pointers so that this header (the engine's public face,
    // read by the monitor and the executable) needs none of their headers.
    ServerConfig m_config;
    std::unique_ptr<ChannelRouter> m_router;
    std::unique_ptr<PubSub> m_pubsub;
    std::unique_ptr<PresenceTracker> m_presence;
    std::unique_ptr<RoomDirectory> m_directory;
    QString m_databasePath;
    std::unique_ptr<StoreLocation> m_storeLocation;
    QByteArray m_longPollSecret;
    EventLog m_events;
    std::unique_ptr<Bans> m_bans;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<AccountDirectory> m_accounts;
    std::unique_ptr<Conversations> m_conversations;
    std::unique_ptr<PasswordPool> m_passwordPool;
    std::unique_ptr<PasswordPool> m_fileThread;
    std::unique_ptr<FileUrlSigner> m_fileUrls;
    std::shared_ptr<const FileContentStore> m_fileContent;
    std::unique_ptr<Searcher> m_searcher;
    std::unique_ptr<SharedThrottle> m_loginThrottle;
    std::unique_ptr<SharedThrottle> m_registrationThrottle;
    qint64 m_dataVersion = -1; //!< store thread: PRAGMA data_version at the last look
    std::unique_ptr<AdminActions> m_adminActions; //!< what chatter:admin channels act through
    std::unique_ptr<ConnectionLimiter> m_limits;
    std::unique_ptr<RefusalCounts> m_refusals;
    MetricsListener *m_metricsListener = nullptr; //!< with --metrics-address; main thread
    std::unique_ptr<ServerNames> m_names;
    QDateTime m_startedAt;
    void recordAdmin(const QString &text);
    void forEachWorker(const std::function<void(Worker *)> &action);
    std::unique_ptr<StaticAssets> m_assets;
    std::unique_ptr<TlsContext> m_tls;
    //! DNS-SD on the LAN (docs/discovery.md); null with --no-announce and after stop().
    std::unique_ptr<ServiceAnnouncer> m_announcer;
    std::unique_ptr<QThread> m_storeThread;
    MessageStore *m_store = nullptr;
    ChangeFeed *m_changeFeed =
        nullptr;            //!< PostgreSQL only; lives on m_storeThread (a child of m_store)
    QByteArray m_clusterId; //!< PostgreSQL: cluster.cluster_id
    std::unique_ptr<QThread> m_clusterThread;
    ClusterLink *m_cluster = nullptr; //!< lives on m_clusterThread
    ClusterRelay *m_relay = nullptr;  //!< lives on m_clusterThread (a child of m_cluster)
    ClusterPresence *m_clusterPresence = nullptr; //!< lives on m_clusterThread (relay's child)
    LongPollRouter *m_longPollRouter = nullptr;   //!< lives on m_clusterThread (relay's child)
    ClusterInbox *m_inbox = nullptr;              //!< lives on m_clusterThread (relay's child)
    ClusterControl *m_control = nullptr;          //!< lives on m_clusterThread (relay's child)
    QString m_nodeName;                           //!< set once listening
    QList<NodeRow> m_nodes;                       //!< the engine's thread
    // What workers reach of the cluster: set once it runs, cleared when stop() begins (workers
    // then deliver on this node only). Atomic: the workers' threads end with QThread::wait(),
    // which ThreadSanitizer does not see as a synchronisation.
    std::atomic<ClusterRelay *> m_workerRelay{nullptr};
    std::atomic<ClusterBus *> m_workerBus{nullptr};
    std::atomic<LongPollRouter *> m_workerRouter{nullptr};
    std::atomic<ClusterControl *> m_workerControl{nullptr};
    QTimer *m_directoryTimer = nullptr;
    Listener *m_listener = nullptr;
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Worker *> m_workers;
    std::atomic<quint64> m_connectionIds{0};
    std::atomic<int> m_connections{0};
    std::atomic<bool> m_stopping{false};
    std::atomic<unsigned> m_nextWorker{0};
    quint16 m_port = 0;
    QString m_error;
    Mailbox *m_mailbox = nullptr; //!< work for the main thread (snapshot results)
};

} // namespace chatter::server
