// SPDX-License-Identifier: MIT
#include "worker.h"

#include "accountdirectory.h"
#include "broadcast.h"
#include "channelrouter.h"
#include "clusterbus.h"
#include "clusterrelay.h"
#include "conversations.h"
#include "engine.h"
#include "epolleventdispatcher.h"
#include "events.h"
#include "frontdoor.h"
#include "historyreader.h"
#include "httproutes.h"
#include "logging.h"
#include "messagestore.h"
#include "nicknamepolicy.h"
#include "pubsub.h"
#include "socketsession.h"
#include "topics.h"

#include <QAbstractEventDispatcher>
#include <QThread>

namespace chatter::server {

Worker::Worker(int index, Engine &engine)
    : m_index(index), m_engine(engine),
      m_validator(engine.config(), &engine.bans(), &engine.names(), &engine.accounts()),
      m_batch(engine.config().batchedSends),
      m_fanout(m_batch,
               [this](const QString &topic, bool held) {
                   if (held)
                       m_engine.pubsub().addWorker(topic, this);
                   else
                       m_engine.pubsub().removeWorker(topic, this);
               }),
      m_presenceDiffs(
          this, engine.config().presenceWindowMs, [this](const QString &topic, QByteArray diff) {
              publish(Broadcast::create(
                  Message::broadcastJson(topic, events::PresenceDiff, std::move(diff))));
          })
{
    setObjectName(QStringLiteral("worker-%1").arg(index));
    m_http = new HttpRoutes(*this, engine.assets(), engine.longPollSecret());
    m_frontDoor = new FrontDoor(*this, *m_http);
    m_mailbox = new Mailbox(this);
    lookUpStoredSessions();

    m_idleSweep.setParent(this);
    int sweepMs = std::min(config().idleTimeoutMs, config().longPollSessionMs) / 4;
    // Automatic away is noticed within a quarter of its time as well.
    if (config().awayAfterMs > 0)
        sweepMs = int(std::min<qint64>(sweepMs, config().awayAfterMs / 4));
    m_idleSweep.setInterval(std::max(50, sweepMs));
    connect(&m_idleSweep, &QTimer::timeout, this, &Worker::sweepIdle);
}

Worker::~Worker()
{
    // The dispatcher batches socket activity into this worker's sender (Engine sets it up);
    // it must not use it once the worker is gone.
    if (auto *dispatcher =
            qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance(thread())))
        dispatcher->setSocketBatch(nullptr);
    // Connections are children, which ~QObject would delete after this worker's members; on
    // the way out their channels still leave topics and presence, which those members hold.
    m_presenceDiffs.close();
    const QList<Connection *> connections = m_connections.values();
    m_connections.clear();
    qDeleteAll(connections);
}

const ServerConfig &Worker::config() const
{
    return m_engine.config();
}

QString Worker::dispatcherName() const
{
    const auto *dispatcher = thread()->eventDispatcher();
    return dispatcher ? QString::fromLatin1(dispatcher->metaObject()->className()) : QString();
}

LongPollEndpoint &Worker::longPoll()
{
    return m_http->longPoll();
}

void Worker::adoptDescriptor(qintptr descriptor, const QHostAddress &peer, quint16 peerPort,
                             bool admitted, bool proxied)
{
    if (!admitted) {
        m_frontDoor->turnAway(descriptor);
        return;
    }
    if (!m_idleSweep.isActive())
        m_idleSweep.start();
    m_frontDoor->adopt(descriptor, peer, peerPort, proxied);
}

void Worker::addConnection(Connection *connection)
{
    if (!m_idleSweep.isActive())
        m_idleSweep.start();
    connection->setParent(this);
    connection->setOwner(this);
    m_connections.insert(connection->info().id, connection);
    m_engine.noteConnected(+1);
    // Counted for every transport here, and out again in connectionFinished().
    if (m_engine.accounts().attach(connection->info(), QDateTime::currentDateTimeUtc())) {
        m_attached.insert(connection->info().id);
    } else {
        m_engine.refusals().add(RefusalReason::Nickname);
        record(EngineEvent::Kind::Refused, connection->info(), {},
               QStringLiteral("nickname taken from another address meanwhile"));
        // On the next turn: the transport that adds it is still setting it up.
        QTimer::singleShot(0, connection, [connection] {
            connection->closeWith(1008, QStringLiteral("nickname in use"));
        });
    }
}

void Worker::connectionFinished(Connection *connection)
{
    m_closedTotals += connection->stats;
    if (m_connections.remove(connection->info().id) > 0)
        m_engine.noteConnected(-1);
    if (m_attached.remove(connection->info().id))
        m_engine.accounts().detach(connection->info(), QDateTime::currentDateTimeUtc());
    connection->deleteLater();
}

void Worker::sweepIdle()
{
    // A copy: a sweep may close and so remove connections.
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections)
        connection->sweep(config());
    if (config().awayAfterMs > 0) {
        for (Connection *connection : connections)
            if (m_connections.contains(connection->info().id))
                connection->session().checkAway(config().awayAfterMs);
    }
}

std::unique_ptr<Channel> Worker::createChannel(SocketSession &session, const QString &topic)
{
    return m_engine.router().create(session, *this, topic);
}

void Worker::subscribe(Subscription &subscription)
{
    m_fanout.subscribe(subscription);
}

void Worker::unsubscribe(Subscription &subscription)
{
    m_fanout.unsubscribe(subscription);
}

bool Worker::awaitTopic(const QString &topic, quint64 connectionId)
{
    ClusterBus *bus = m_engine.clusterBus();
    // A topic no route takes is refused without a subscription on Redis.
    if (!bus || bus->ready(topic) || !m_engine.router().matches(topic))
        return true;
    bus->whenReady(topic, [this, connectionId] {
        m_mailbox->post([this, connectionId] {
            if (Connection *connection = m_connections.value(connectionId))
                connection->session().resumeAfterTopicWait();
        });
    });
    return false;
}

void Worker::lookUpStoredSessions()
{
    // Only where other writers make sessions: PostgreSQL. One primary-key read per unknown
    // token, on this worker's reader connection; what it finds serves this connect only (the
    // change feed puts the session in memory, in commit order with its revocation).
    if (!m_engine.storeLocation().isPostgres())
        return;
    m_validator.setStoredSessions(
        [this](const QByteArray &hash) -> std::optional<HandshakeValidator::StoredIdentity> {
            std::optional<QSqlDatabase> db = history().connection();
            if (!db)
                return std::nullopt;
            auto session = AccountDirectory::readSession(*db, hash);
            if (!session || !*session)
                return std::nullopt;
            HandshakeValidator::StoredIdentity found{**session, std::nullopt};
            if (found.session.kind == QLatin1String("account")) {
                auto account = AccountDirectory::readAccount(*db, found.session.accountId);
                if (!account || !*account)
                    return std::nullopt;
                found.account = **account;
            }
            return found;
        });
}

HistoryReader &Worker::history()
{
    // In a cluster the heads know this node's commits only; reads go to the database.
    if (!m_history)
        m_history = std::make_unique<HistoryReader>(
            m_engine.storeLocation(), m_engine.fileUrls(),
            m_engine.clusterBus() ? nullptr : &m_engine.store().heads());
    return *m_history;
}

void Worker::append(StoredMessage message, AppendDone done)
{
    m_engine.store().append(std::move(message), m_mailbox,
                            [this, done = std::move(done)](const StoredMessage &m, bool ok) {
                                // Whatever the result sends (a broadcast, the sender's reply)
                                // leaves in one submission: the sender's own copy of a
                                // message and its `ok` share a single send.
                                BatchSender::Scope batch(m_batch);
                                done(m, ok);
                            });
}

void Worker::change(MessageChange change, ChangeDone done)
{
    m_engine.store().change(std::move(change), m_mailbox,
                            [this, done = std::move(done)](const ChangeOutcome &outcome) {
                                BatchSender::Scope batch(m_batch);
                                done(outcome);
                            });
}

PresenceTracker &Worker::presence()
{
    return m_engine.presence();
}

RoomDirectory &Worker::directory()
{
    return m_engine.directory();
}

void Worker::queuePresenceDiff(const QString &topic, const PresenceDiff &diff)
{
    m_presenceDiffs.queue(topic, diff);
}

void Worker::flushPresenceDiff(const QString &topic)
{
    m_presenceDiffs.flush(topic);
}

Expected<void> Worker::publish(const std::shared_ptr<const Broadcast> &broadcast)
{
    // Presence waiting for its window goes out first: members learn that bob joined before
    // they read what he says.
    const QString &topic = broadcast->message().topic;
    if (!m_presenceDiffs.isEmpty() && broadcast->message().event != events::PresenceDiff)
        m_presenceDiffs.flush(topic);
    // Every recipient needs the V2 frame; encoding it here surfaces unencodable messages to the
    // sender instead of failing silently on each worker.
    const Serializer *v2 = Serializer::forVersion(Serializer::Version::V2);
    if (!broadcast->frameFor(v2))
        return failure(broadcast->encodeError(v2));
    if (ClusterRelay *relay = m_engine.clusterRelay())
        relay->publishLocal(broadcast, this);
    else
        m_engine.pubsub().publish(broadcast, this);
    return {};
}

void Worker::deliver(const std::shared_ptr<const Broadcast> &broadcast)
{
    m_fanout.deliver(*broadcast);
}

void Worker::completeReply(const ReplyHandle &handle, const ChannelReply &reply)
{
    if (Connection *connection = m_connections.value(handle.connectionId))
        connection->session().completeDeferred(handle, reply);
}

void Worker::disconnectSocketId(const QString &socketId)
{
    m_engine.disconnectSocketId(socketId);
}

AccountDirectory *Worker::accounts()
{
    return &m_engine.accounts();
}

Conversations *Worker::conversations()
{
    return &m_engine.conversations();
}

Searcher *Worker::searcher()
{
    return m_engine.searcher();
}

void Worker::removeAccountFromTopic(qint64 accountId, const QString &topic)
{
    m_engine.removeAccountFromTopic(accountId, topic);
}

int Worker::removeAccountHere(qint64 accountId, const QString &topic)
{
    int removed = 0;
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (connection->info().accountId == accountId &&
            connection->session().removeFromTopic(topic, QStringLiteral("removed")))
            ++removed;
    }
    return removed;
}

int Worker::removeUnauthorisedHere(const QString &topic)
{
    const QString conversation = topics::conversationKey(topic);
    const Conversations &conversations = m_engine.conversations();
    int removed = 0;
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (!conversations.mayRead(conversation, connection->info().accountId) &&
            connection->session().removeFromTopic(topic, QStringLiteral("removed")))
            ++removed;
    }
    return removed;
}

int Worker::closeSocketId(const QString &socketId)
{
    int closed = 0;
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (connection->info().socketId() == socketId && !connection->isClosing()) {
            record(EngineEvent::Kind::Disconnect, connection->info(), {},
                   QStringLiteral("disconnect requested - closing with 1001"));
            connection->closeWith(1001, QStringLiteral("disconnected"));
            ++closed;
        }
    }
    return closed;
}

int Worker::closeSession(const QByteArray &sessionHash, const QString &reason)
{
    int closed = 0;
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (connection->info().sessionHash == sessionHash && !connection->isClosing()) {
            record(EngineEvent::Kind::Disconnect, connection->info(), {},
                   reason + QStringLiteral(" - closing with 1008"));
            connection->closeWith(1008, reason);
            ++closed;
        }
    }
    return closed;
}

int Worker::closeIdentity(const QStringList &keys, const QString &reason)
{
    int closed = 0;
    QHash<QString, bool> matches; // per nickname: one ICU look-up, not one per socket
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        const ConnectInfo &info = connection->info();
        if (connection->isClosing() || info.user.isEmpty())
            continue;
        auto known = matches.constFind(info.user);
        if (known == matches.cend()) {
            bool shared = false;
            for (const QString &key : NicknamePolicy::keys(info.user).keys())
                shared = shared || keys.contains(key);
            known = matches.insert(info.user, shared);
        }
        if (!*known)
            continue;
        record(EngineEvent::Kind::Disconnect, info, {},
               QStringLiteral("%1 - closing with 1001").arg(reason));
        connection->closeWith(1001, reason);
        ++closed;
    }
    return closed;
}

namespace {

const QLoggingCategory &eventCategory(EngineEvent::Kind kind)
{
    switch (kind) {
    case EngineEvent::Kind::ProtocolError:
        return lcProtocol();
    case EngineEvent::Kind::Join:
    case EngineEvent::Kind::Leave:
        return lcChannel();
    default:
        return lcNet();
    }
}

bool isProblem(EngineEvent::Kind kind)
{
    return kind == EngineEvent::Kind::ProtocolError || kind == EngineEvent::Kind::SlowReader;
}

} // namespace

bool Worker::wantsEvent(EngineEvent::Kind kind) const
{
    return m_engine.events().isRead() ||
           eventCategory(kind).isEnabled(isProblem(kind) ? QtWarningMsg : QtInfoMsg);
}

void Worker::record(EngineEvent::Kind kind, const ConnectInfo &info, const QString &topic,
                    const QString &text)
{
    if (kind == EngineEvent::Kind::Join)
        ++m_joins;
    // Every connect and join passes here: with info lines off and no monitor reading (the
    // usual headless server), building the line and the event would be all the work there is.
    const QLoggingCategory &category = eventCategory(kind);
    const bool problem = isProblem(kind);
    if (category.isEnabled(problem ? QtWarningMsg : QtInfoMsg)) {
        QString line = EngineEvent::kindName(kind) + QLatin1String(": ");
        if (info.id)
            line += QStringLiteral("socket %1 user %2 ").arg(info.id).arg(info.user);
        else
            line += QStringLiteral("peer %1 ").arg(info.peerAddress.toString());
        if (!topic.isEmpty())
            line += QStringLiteral("topic %1 ").arg(topic);
        line += text;
        if (problem)
            qCWarning(category).noquote() << line.trimmed();
        else
            qCInfo(category).noquote() << line.trimmed();
    }
    if (m_engine.events().isRead())
        m_engine.events().record(
            EngineEvent{QDateTime::currentDateTimeUtc(), kind, info.id, info.user, topic, text});
}

void Worker::recordConnect(const ConnectInfo &info)
{
    if (!wantsEvent(EngineEvent::Kind::Connect))
        return;
    record(EngineEvent::Kind::Connect, info, {},
           QStringLiteral("peer %1:%2 vsn %3 client %4 transport %5")
               .arg(info.peerAddress.toString())
               .arg(info.peerPort)
               .arg(info.vsnName(),
                    info.clientKind.isEmpty() ? QStringLiteral("-") : info.clientKind,
                    info.transport));
}

QList<SocketRow> Worker::snapshot(EngineSnapshot *totals, qsizetype limit) const
{
    QList<SocketRow> rows;
    rows.reserve(limit < 0 ? m_connections.size() : std::min(limit, m_connections.size()));
    ConnectionStats sum = m_closedTotals;
    for (Connection *connection : std::as_const(m_connections)) {
        const ConnectInfo &info = connection->info();
        const ConnectionStats &s = connection->stats;
        sum += s;
        if (limit >= 0 && rows.size() >= limit)
            continue;
        rows.append(SocketRow{
            info.id, QStringLiteral("%1:%2").arg(info.peerAddress.toString()).arg(info.peerPort),
            info.user, info.clientKind, info.transport, info.vsnName(), info.connectedAt,
            connection->session().topics(), s.messagesIn, s.messagesOut, s.bytesIn, s.bytesOut,
            connection->session().lastHeartbeat(), connection->queuedBytes(), QString(),
            QString()});
    }
    totals->messagesIn += sum.messagesIn;
    totals->messagesOut += sum.messagesOut;
    totals->bytesIn += sum.bytesIn;
    totals->bytesOut += sum.bytesOut;
    return rows;
}

void Worker::addTotals(EngineSnapshot *totals) const
{
    ConnectionStats sum = m_closedTotals;
    for (Connection *connection : std::as_const(m_connections))
        sum += connection->stats;
    totals->messagesIn += sum.messagesIn;
    totals->messagesOut += sum.messagesOut;
    totals->bytesIn += sum.bytesIn;
    totals->bytesOut += sum.bytesOut;
}

void Worker::addMetrics(MetricsSample *sample) const
{
    ConnectionStats sum = m_closedTotals;
    for (Connection *connection : std::as_const(m_connections)) {
        sum += connection->stats;
        if (connection->info().transport == QLatin1String("longpoll"))
            ++sample->longPollConnections;
        else
            ++sample->webSocketConnections;
    }
    sample->messagesIn += sum.messagesIn;
    sample->messagesOut += sum.messagesOut;
    sample->bytesIn += sum.bytesIn;
    sample->bytesOut += sum.bytesOut;
    sample->joins += m_joins;
    sample->rateLimited += m_rateLimited;
    ++sample->workersAnswered;
}

bool Worker::disconnectSocket(quint64 id, quint16 code, const QString &reason)
{
    Connection *connection = m_connections.value(id);
    if (!connection)
        return false;
    connection->closeWith(code, reason);
    return true;
}

bool Worker::removeFromTopic(quint64 id, const QString &topic)
{
    Connection *connection = m_connections.value(id);
    return connection &&
           connection->session().removeFromTopic(topic, QStringLiteral("removed by admin"));
}

void Worker::disconnectAddress(const QHostAddress &address)
{
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (connection->info().peerAddress.isEqual(address, QHostAddress::TolerantConversion))
            connection->closeWith(1001, QStringLiteral("address banned"));
    }
}

void Worker::closeAll(quint16 code, const QString &reason)
{
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections)
        connection->closeWith(code, reason);
}

} // namespace chatter::server
