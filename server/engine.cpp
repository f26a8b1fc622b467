// SPDX-License-Identifier: MIT
#include "engine.h"
#include "filechunks.h"
#include "filecontent.h"
#include "fileurls.h"

#include "accountdirectory.h"
#include "adminchannel.h"
#include "auditlog.h"
#include "bans.h"
#include "broadcast.h"
#include "changefeed.h"
#include "channelrouter.h"
#include "clusterbus.h"
#include "clustercontrol.h"
#include "clusterinbox.h"
#include "clusterlink.h"
#include "clusterpresence.h"
#include "clusterrelay.h"
#include "connectionlimiter.h"
#include "conversations.h"
#include "diagnosticchannel.h"
#include "directtopic.h"
#include "engineadminactions.h"
#include "epolleventdispatcher.h"
#include "events.h"
#include "historyreader.h"
#include "isotime.h"
#include "listener.h"
#include "logging.h"
#include "loginthrottle.h"
#include "longpollrouter.h"
#include "mailbox.h"
#include "messagestore.h"
#include "metricslistener.h"
#include "nicknamepolicy.h"
#include "passwordpool.h"
#include "personalchannel.h"
#include "presencetracker.h"
#include "pubsub.h"
#include "redisconnection.h"
#include "redislocation.h"
#include "refusalcounts.h"
#include "roomchannel.h"
#include "roomdirectory.h"
#include "roomdirectorychannel.h"
#include "schema.h"
#include "searcher.h"
#include "selfsignedcertificate.h"
#include "servernames.h"
#include "serviceannouncer.h"
#include "sharedthrottle.h"
#include "staticassets.h"
#include "storelocation.h"
#include "tlscontext.h"
#include "topics.h"
#include "trustedproxies.h"
#include "worker.h"

#include <future>
#include <mutex>
#include <QDir>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUuid>

#include <sys/resource.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QSysInfo>
#include <QThread>

namespace chatter::server {

Engine::Engine(ServerConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_router(std::make_unique<ChannelRouter>()),
      m_pubsub(std::make_unique<PubSub>()), m_presence(std::make_unique<PresenceTracker>()),
      m_directory(std::make_unique<RoomDirectory>()), m_bans(std::make_unique<Bans>()),
      m_refusals(std::make_unique<RefusalCounts>()), m_assets(std::make_unique<StaticAssets>()),
      m_mailbox(new Mailbox(this))
{
    m_accounts =
        std::make_unique<AccountDirectory>(m_config.sessionDays, m_config.guestHoldMinutes);
    // Each hash takes 64 MiB and a core for tens of milliseconds: two at a time at most.
    m_passwordPool = std::make_unique<PasswordPool>(2);
    // Uploads: hashing, writing and thumbnails of one file at a time.
    m_fileThread = std::make_unique<PasswordPool>(1, "chatter-files");
    // Failed logins (docs/identity.md): 5 tries then one per 30 s per address, 10 then one per
    // minute per account. Registrations: 30 per address, then one per 2 s.
    m_loginThrottle = std::make_unique<SharedThrottle>(
        QByteArrayLiteral("login"), LoginThrottle::Limit{5, 30}, LoginThrottle::Limit{10, 60});
    m_registrationThrottle = std::make_unique<SharedThrottle>(
        QByteArrayLiteral("register"), LoginThrottle::Limit{30, 2}, LoginThrottle::Limit{1, 1});
    m_names = std::make_unique<ServerNames>(m_config.publicHosts);
    // Qt picks a thread's event dispatcher when the thread starts. GLib's costs about 30 % CPU
    // with thousands of sockets, so the worker threads get Qt's own UNIX dispatcher.
    qputenv("QT_NO_GLIB", "1");
    m_longPollSecret.resize(32);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(m_longPollSecret.data()), 8);
    m_conversations = std::make_unique<Conversations>();
    m_router->add<RoomChannel>(topics::RoomPattern);
    m_router->add<RoomChannel>(directtopic::Pattern);
    m_router->add<PersonalChannel>(topics::UserPattern);
    m_router->add<RoomDirectoryChannel>(topics::Rooms);
    m_adminActions = std::make_unique<EngineAdminActions>(*this);
    m_router->add(topics::Admin,
                  [actions = m_adminActions.get()](SocketSession &session, ChannelContext &context,
                                                   const QString &topic) {
                      return std::make_unique<AdminChannel>(session, context, topic, *actions);
                  });
    if (m_config.diagnostics)
        m_router->add<DiagnosticChannel>(topics::DiagnosticPattern);
}

namespace {

struct ClusterSecrets
{
    QByteArray longPollSecret;
    QByteArray fileUrlKey;
};

//! The secrets every node on one PostgreSQL database shares (the `cluster` row, made with the
//! schema): a long-poll token or a file URL from one node is accepted by the others.
Expected<ClusterSecrets> clusterSecrets(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT long_poll_secret, file_url_key FROM cluster")) ||
        !query.next())
        return failure(
            QStringLiteral("cannot read the cluster row: %1").arg(query.lastError().text()));
    ClusterSecrets secrets{query.value(0).toByteArray(), query.value(1).toByteArray()};
    if (secrets.longPollSecret.size() != 32 || secrets.fileUrlKey.size() != FileUrlSigner::KeyBytes)
        return failure(QStringLiteral("the cluster row's secrets are not 32 bytes each"));
    return secrets;
}

} // namespace

Worker *Engine::worker(int index) const
{
    return index >= 0 && size_t(index) < m_workers.size() ? m_workers[size_t(index)] : nullptr;
}

Engine::~Engine()
{
    stop();
}

bool Engine::openStore()
{
    const QString dir = m_config.effectiveDataDir();
    if (!QDir().mkpath(dir)) {
        m_error = QStringLiteral("cannot create the data directory %1").arg(dir);
        return false;
    }
    if (m_config.database.isEmpty()) {
        m_storeLocation = std::make_unique<StoreLocation>(
            StoreLocation::sqlite(QDir(dir).filePath(QStringLiteral("chatter.db"))));
    } else {
        auto location = StoreLocation::parse(m_config.database);
        if (!location) {
            m_error = QStringLiteral("--database: %1").arg(location.error());
            return false;
        }
        m_storeLocation = std::make_unique<StoreLocation>(std::move(*location));
    }
    m_databasePath = m_storeLocation->display();
    const bool postgres = m_storeLocation->isPostgres();
    // SQLite: the file-URL key in the data directory, the contents beside it. PostgreSQL: the
    // key from the `cluster` row (below), the contents in `file_chunks`, so that every node
    // on the database signs and serves alike (docs/cluster.md "Files").
    if (!postgres) {
        const QString keyPath = QDir(dir).filePath(QStringLiteral("file-url.key"));
        const auto fileUrlKey = FileUrlSigner::loadOrCreateKey(keyPath);
        if (!fileUrlKey) {
            m_error = fileUrlKey.error();
            return false;
        }
        m_fileUrls = std::make_unique<FileUrlSigner>(*fileUrlKey, m_config.fileUrlTtlMs);
        m_fileContent = std::make_shared<FileContent>(QDir(dir).filePath(QStringLiteral("files")));
    } else {
        m_fileContent = std::make_shared<FileChunks>();
    }
    MessageStore::Options options;
    options.files = m_fileContent;
    options.orphanFileMs = m_config.orphanFileMs;
    options.pruneIntervalMs = m_config.retentionIntervalMs;
    options.location = *m_storeLocation;
    options.fullSync = m_config.fullSync;
    options.retainPerRoom = m_config.retainPerRoom;
    options.retainDays = m_config.retainDays;
    m_storeThread = std::make_unique<QThread>();
    m_storeThread->setObjectName(QStringLiteral("chatter-store"));
    // Made here, so its wake-up descriptor exists before the first post to the thread (Qt's
    // default one is made by the thread itself, racing with the first post as TSan sees it).
    m_storeThread->setEventDispatcher(new EpollEventDispatcher);
    m_store = new MessageStore(options);
    m_store->moveToThread(m_storeThread.get());
    connect(m_storeThread.get(), &QThread::finished, m_store, &QObject::deleteLater);
    m_storeThread->start();
    bool opened = false;
    m_store->mailbox().run([this, &opened, postgres] {
        auto ready = m_store->open();
        if (ready && !postgres) {
            QSqlDatabase db = QSqlDatabase::database(m_store->connectionName(), false);
            // Off: no index is kept; on again: rebuilt from the history (a few seconds per
            // million messages).
            QElapsedTimer took;
            took.start();
            if (auto search = schema::setSearch(db, m_config.search); !search)
                ready = failure(QStringLiteral("cannot set up search: %1").arg(search.error()));
            else if (*search)
                qCInfo(lcNet).noquote()
                    << (m_config.search ? "search index rebuilt in" : "search index dropped in")
                    << took.elapsed() << "ms";
        }
        if (ready) {
            QSqlDatabase db = QSqlDatabase::database(m_store->connectionName(), false);
            if (const auto loaded = m_accounts->load(db); !loaded)
                ready = failure(QStringLiteral("cannot read the accounts: %1").arg(loaded.error()));
        }
        if (ready && postgres) {
            QSqlDatabase db = QSqlDatabase::database(m_store->connectionName(), false);
            if (auto secrets = clusterSecrets(db); !secrets) {
                ready = failure(secrets.error());
            } else {
                m_longPollSecret = secrets->longPollSecret;
                m_fileUrls =
                    std::make_unique<FileUrlSigner>(secrets->fileUrlKey, m_config.fileUrlTtlMs);
            }
        }
        if (ready && !postgres) {
            QSqlDatabase db = QSqlDatabase::database(m_store->connectionName(), false);
            QSqlQuery version(db);
            if (version.exec(QStringLiteral("PRAGMA data_version")) && version.next())
                m_dataVersion = version.value(0).toLongLong();
        }
        opened = ready.has_value();
        if (!ready)
            m_error = ready.error();
    });
    if (!opened) {
        m_error = QStringLiteral("cannot open %1: %2").arg(m_databasePath, m_error);
        return false;
    }
    if (postgres) {
        // The cluster's identity, made with the schema (postgresql-schema.sql): what ties a
        // Redis to this database.
        QString clusterError;
        m_store->run([this, &clusterError](QSqlDatabase &db) {
            QSqlQuery query(db);
            if (query.exec(QStringLiteral("SELECT cluster_id::text FROM cluster")) && query.next())
                m_clusterId = query.value(0).toString().toLatin1();
            else
                clusterError = query.lastError().text();
        });
        m_store->mailbox().run([] {});
        if (m_clusterId.isEmpty()) {
            m_error = QStringLiteral("cannot read the cluster id in %1: %2")
                          .arg(m_databasePath, clusterError);
            return false;
        }
    }
    m_audit = std::make_unique<AuditLog>(m_store, &m_events);
    m_store->every(2000, [this](QSqlDatabase &db) { maintainAccounts(db); });
    // The stored bans apply from the first connection on.
    QList<Bans::Ban> bans;
    qint64 lastBanId = 0;
    QString banError;
    m_store->run([&bans, &lastBanId, &banError](QSqlDatabase &db) {
        auto loaded = Bans::load(db, &lastBanId);
        if (loaded)
            bans = std::move(*loaded);
        else
            banError = loaded.error();
    });
    // MessageStore::run is asynchronous: an empty job after it on the same thread is the wait.
    m_store->mailbox().run([] {});
    if (!banError.isEmpty()) {
        m_error = QStringLiteral("cannot read the bans in %1: %2").arg(m_databasePath, banError);
        return false;
    }
    m_bans->attach(m_store, std::move(bans), lastBanId);
    // Private rooms and read state, before the first join asks for them.
    std::optional<Conversations::Loaded> conversations;
    QString conversationsError;
    m_store->run([&conversations, &conversationsError](QSqlDatabase &db) {
        auto loaded = Conversations::loadFrom(db);
        if (loaded)
            conversations = std::move(*loaded);
        else
            conversationsError = loaded.error();
    });
    m_store->mailbox().run([] {});
    if (!conversations) {
        m_error = QStringLiteral("cannot read the conversations in %1: %2")
                      .arg(m_databasePath, conversationsError);
        return false;
    }
    m_conversations->attach(m_store, std::move(*conversations));
    if (m_storeLocation->isPostgres() && !startChangeFeed())
        return false;
    {
        HistoryReader reader(*m_storeLocation);
        QList<RoomDirectory::Room> rooms;
        for (const HistoryReader::RoomRow &row : reader.rooms())
            rooms.append({row.name, 0, row.lastMessageId, row.messageCount,
                          isotime::toMsecs(row.lastActivityAt)});
        m_directory->load(rooms);
    }
    if (m_config.search)
        m_searcher = std::make_unique<Searcher>(*m_storeLocation, m_conversations.get());
    qCInfo(lcNet).noquote() << "history in" << m_databasePath;
    return true;
}

bool Engine::startCluster()
{
    if (m_config.redis.isEmpty())
        return m_clusterId.isEmpty() || checkNoClusterNodes();
    auto location = RedisLocation::parse(m_config.redis);
    if (!location) {
        m_error = QStringLiteral("--redis: %1").arg(location.error());
        return false;
    }
    // The cluster id that ties a Redis to one database lives in PostgreSQL; a SQLite file is
    // one node's own.
    if (m_clusterId.isEmpty()) {
        m_error = QStringLiteral("--redis needs --database postgresql://…: the nodes of a cluster "
                                 "share one PostgreSQL database, whose cluster id claims the "
                                 "Redis");
        return false;
    }
    m_clusterThread = std::make_unique<QThread>();
    m_clusterThread->setObjectName(QStringLiteral("chatter-cluster"));
    m_clusterThread->setEventDispatcher(new EpollEventDispatcher);
    m_cluster = new ClusterLink(*location, m_clusterId);
    m_cluster->moveToThread(m_clusterThread.get());
    connect(m_clusterThread.get(), &QThread::finished, m_cluster, &QObject::deleteLater);
    m_clusterThread->start();
    // Refused before listening: a node on another cluster's Redis never takes a connection.
    // Long enough for a few redials (2 s connect timeout each).
    if (const auto claimed = m_cluster->start(10000); !claimed) {
        m_error = claimed.error();
        return false;
    }
    m_cluster->mailbox().run([this] {
        m_relay = new ClusterRelay(*m_pubsub, m_cluster->bus(), *m_storeLocation, m_fileUrls.get(),
                                   m_cluster);
        m_clusterPresence = new ClusterPresence(*m_presence, *m_pubsub, m_cluster->commands(),
                                                m_cluster->clusterId(), m_relay->nodeId(),
                                                m_config.nodeTimeoutMs, m_relay);
        m_relay->setPresence(m_clusterPresence);
        m_relay->setDirectory(m_directory.get());
        m_clusterPresence->start();
        ClusterBus &bus = m_cluster->bus();
        m_inbox = new ClusterInbox(bus, m_relay->nodeId(), m_relay);
        m_longPollRouter = new LongPollRouter(*this, *m_inbox, m_config.longPollHoldMs, m_relay);
        bus.setInbox(m_relay->nodeId(),
                     [inbox = m_inbox](const QByteArray &payload) { inbox->receive(payload); });
        startClusterControl();
        ClusterRelay *relay = m_relay;
        bus.setIncoming([relay](const QString &topic, const QByteArray &payload) {
            relay->receive(topic, payload);
        });
        bus.setReady([relay](const QString &topic, std::function<void()> done) {
            relay->topicReady(topic, std::move(done));
        });
        bus.setDropped([relay](const QString &topic) { relay->topicDropped(topic); });
    });
    if (!checkSameRedis(*location))
        return false;
    m_pubsub->setBus(&m_cluster->bus());
    // Every node follows the room list's updates, whoever publishes them, so that a client
    // listing the rooms here sees rooms whose members are all on other nodes.
    m_cluster->bus().acquire(QString(topics::Rooms));
    // Login and registration budgets are the cluster's, not each node's.
    const QByteArray prefix = QByteArrayLiteral("chatter:") + m_clusterId + ':';
    for (SharedThrottle *throttle : {m_loginThrottle.get(), m_registrationThrottle.get()})
        throttle->useRedis(&m_cluster->mailbox(), &m_cluster->commands(), prefix);
    m_workerRelay.store(m_relay, std::memory_order_release);
    m_workerBus.store(&m_cluster->bus(), std::memory_order_release);
    m_workerRouter.store(m_longPollRouter, std::memory_order_release);
    m_workerControl.store(m_control, std::memory_order_release);
    qCInfo(lcCluster).noquote() << "cluster node"
                                << m_relay->nodeId().toString(QUuid::WithoutBraces) << "on Redis at"
                                << location->display();
    return true;
}

bool Engine::checkNoClusterNodes()
{
    // A node on PostgreSQL without --redis names itself too, so that a node with --redis
    // starting later refuses (checkSameRedis); it refuses in turn while nodes with --redis are
    // live: its broadcasts and presence would never reach their clients, nor theirs its own.
    // Two nodes without --redis on one database are not told apart (tests use that to make a
    // writer that publishes nothing).
    const QString self = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QStringList nodes;
    QString queryError;
    m_store->run([&](QSqlDatabase &db) {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("SET application_name = 'chatter-solo %1'").arg(self)) ||
            !query.exec(QStringLiteral(
                "SELECT DISTINCT substr(application_name, 14) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name LIKE 'chatter-node %' "
                "AND pid <> pg_backend_pid()"))) {
            queryError = query.lastError().text();
            return;
        }
        while (query.next())
            nodes.append(query.value(0).toString());
    });
    m_store->mailbox().run([] {});
    if (!queryError.isEmpty()) {
        m_error = QStringLiteral("cannot list the cluster's nodes: %1").arg(queryError);
        return false;
    }
    if (!nodes.isEmpty()) {
        m_error = QStringLiteral("node %1 is live on this database with --redis: this node needs "
                                 "the same --redis (started without it by mistake?)")
                      .arg(nodes.first());
        return false;
    }
    return true;
}

void Engine::startClusterControl()
{
    // Cluster thread. What the other nodes ask of this one acts on this node's sockets only.
    ClusterControl::Local local;
    local.closeSocketId = [this](const QString &socketId) { closeSocketIdHere(socketId); };
    local.closeIdentity = [this](const QString &nickname, const QString &reason,
                                 std::function<void(int)> done) {
        closeIdentityHere(
            nickname, reason, done ? std::move(done) : [](int) {});
    };
    local.disconnectAddress = [this](const QHostAddress &address) {
        disconnectAddressHere(address);
    };
    local.disconnectSocket = [this](quint64 id, const QString &byNode) {
        recordAdmin(QStringLiteral("disconnect socket %1 (from node %2)").arg(id).arg(byNode));
        forEachWorker([id](Worker *worker) {
            worker->disconnectSocket(id, 1001, QStringLiteral("disconnected by an administrator"));
        });
    };
    local.listSockets = [this](int limit, std::function<void(const QList<SocketRow> &)> done) {
        struct Gathering
        {
            std::mutex mutex;
            int remaining = 0;
            QList<SocketRow> rows;
        };
        auto gathering = std::make_shared<Gathering>();
        gathering->remaining = int(m_workers.size());
        if (gathering->remaining == 0) {
            done({});
            return;
        }
        forEachWorker([gathering, limit, done](Worker *worker) {
            EngineSnapshot ignored;
            const QList<SocketRow> rows = worker->snapshot(&ignored, limit);
            std::scoped_lock locker(gathering->mutex);
            gathering->rows.append(
                rows.first(std::min(rows.size(), limit - gathering->rows.size())));
            if (--gathering->remaining == 0)
                done(gathering->rows);
        });
    };
    local.counters = [this](std::function<void(const NodeRow &)> done) {
        struct Gathering
        {
            std::mutex mutex;
            int remaining = 0;
            EngineSnapshot totals;
        };
        auto gathering = std::make_shared<Gathering>();
        gathering->remaining = int(m_workers.size());
        const auto finish = [this, done](const EngineSnapshot &totals) {
            NodeRow row;
            row.connections = m_connections.load();
            row.messagesIn = totals.messagesIn;
            row.messagesOut = totals.messagesOut;
            done(row);
        };
        if (gathering->remaining == 0) {
            finish({});
            return;
        }
        forEachWorker([gathering, finish](Worker *worker) {
            std::scoped_lock locker(gathering->mutex);
            worker->addTotals(&gathering->totals);
            if (--gathering->remaining == 0)
                finish(gathering->totals);
        });
    };
    local.nodesChanged = [this](const QList<NodeRow> &nodes) {
        m_mailbox->post([this, nodes] {
            m_nodes = nodes;
            Q_EMIT nodesChanged(nodes);
        });
    };
    m_control =
        new ClusterControl(m_cluster->bus(), *m_inbox, m_cluster->commands(), *m_clusterPresence,
                           m_relay->nodeId(), std::move(local), m_relay);
    m_cluster->bus().setControl(
        [control = m_control](const QByteArray &payload) { control->receive(payload); });
}

void Engine::announceNode()
{
    ClusterControl *control = m_workerControl.load(std::memory_order_acquire);
    if (!control)
        return;
    const QHostAddress &bind = m_config.bindAddress;
    const bool wildcard = bind == QHostAddress(QHostAddress::Any) ||
                          bind == QHostAddress(QHostAddress::AnyIPv4) ||
                          bind == QHostAddress(QHostAddress::AnyIPv6);
    QString host = wildcard ? QSysInfo::machineHostName() : bind.toString();
    if (!wildcard && bind.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    const QString address = host + QLatin1Char(':') + QString::number(m_port);
    m_nodeName = m_config.nodeName.isEmpty() ? address : m_config.nodeName;
    control->setIdentity(m_nodeName, address, m_startedAt);
    m_cluster->mailbox().post([control] { control->start(); });
}

bool Engine::checkSameRedis(const RedisLocation &location)
{
    // Every node names itself on its store connection; a node live on this database (its
    // connection is there) must have its heartbeat in this node's Redis, or the two use
    // different Redis servers and would split the cluster silently. Named after this node's
    // own heartbeat was sent, so two nodes starting together each find the other's key.
    const QString self = m_relay->nodeId().toString(QUuid::WithoutBraces);
    QStringList others;
    QStringList solo;
    QString queryError;
    m_store->run([&](QSqlDatabase &db) {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("SET application_name = 'chatter-node %1'").arg(self)) ||
            !query.exec(QStringLiteral(
                "SELECT DISTINCT application_name FROM pg_stat_activity "
                "WHERE datname = current_database() AND (application_name LIKE 'chatter-node %' "
                "OR application_name LIKE 'chatter-solo %') AND pid <> pg_backend_pid()"))) {
            queryError = query.lastError().text();
            return;
        }
        while (query.next()) {
            const QString name = query.value(0).toString();
            if (name.startsWith(QLatin1String("chatter-solo ")))
                solo.append(name.sliced(13));
            else if (const QString node = name.sliced(13); node != self)
                others.append(node);
        }
    });
    m_store->mailbox().run([] {});
    if (!queryError.isEmpty()) {
        m_error = QStringLiteral("cannot list the cluster's nodes: %1").arg(queryError);
        return false;
    }
    if (!solo.isEmpty()) {
        m_error = QStringLiteral("node %1 is live on this database without --redis: the nodes of "
                                 "one database must share one Redis (a missing --redis there?)")
                      .arg(solo.first());
        return false;
    }
    QStringList missing = others;
    // A node that has just started may not have written its heartbeat yet: a few looks.
    for (int attempt = 0; attempt < 4 && !missing.isEmpty(); ++attempt) {
        if (attempt > 0)
            QThread::msleep(750);
        auto answer = std::make_shared<std::promise<QStringList>>();
        m_cluster->mailbox().post([this, missing, answer] {
            QList<QByteArray> mget{"MGET"};
            for (const QString &node : missing)
                mget.append(m_clusterPresence->heartbeatKey(QUuid::fromString(node)));
            m_cluster->commands().command(mget, [missing, answer](const RedisReply &reply) {
                QStringList still;
                for (qsizetype i = 0; i < missing.size(); ++i) {
                    if (reply.type != RedisReply::Type::Array || i >= reply.elements.size() ||
                        reply.elements.at(i).type == RedisReply::Type::Nil)
                        still.append(missing.at(i));
                }
                answer->set_value(still);
            });
        });
        auto future = answer->get_future();
        if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
            break;
        missing = future.get();
    }
    if (missing.isEmpty())
        return true;
    m_error =
        QStringLiteral("node %1 is live on this database but has no heartbeat in Redis at %2: "
                       "the nodes of one database must share one Redis (a wrong --redis, "
                       "or a wrong --database?)")
            .arg(missing.first(), location.display());
    return false;
}

ClusterBus *Engine::clusterBus()
{
    return m_workerBus.load(std::memory_order_acquire);
}

void Engine::maintainAccounts(QSqlDatabase &db)
{
    // PRAGMA data_version changes when another connection (the command line, in another
    // process) committed: then what it changed is read again, and sockets of sessions it
    // removed are closed.
    // PostgreSQL: the change feed does it (startChangeFeed).
    QSqlQuery query(db);
    if (!m_storeLocation->isPostgres() && query.exec(QStringLiteral("PRAGMA data_version")) &&
        query.next()) {
        const qint64 version = query.value(0).toLongLong();
        if (version != m_dataVersion) {
            m_dataVersion = version;
            if (const auto gone = m_accounts->load(db); !gone) {
                qCWarning(lcIdentity).noquote() << "cannot reload the accounts:" << gone.error();
            } else {
                qCInfo(lcIdentity).noquote() << "accounts reloaded (changed by another process)";
                if (!gone->isEmpty())
                    closeSessions(*gone, QStringLiteral("session revoked"));
            }
        }
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QList<QByteArray> expired = m_accounts->expired(now);
    const auto touches = m_accounts->takeDueTouches(now, 60);
    if (expired.isEmpty() && touches.isEmpty())
        return;
    if (!db.transaction())
        return;
    for (const QByteArray &hash : expired) {
        if (AccountDirectory::deleteSession(db, hash))
            m_accounts->removeSession(hash);
    }
    QSqlQuery touch(db);
    touch.prepare(QStringLiteral("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?"));
    // Stops at the first failure: on PostgreSQL a failed statement aborts the transaction and
    // the commit would roll back the expired sessions' deletes, which memory already applied
    // (inventory C6); the deletes are then written again, without this round's last-used
    // times (they are only for display and expiry, and come again with the next use).
    bool ok = true;
    for (const auto &[hash, at] : touches) {
        touch.addBindValue(at.toString(Qt::ISODateWithMs));
        touch.addBindValue(hash);
        if (!(ok = touch.exec()))
            break;
    }
    if (!ok) {
        qCWarning(lcIdentity).noquote()
            << "cannot note when sessions were used:" << touch.lastError().text();
        touch.finish();
        db.rollback();
        if (!db.transaction())
            return;
        for (const QByteArray &hash : expired)
            AccountDirectory::deleteSession(db, hash);
    }
    if (!db.commit())
        db.rollback();
    // This thread's own commit does not change data_version: nothing to reload.
}

bool Engine::startChangeFeed()
{
    QString error;
    m_store->mailbox().run([this, &error] {
        m_changeFeed = new ChangeFeed(SqlDialect(*m_storeLocation),
                                      m_store->connectionName() + QStringLiteral("-listen"), 20,
                                      1000, m_store);
        connect(m_changeFeed, &ChangeFeed::changed, m_changeFeed, [this](const ChangeSet &changes) {
            m_store->run([this, changes](QSqlDatabase &db) { applyChanges(db, changes); });
        });
        if (auto listening = m_changeFeed->start(); !listening)
            error = listening.error();
    });
    if (!error.isEmpty()) {
        m_error = QStringLiteral("cannot listen for changes in %1: %2").arg(m_databasePath, error);
        return false;
    }
    // What changed between the caches' first reads and the LISTEN: read once more.
    ChangeSet everything;
    everything.everything = true;
    m_store->run([this, everything](QSqlDatabase &db) { applyChanges(db, everything); });
    return true;
}

void Engine::applyChanges(QSqlDatabase &db, const ChangeSet &changes)
{
    if (m_stopping)
        return;
    QList<QByteArray> revoked;
    if (changes.everything || changes.accounts) {
        if (const auto gone = m_accounts->load(db); !gone)
            qCWarning(lcIdentity).noquote() << "cannot reload the accounts:" << gone.error();
        else
            revoked = *gone;
    } else {
        for (const QByteArray &hash : changes.sessionsRemoved) {
            if (m_accounts->knowsSession(hash)) {
                m_accounts->removeSession(hash);
                revoked.append(hash);
            }
        }
        for (const QByteArray &hash : changes.sessionsAdded) {
            if (m_accounts->knowsSession(hash))
                continue;
            const auto session = AccountDirectory::readSession(db, hash);
            if (!session)
                qCWarning(lcIdentity).noquote() << "cannot read a new session:" << session.error();
            else if (*session)
                m_accounts->putSession(**session);
        }
    }
    if (!revoked.isEmpty()) {
        qCInfo(lcIdentity).noquote() << revoked.size() << "sessions revoked elsewhere";
        closeSessions(revoked, QStringLiteral("session revoked"));
    }

    if (changes.everything || changes.bans) {
        qint64 lastId = 0;
        if (auto loaded = Bans::load(db, &lastId); !loaded) {
            qCWarning(lcIdentity).noquote() << "cannot reload the bans:" << loaded.error();
        } else {
            for (const Bans::Ban &ban : m_bans->reload(std::move(*loaded))) {
                qCInfo(lcIdentity).noquote() << "ban" << ban.id << "of" << ban.target << "by"
                                             << ban.createdBy << "(made elsewhere)";
                if (ban.address.isEmpty()) {
                    closeIdentity(ban.target, QStringLiteral("banned"), nullptr, {});
                } else {
                    const QHostAddress address(ban.address);
                    forEachWorker(
                        [address](Worker *worker) { worker->disconnectAddress(address); });
                }
            }
            m_mailbox->post([this] { Q_EMIT bansChanged(); });
        }
    }

    QStringList roomsChanged;
    if (changes.everything) {
        if (auto loaded = Conversations::loadFrom(db); !loaded) {
            qCWarning(lcIdentity).noquote() << "cannot reload the conversations:" << loaded.error();
        } else {
            roomsChanged = m_conversations->reloadRooms(std::move(loaded->rooms));
            for (auto it = loaded->readStates.begin(); it != loaded->readStates.end(); ++it)
                m_conversations->putReadStates(it.key(), std::move(it.value()));
        }
    } else {
        if (changes.conversations) {
            if (auto rooms = Conversations::roomsFrom(db); !rooms)
                qCWarning(lcIdentity).noquote()
                    << "cannot reload the private rooms:" << rooms.error();
            else
                roomsChanged = m_conversations->reloadRooms(std::move(*rooms));
        }
        for (const qint64 accountId : changes.readStates) {
            if (auto states = Conversations::readStatesFrom(db, accountId); !states)
                qCWarning(lcIdentity).noquote() << "cannot reload read state:" << states.error();
            else
                m_conversations->putReadStates(accountId, std::move(*states));
        }
    }
    for (const QString &room : std::as_const(roomsChanged)) {
        const QString topic = topics::conversationTopic(room);
        forEachWorker([topic](Worker *worker) { worker->removeUnauthorisedHere(topic); });
    }
}

void Engine::closeSessions(const QList<QByteArray> &sessionHashes, const QString &reason)
{
    if (m_stopping)
        return;
    forEachWorker([sessionHashes, reason](Worker *worker) {
        for (const QByteArray &hash : sessionHashes)
            worker->closeSession(hash, reason);
    });
}

void Engine::publishDirectoryChanges()
{
    for (const RoomDirectory::Room &room : m_directory->takeDirty()) {
        // A private room's update is for its members only: each directory channel decides.
        const QString event = m_conversations->isPrivate(room.name)
                                  ? QString(RoomDirectoryChannel::PrivateRoomUpdate)
                                  : QString(events::RoomUpdate);
        auto broadcast = Broadcast::create(Message::broadcast(topics::Rooms, event, room.toJson()));
        // In a cluster the other nodes' room lists take it too (ClusterRelay → applyRemote).
        if (ClusterRelay *relay = m_workerRelay.load(std::memory_order_acquire))
            relay->publishLocal(broadcast, nullptr);
        else
            m_pubsub->publish(broadcast, nullptr);
    }
}

namespace {

//! Descriptors kept for the server's own use below the limit: event loops, io_uring, SQLite
//! files, and connections being turned away (at most FrontDoor's lingering refusals).
constexpr rlim_t DescriptorHeadroom = 512;

//! Every connection is a descriptor; the default soft limit (often 1024) would cap the server
//! far below what the machine allows. Returns the limit now in force.
rlim_t raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        const rlim_t raised = limit.rlim_max;
        limit.rlim_cur = raised;
        if (setrlimit(RLIMIT_NOFILE, &limit) == 0)
            return raised;
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

} // namespace

bool Engine::start()
{
    qRegisterMetaType<EngineSnapshot>();
    qRegisterMetaType<QList<NodeRow>>();
    const rlim_t descriptors = raiseDescriptorLimit();
    // The server must never run out of descriptors itself: connections beyond the limit are
    // answered 503 while there is still room to do so.
    if (m_config.maxConnections <= 0) {
        const rlim_t room = descriptors > DescriptorHeadroom * 2 ? descriptors - DescriptorHeadroom
                                                                 : descriptors / 2;
        m_config.maxConnections = int(std::min<rlim_t>(room, 1 << 30));
    }
    m_limits = std::make_unique<ConnectionLimiter>(m_config.maxConnections,
                                                   m_config.maxConnectionsPerAddress);
    m_startedAt = QDateTime::currentDateTimeUtc();
    if (!setUpTls() || !openStore() || !startCluster())
        return false;
    m_directoryTimer = new QTimer(this);
    connect(m_directoryTimer, &QTimer::timeout, this, &Engine::publishDirectoryChanges);
    m_directoryTimer->start(500);

    const int count = m_config.effectiveWorkers();
    for (int i = 0; i < count; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("chatter-worker-%1").arg(i));
        auto *dispatcher = new EpollEventDispatcher;
        thread->setEventDispatcher(dispatcher);
        auto *worker = new Worker(i, *this);
        dispatcher->setSocketBatch(&worker->batchSender());
        worker->moveToThread(thread.get());
        connect(thread.get(), &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_workers.push_back(worker);
        m_threads.push_back(std::move(thread));
    }
    m_pubsub->setWorkers(m_workers);
    m_listener = new Listener([this](int descriptor, const QHostAddress &peer,
                                     quint16 port) { dispatch(descriptor, peer, port); },
                              this);
    m_listener->setListenBacklogSize(m_config.listenBacklog);
    if (!m_listener->listen(m_config.bindAddress, m_config.port)) {
        m_error = m_listener->errorString();
        return false;
    }
    m_port = m_listener->serverPort();
    qCInfo(lcNet).noquote() << "listening on" << m_config.bindAddress.toString() << "port" << m_port
                            << "with" << count << "workers; at most" << m_config.maxConnections
                            << "connections," << m_config.maxConnectionsPerAddress << "per address";
    if (!m_config.trustedProxies.isEmpty()) {
        QStringList proxies;
        for (const auto &[address, prefix] : m_config.trustedProxies)
            proxies.append(address.toString() + QLatin1Char('/') + QString::number(prefix));
        qCInfo(lcNet).noquote() << "PROXY v2 headers required from (and read only from)"
                                << proxies.join(QLatin1String(", "));
    }
    if (!startMetricsListener())
        return false;
    announceNode();
    if (m_config.announce)
        startAnnouncing();
    Q_EMIT listening(m_listener->serverPort());
    return true;
}

bool Engine::startMetricsListener()
{
    if (m_config.metricsExposure != ServerConfig::MetricsExposure::Address) {
        qCInfo(lcNet).noquote() << (m_config.metricsOnPublicPort()
                                        ? "metrics: GET /metrics on the chat port"
                                        : "metrics: not served (see --metrics-address)");
        return true;
    }
    m_metricsListener = new MetricsListener(*this, this);
    if (const auto bound = m_metricsListener->listen(m_config.metricsAddress, m_config.metricsPort);
        !bound) {
        m_error = QStringLiteral("--metrics-address: %1").arg(bound.error());
        return false;
    }
    qCInfo(lcNet).noquote() << "metrics: GET /metrics and /healthz on"
                            << m_config.metricsAddress.toString() << "port"
                            << m_metricsListener->port();
    return true;
}

quint16 Engine::metricsPort() const
{
    return m_metricsListener ? m_metricsListener->port() : 0;
}

void Engine::startAnnouncing()
{
    ServiceAnnouncer::Settings settings;
    settings.name = ServiceAnnouncer::defaultName(m_config.nodeName);
    settings.bindAddress = m_config.bindAddress;
    settings.port = m_port;
    settings.records.version = QCoreApplication::applicationVersion();
    settings.records.tls = m_tls != nullptr;
    settings.records.accountsRequired = m_config.accountsRequired;
    settings.usersIntervalMs = m_config.announceUsersIntervalMs;
    // Users online: this node's connections (a person with two windows counts twice).
    m_announcer = std::make_unique<ServiceAnnouncer>(std::move(settings),
                                                     [this] { return m_connections.load(); });
    m_announcer->start();
}

bool Engine::setUpTls()
{
    if (!m_config.tlsEnabled())
        return true;
    QString certificate = m_config.tlsCertificateFile;
    QString key = m_config.tlsKeyFile;
    if (m_config.tlsSelfSigned) {
        const auto files = SelfSignedCertificate::ensure(m_config.effectiveDataDir());
        if (!files) {
            m_error =
                QStringLiteral("cannot make a self-signed certificate: %1").arg(files.error());
            return false;
        }
        certificate = files->certificateFile;
        key = files->keyFile;
    }
    m_tls = std::make_unique<TlsContext>(certificate, key);
    if (const auto loaded = m_tls->reload(); !loaded) {
        m_error = loaded.error();
        m_tls.reset();
        return false;
    }
    qCInfo(lcNet).noquote() << "TLS certificate" << certificate << "SHA-256"
                            << m_tls->fingerprint();
    return true;
}

QString Engine::tlsFingerprint() const
{
    return m_tls ? m_tls->fingerprint() : QString();
}

Expected<QString> Engine::reloadTls()
{
    if (!m_tls)
        return failure(QStringLiteral("TLS is not enabled"));
    const QString before = m_tls->fingerprint();
    if (const auto loaded = m_tls->reload(); !loaded) {
        qCWarning(lcNet).noquote()
            << "TLS reload failed, keeping the current certificate:" << loaded.error();
        recordAdmin(QStringLiteral("TLS reload failed: %1").arg(loaded.error()));
        return failure(loaded.error());
    }
    const QString after = m_tls->fingerprint();
    qCInfo(lcNet).noquote() << "TLS certificate reloaded, SHA-256" << after;
    recordAdmin(QStringLiteral("TLS certificate reloaded, SHA-256 %1").arg(after));
    if (after != before)
        Q_EMIT tlsCertificateChanged(after);
    return after;
}

void Engine::stop(quint16 code)
{
    // Other nodes' broadcasts stop first: from here on the workers go away, and nothing from
    // the cluster thread may be queued for them. (Workers may still publish; the relay then
    // delivers here only.)
    if (m_clusterThread) {
        m_loginThrottle->stopRedis();
        m_registrationThrottle->stopRedis();
        m_workerRelay.store(nullptr, std::memory_order_release);
        m_workerBus.store(nullptr, std::memory_order_release);
        m_workerRouter.store(nullptr, std::memory_order_release);
        m_workerControl.store(nullptr, std::memory_order_release);
        m_pubsub->setBus(nullptr);
        // The heartbeat key goes first, so that the other nodes drop this node's presence at
        // their next look rather than after --node-timeout-ms. Waited for briefly.
        if (m_clusterPresence) {
            auto deleted = std::make_shared<std::promise<void>>();
            m_cluster->mailbox().post([presence = m_clusterPresence, deleted] {
                presence->stop([deleted] { deleted->set_value(); });
            });
            deleted->get_future().wait_for(std::chrono::milliseconds(1000));
        }
        m_cluster->mailbox().run(
            [cluster = m_cluster, relay = m_relay, inbox = m_inbox, control = m_control] {
                if (control)
                    control->stop();
                if (inbox) // waiting long-poll requests get 410
                    inbox->stop();
                if (relay) // null when the start was refused
                    relay->stop();
                cluster->stop();
            });
    }
    // Goodbye on the LAN first: browsers drop the server before its sockets close.
    m_announcer.reset();
    if (m_listener) {
        m_listener->close();
        delete m_listener;
        m_listener = nullptr;
    }
    delete std::exchange(m_metricsListener, nullptr);
    if (m_directoryTimer)
        m_directoryTimer->stop();
    // Password work in flight ends first: its results go to the store and to workers. Then
    // the store finishes the job it is in; later ones see m_stopping and post to no worker.
    m_stopping = true;
    if (m_passwordPool)
        m_passwordPool->waitForDone();
    if (m_fileThread)
        m_fileThread->waitForDone(); // uploads go on to the store
    // Searches end before the workers their results go to. The object itself stays until the
    // engine goes: a worker may still hand it a search (dropped) until it is stopped too.
    if (m_searcher)
        m_searcher->stop();
    if (m_store && m_storeThread)
        m_store->mailbox().run([] {});
    for (Worker *worker : m_workers) {
        worker->mailbox().run(
            [worker, code] { worker->closeAll(code, QStringLiteral("server shutting down")); });
    }
    // Give the close handshakes a moment to reach the clients.
    QDeadlineTimer deadline(2000);
    while (m_connections.load() > 0 && !deadline.hasExpired())
        QThread::msleep(10);
    for (auto &thread : m_threads) {
        thread->quit();
        thread->wait();
    }
    m_threads.clear();
    m_workers.clear();
    m_audit.reset(); // it writes through the store: gone with it
    if (m_storeThread) {
        // Jobs still waiting (bans, audit entries) run before the thread ends: an empty job
        // after them is the wait. Bans write through the store no more after this.
        m_bans->detach();
        m_conversations->detach();
        m_store->mailbox().run([] {});
        m_storeThread->quit();
        m_storeThread->wait();
        m_storeThread.reset();
        m_store = nullptr;
    }
    if (m_clusterThread) {
        m_clusterThread->quit();
        m_clusterThread->wait();
        m_clusterThread.reset();
        m_cluster = nullptr;
        m_relay = nullptr;
        m_clusterPresence = nullptr;
        m_longPollRouter = nullptr;
        m_inbox = nullptr;
        m_control = nullptr;
    }
}

quint16 Engine::port() const
{
    return m_port;
}

void Engine::dispatch(int descriptor, const QHostAddress &peer, quint16 port)
{
    // Counted before any byte is read: a refused client gets its 503 from the worker.
    // A load balancer carries many clients: its connections count against the per-address
    // cap only once their PROXY header has named the client (FrontDoor).
    const bool proxied = !m_config.trustedProxies.isEmpty() &&
                         trustedproxies::contains(m_config.trustedProxies, peer);
    QString why;
    const bool admitted = proxied
                              ? m_limits->admitExempt(ConnectionLimiter::Kind::Connection, &why)
                              : m_limits->admit(ConnectionLimiter::Kind::Connection, peer, &why);
    if (!admitted)
        noteRefused(peer, QStringLiteral("HTTP 503: ") + why);
    Worker *worker = m_workers[m_nextWorker++ % m_workers.size()];
    worker->mailbox().post([worker, descriptor, peer, port, admitted, proxied] {
        worker->adoptDescriptor(descriptor, peer, port, admitted, proxied);
    });
}

void Engine::noteRefused(const QHostAddress &peer, const QString &why)
{
    int suppressed = 0;
    if (!m_limits->shouldLogRefusal(peer, &suppressed))
        return;
    QString text = why;
    if (suppressed > 0)
        text += QStringLiteral(" (%1 more refused in the last second)").arg(suppressed);
    qCWarning(lcNet).noquote() << "refused: peer" << peer.toString() << text;
    m_events.record(EngineEvent{QDateTime::currentDateTimeUtc(),
                                EngineEvent::Kind::Refused,
                                0,
                                {},
                                {},
                                QStringLiteral("peer %1 %2").arg(peer.toString(), text)});
}

void Engine::disconnectSocketId(const QString &socketId)
{
    closeSocketIdHere(socketId);
    if (ClusterControl *control = m_workerControl.load(std::memory_order_acquire))
        control->closeSocketId(socketId);
}

void Engine::closeSocketIdHere(const QString &socketId)
{
    for (Worker *worker : m_workers) {
        worker->mailbox().post([worker, socketId] { worker->closeSocketId(socketId); });
    }
}

void Engine::removeAccountFromTopic(qint64 accountId, const QString &topic)
{
    if (m_stopping)
        return;
    forEachWorker(
        [accountId, topic](Worker *worker) { worker->removeAccountHere(accountId, topic); });
}

void Engine::forEachWorker(const std::function<void(Worker *)> &action)
{
    for (Worker *worker : m_workers)
        worker->mailbox().post([worker, action] { action(worker); });
}

void Engine::recordAdmin(const QString &text)
{
    qCInfo(lcNet).noquote() << "admin:" << text;
    m_events.record(
        EngineEvent{QDateTime::currentDateTimeUtc(), EngineEvent::Kind::Admin, 0, {}, {}, text});
}

void Engine::requestSnapshot()
{
    struct Gathering
    {
        EngineSnapshot snapshot;
        int remaining = 0;
        std::mutex mutex;
    };
    auto gathering = std::make_shared<Gathering>();
    gathering->remaining = int(m_workers.size());
    gathering->snapshot.takenAt = QDateTime::currentDateTimeUtc();
    for (const RoomDirectory::Room &room : m_directory->rooms())
        gathering->snapshot.rooms.append(
            RoomRow{room.name, room.members, room.messageCount,
                    room.lastActivityMs ? isotime::fromMsecs(room.lastActivityMs) : QString()});
    for (const RoomRow &room : std::as_const(gathering->snapshot.rooms))
        gathering->snapshot.storedMessages += room.messages;
    gathering->snapshot.refusedConnections = m_limits ? m_limits->refusedTotal() : 0;
    if (m_workers.empty()) {
        Q_EMIT snapshotReady(gathering->snapshot);
        return;
    }
    // Each worker answers on its own thread; the last one hands the result to this thread.
    forEachWorker([this, gathering](Worker *worker) {
        EngineSnapshot partial;
        const QList<SocketRow> rows = worker->snapshot(&partial);
        std::scoped_lock locker(gathering->mutex);
        EngineSnapshot &s = gathering->snapshot;
        s.sockets.append(rows);
        s.messagesIn += partial.messagesIn;
        s.messagesOut += partial.messagesOut;
        s.bytesIn += partial.bytesIn;
        s.bytesOut += partial.bytesOut;
        if (--gathering->remaining == 0) {
            m_mailbox->post([this, gathering] {
                // In a cluster: this node's rows named, the other nodes' as last listed.
                if (ClusterControl *control = m_workerControl.load(std::memory_order_acquire)) {
                    QList<SocketRow> &sockets = gathering->snapshot.sockets;
                    for (SocketRow &row : sockets)
                        row.node = m_nodeName;
                    sockets.append(control->remoteSockets());
                }
                Q_EMIT snapshotReady(gathering->snapshot);
            });
        }
    });
}

void Engine::disconnectSocket(quint64 id)
{
    recordAdmin(QStringLiteral("disconnect socket %1").arg(id));
    forEachWorker([id](Worker *worker) {
        worker->disconnectSocket(id, 1001, QStringLiteral("disconnected by an administrator"));
    });
}

void Engine::disconnectSocket(const QString &nodeId, quint64 id)
{
    ClusterControl *control = m_workerControl.load(std::memory_order_acquire);
    const QUuid node = QUuid::fromString(nodeId);
    if (!control || node.isNull() || node == m_relay->nodeId()) {
        disconnectSocket(id);
        return;
    }
    recordAdmin(QStringLiteral("disconnect socket %1 on node %2").arg(id).arg(nodeId));
    control->disconnectSocket(node, id);
}

void Engine::removeFromRoom(quint64 id, const QString &topic)
{
    recordAdmin(QStringLiteral("remove socket %1 from %2").arg(id).arg(topic));
    forEachWorker([id, topic](Worker *worker) { worker->removeFromTopic(id, topic); });
}

void Engine::sendSystemMessage(const QString &room, const QString &body)
{
    recordAdmin(QStringLiteral("system message to %1: %2").arg(room, body));
    if (!m_store || m_workers.empty())
        return;
    StoredMessage message{0, room, QStringLiteral("system"), body,
                          QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)};
    message.author = QStringLiteral("system");
    // Published from a worker, as members' messages are: that worker's context does it.
    Worker *publisher = m_workers.front();
    publisher->mailbox().post([publisher, message = std::move(message)]() mutable {
        publisher->append(std::move(message), [publisher](const StoredMessage &m, bool ok) {
            if (ok)
                RoomChannel::publishCommitted(*publisher, m, true);
        });
    });
}

namespace {

QDateTime banUntil(int minutes)
{
    return minutes > 0 ? QDateTime::currentDateTimeUtc().addSecs(qint64(minutes) * 60)
                       : QDateTime();
}

QString untilText(const QDateTime &until)
{
    return until.isNull() ? QStringLiteral("until lifted")
                          : QStringLiteral("until %1").arg(until.toString(Qt::ISODate));
}

} // namespace

QDateTime Engine::banNickname(const QString &nickname, int minutes, const QString &reason,
                              const QString &actor, const QHostAddress &actorAddress)
{
    const Bans::Ban ban = m_bans->banNickname(nickname, reason, actor, banUntil(minutes));
    if (m_audit)
        m_audit->record(actor, QStringLiteral("ban"), nickname, actorAddress,
                        QStringLiteral("%1; %2").arg(untilText(ban.until), reason));
    closeIdentity(nickname, QStringLiteral("banned"), nullptr, {});
    m_mailbox->post([this] { Q_EMIT bansChanged(); });
    return ban.until;
}

void Engine::banAddress(const QHostAddress &address, int minutes, const QString &reason,
                        const QString &actor)
{
    const Bans::Ban ban = m_bans->banAddress(address, reason, actor, banUntil(minutes));
    if (m_audit)
        m_audit->record(actor, QStringLiteral("ban"), ban.address, {},
                        QStringLiteral("%1; %2").arg(untilText(ban.until), reason));
    disconnectAddressHere(address);
    if (ClusterControl *control = m_workerControl.load(std::memory_order_acquire))
        control->disconnectAddress(address);
    m_mailbox->post([this] { Q_EMIT bansChanged(); });
}

void Engine::disconnectAddressHere(const QHostAddress &address)
{
    forEachWorker([address](Worker *worker) { worker->disconnectAddress(address); });
}

QList<BanRow> Engine::activeBans() const
{
    QList<BanRow> rows;
    for (const Bans::Ban &ban : m_bans->active())
        rows.append({ban.id, ban.target, ban.reason, ban.createdBy, ban.createdAt, ban.until});
    return rows;
}

bool Engine::liftBan(qint64 id, const QString &actor)
{
    QString target;
    for (const Bans::Ban &ban : m_bans->active())
        if (ban.id == id)
            target = ban.target;
    if (!m_bans->lift(id))
        return false;
    if (m_audit)
        m_audit->record(actor, QStringLiteral("unban"), target);
    m_mailbox->post([this] { Q_EMIT bansChanged(); });
    return true;
}

int Engine::liftBans(const QString &target, const QString &actor, const QHostAddress &actorAddress)
{
    const int lifted = m_bans->liftTarget(target);
    if (lifted > 0) {
        if (m_audit)
            m_audit->record(actor, QStringLiteral("unban"), target, actorAddress);
        m_mailbox->post([this] { Q_EMIT bansChanged(); });
    }
    return lifted;
}

void Engine::closeIdentity(const QString &nickname, const QString &reason, Mailbox *replyTo,
                           std::function<void(int closed)> done)
{
    struct Counting
    {
        std::mutex mutex;
        int remaining = 0;
        int closed = 0;
    };
    ClusterControl *control = m_workerControl.load(std::memory_order_acquire);
    Mailbox *target = replyTo ? replyTo : m_mailbox;
    // Two parts in a cluster: this node's workers, and the other nodes' answers.
    auto counting = std::make_shared<Counting>();
    counting->remaining = control ? 2 : 1;
    const auto part = [counting, target, done](int closed) {
        std::scoped_lock locker(counting->mutex);
        counting->closed += closed;
        if (--counting->remaining == 0 && done)
            target->post([done, total = counting->closed] { done(total); });
    };
    closeIdentityHere(nickname, reason, part);
    if (control)
        control->closeIdentity(nickname, reason, done ? std::function<void(int)>(part) : nullptr);
}

void Engine::closeIdentityHere(const QString &nickname, const QString &reason,
                               std::function<void(int closed)> done)
{
    struct Counting
    {
        std::mutex mutex;
        int remaining = 0;
        int closed = 0;
    };
    const QStringList keys = NicknamePolicy::keys(nickname).keys();
    auto counting = std::make_shared<Counting>();
    counting->remaining = int(m_workers.size());
    if (m_workers.empty()) {
        done(0);
        return;
    }
    forEachWorker([keys, reason, counting, done](Worker *worker) {
        const int closed = worker->closeIdentity(keys, reason);
        std::scoped_lock locker(counting->mutex);
        counting->closed += closed;
        if (--counting->remaining == 0)
            done(counting->closed);
    });
}

void Engine::requestAudit(int limit)
{
    if (!m_store)
        return;
    m_store->run([this, limit](QSqlDatabase &db) {
        auto entries = AuditLog::read(db, limit);
        if (!entries) {
            qCWarning(lcIdentity).noquote() << "cannot read the audit log:" << entries.error();
            return;
        }
        QList<AuditRow> rows;
        for (const AuditLog::Entry &e : std::as_const(*entries))
            rows.prepend({e.id, e.at, e.actor, e.action, e.target, e.address, e.detail});
        m_mailbox->post([this, rows] { Q_EMIT auditReady(rows); });
    });
}

bool Engine::setListening(bool listening)
{
    if (!m_listener || listening == m_listener->isListening())
        return true;
    recordAdmin(listening ? QStringLiteral("resumed accepting connections")
                          : QStringLiteral("stopped accepting connections"));
    if (!listening) {
        m_listener->close();
        return true;
    }
    if (!m_listener->listen(m_config.bindAddress, m_port)) {
        m_error = m_listener->errorString();
        return false;
    }
    return true;
}

bool Engine::isListening() const
{
    return m_listener && m_listener->isListening();
}

QStringList Engine::workerDispatchers() const
{
    QStringList names;
    for (Worker *worker : m_workers) {
        QString name;
        worker->mailbox().run([worker, &name] { name = worker->dispatcherName(); });
        names.append(name);
    }
    return names;
}

} // namespace chatter::server
