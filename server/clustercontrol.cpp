// SPDX-License-Identifier: MIT
#include "clustercontrol.h"

#include "clusterbus.h"
#include "clusterinbox.h"
#include "clusterpresence.h"
#include "logging.h"
#include "mailbox.h"
#include "redisconnection.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <memory>

namespace chatter::server {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString text(const QUuid &node)
{
    return node.toString(QUuid::WithoutBraces);
}

QString isoText(const QDateTime &at)
{
    return at.isValid() ? at.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime isoTime(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

//! Type names on `:all`.
const QLatin1String SocketIdType("sid");
const QLatin1String IdentityType("ident");
const QLatin1String AddressType("addr");
const QLatin1String SocketType("sock");
const QLatin1String StatsType("stats");

} // namespace

ClusterControl::ClusterControl(ClusterBus &bus, ClusterInbox &inbox, RedisConnection &commands,
                               ClusterPresence &presence, QUuid node, Local local, QObject *parent)
    : QObject(parent), m_bus(bus), m_inbox(inbox), m_commands(commands), m_presence(presence),
      m_node(node), m_nodeText(text(node)), m_local(std::move(local)), m_mailbox(new Mailbox(this))
{
    m_timer.setParent(this); // moves to the cluster thread with this object
    m_timer.setInterval(StatsIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ClusterControl::tick);
    m_self.id = m_nodeText;
    m_self.self = true;
    m_inbox.handle(QStringLiteral("socks"),
                   [this](const QJsonObject &request, const ClusterInbox::Answer &answer) {
                       answerListing(request, answer);
                   });
}

ClusterControl::~ClusterControl() = default;

void ClusterControl::start()
{
    m_started = true;
    m_timer.start();
    tick();
}

void ClusterControl::stop()
{
    m_stopped = true;
    m_timer.stop();
}

void ClusterControl::setIdentity(const QString &name, const QString &address,
                                 const QDateTime &startedAt)
{
    m_mailbox->post([this, name, address, startedAt] {
        m_self.name = name;
        m_self.address = address;
        m_self.startedAt = startedAt;
        m_presence.setIdentity({{QStringLiteral("name"), name},
                                {QStringLiteral("addr"), address},
                                {QStringLiteral("started"), isoText(startedAt)}});
    });
}

void ClusterControl::publish(QJsonObject message)
{
    message.insert(QStringLiteral("from"), m_nodeText);
    m_bus.publishRaw(m_bus.controlChannel(), QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void ClusterControl::closeSocketId(const QString &socketId)
{
    publish({{QStringLiteral("t"), SocketIdType}, {QStringLiteral("sid"), socketId}});
}

void ClusterControl::closeIdentity(const QString &nickname, const QString &reason,
                                   std::function<void(int)> done)
{
    m_mailbox->post([this, nickname, reason, done = std::move(done)]() mutable {
        quint64 correlation = 0;
        if (done) {
            // The nodes known now answer; one that started within the last tick may close
            // sockets without being counted.
            correlation =
                m_inbox.expect(int(m_others.size()), AnswerWaitMs,
                               [done = std::move(done)](const QList<QJsonObject> &answers) {
                                   int closed = 0;
                                   for (const QJsonObject &answer : answers)
                                       closed += answer.value(QLatin1String("closed")).toInt();
                                   done(closed);
                               });
        }
        publish({{QStringLiteral("t"), IdentityType},
                 {QStringLiteral("nick"), nickname},
                 {QStringLiteral("reason"), reason},
                 {QStringLiteral("corr"), QString::number(correlation)}});
    });
}

void ClusterControl::disconnectAddress(const QHostAddress &address)
{
    publish({{QStringLiteral("t"), AddressType}, {QStringLiteral("a"), address.toString()}});
}

void ClusterControl::disconnectSocket(const QUuid &nodeId, quint64 id)
{
    publish({{QStringLiteral("t"), SocketType},
             {QStringLiteral("node"), text(nodeId)},
             {QStringLiteral("id"), QString::number(id)}});
}

void ClusterControl::receive(const QByteArray &payload)
{
    if (!m_started || m_stopped)
        return;
    const QJsonObject message = QJsonDocument::fromJson(payload).object();
    const QUuid from = QUuid::fromString(message.value(QLatin1String("from")).toString());
    if (from.isNull() || from == m_node)
        return; // this node acted on its own sockets when it sent it
    const QString type = message.value(QLatin1String("t")).toString();
    if (type == StatsType) {
        NodeRow &row = m_others[from];
        const bool known = !row.id.isEmpty();
        row.id = text(from);
        row.name = message.value(QLatin1String("name")).toString();
        row.address = message.value(QLatin1String("addr")).toString();
        row.startedAt = isoTime(message.value(QLatin1String("started")));
        row.connections = message.value(QLatin1String("conn")).toInt();
        row.messagesIn = qint64(message.value(QLatin1String("in")).toDouble());
        row.messagesOut = qint64(message.value(QLatin1String("out")).toDouble());
        row.lastSeen = QDateTime::currentDateTimeUtc();
        if (!known)
            emitTable();
    } else if (type == SocketIdType) {
        m_local.closeSocketId(message.value(QLatin1String("sid")).toString());
    } else if (type == IdentityType) {
        const quint64 correlation = message.value(QLatin1String("corr")).toString().toULongLong();
        std::function<void(int)> done;
        if (correlation != 0)
            done = [answer = m_inbox.answerTo(from, correlation)](int closed) {
                answer({{QStringLiteral("closed"), closed}});
            };
        m_local.closeIdentity(message.value(QLatin1String("nick")).toString(),
                              message.value(QLatin1String("reason")).toString(), std::move(done));
    } else if (type == AddressType) {
        const QHostAddress address(message.value(QLatin1String("a")).toString());
        if (!address.isNull())
            m_local.disconnectAddress(address);
    } else if (type == SocketType) {
        if (QUuid::fromString(message.value(QLatin1String("node")).toString()) == m_node)
            m_local.disconnectSocket(message.value(QLatin1String("id")).toString().toULongLong(),
                                     m_others.value(from).name);
    }
}

void ClusterControl::tick()
{
    if (!m_started || m_stopped)
        return;
    m_local.counters([this](const NodeRow &counters) {
        m_mailbox->post([this, counters] {
            if (m_stopped)
                return;
            publishStats(counters);
            checkHeartbeats();
        });
    });
}

void ClusterControl::publishStats(const NodeRow &counters)
{
    m_self.connections = counters.connections;
    m_self.messagesIn = counters.messagesIn;
    m_self.messagesOut = counters.messagesOut;
    m_self.lastSeen = QDateTime::currentDateTimeUtc();
    publish({{QStringLiteral("t"), StatsType},
             {QStringLiteral("name"), m_self.name},
             {QStringLiteral("addr"), m_self.address},
             {QStringLiteral("started"), isoText(m_self.startedAt)},
             {QStringLiteral("conn"), m_self.connections},
             {QStringLiteral("in"), double(m_self.messagesIn)},
             {QStringLiteral("out"), double(m_self.messagesOut)}});
}

void ClusterControl::checkHeartbeats()
{
    if (m_others.isEmpty() || !m_commands.isConnected()) {
        emitTable();
        return;
    }
    // A node whose heartbeat is gone (stopped, or silent for --node-timeout-ms) leaves the
    // table; the heartbeat's value names the node as it is now.
    const QList<QUuid> nodes = m_others.keys();
    QList<QByteArray> mget{"MGET"};
    for (const QUuid &node : nodes)
        mget.append(m_presence.heartbeatKey(node));
    m_commands.command(mget, [this, nodes](const RedisReply &reply) {
        if (m_stopped)
            return;
        if (reply.ok() && reply.type == RedisReply::Type::Array &&
            reply.elements.size() == nodes.size()) {
            for (qsizetype i = 0; i < nodes.size(); ++i) {
                const RedisReply &value = reply.elements.at(i);
                if (value.type == RedisReply::Type::Nil) {
                    m_others.remove(nodes.at(i));
                    continue;
                }
                const QJsonObject beat = QJsonDocument::fromJson(value.text).object();
                auto it = m_others.find(nodes.at(i));
                if (it == m_others.end() || beat.isEmpty())
                    continue;
                it->name = beat.value(QLatin1String("name")).toString(it->name);
                it->address = beat.value(QLatin1String("addr")).toString(it->address);
                if (const QDateTime started = isoTime(beat.value(QLatin1String("started")));
                    started.isValid())
                    it->startedAt = started;
            }
        }
        emitTable();
    });
}

void ClusterControl::emitTable()
{
    QList<NodeRow> others = m_others.values();
    std::sort(others.begin(), others.end(), [](const NodeRow &a, const NodeRow &b) {
        return a.name != b.name ? a.name < b.name : a.id < b.id;
    });
    others.prepend(m_self);
    m_local.nodesChanged(others);
}

QList<SocketRow> ClusterControl::remoteSockets()
{
    std::lock_guard lock(m_listingLock);
    if (!m_listing && nowMs() - m_listedAtMs >= ListingAgeMs) {
        m_listing = true;
        m_mailbox->post([this] { listRemote(); });
    }
    return m_listed;
}

void ClusterControl::listRemote()
{
    struct Gathering
    {
        int remaining = 0;
        QList<SocketRow> rows;
    };
    const auto finish = [this](QList<SocketRow> rows) {
        std::lock_guard lock(m_listingLock);
        m_listed = std::move(rows);
        m_listedAtMs = nowMs();
        m_listing = false;
    };
    if (m_stopped || m_others.isEmpty()) {
        finish({});
        return;
    }
    // Answers come on this thread (ClusterInbox), one per node, or none after the wait.
    auto gathering = std::make_shared<Gathering>();
    gathering->remaining = int(m_others.size());
    for (auto it = m_others.cbegin(); it != m_others.cend(); ++it) {
        const QString name = it->name;
        const QString id = it->id;
        m_inbox.ask(
            it.key(), QStringLiteral("socks"), {{QStringLiteral("limit"), MaxListedSockets}},
            AnswerWaitMs, [gathering, finish, name, id](const std::optional<QJsonObject> &answer) {
                if (answer) {
                    for (const QJsonValue &value : answer->value(QLatin1String("rows")).toArray()) {
                        SocketRow row = socketFromJson(value.toObject());
                        row.node = name;
                        row.nodeId = id;
                        gathering->rows.append(std::move(row));
                    }
                }
                if (--gathering->remaining == 0)
                    finish(std::move(gathering->rows));
            });
    }
}

void ClusterControl::answerListing(const QJsonObject &request,
                                   const std::function<void(const QJsonObject &)> &answer)
{
    const int limit =
        m_started && !m_stopped
            ? std::clamp(request.value(QLatin1String("limit")).toInt(MaxListedSockets), 0,
                         MaxListedSockets)
            : 0;
    if (limit == 0) {
        answer({{QStringLiteral("rows"), QJsonArray()}});
        return;
    }
    m_local.listSockets(limit, [answer, limit](const QList<SocketRow> &rows) {
        QJsonArray listed;
        for (qsizetype i = 0; i < rows.size() && i < limit; ++i)
            listed.append(toJson(rows.at(i)));
        answer({{QStringLiteral("rows"), listed}});
    });
}

QJsonObject ClusterControl::toJson(const SocketRow &row)
{
    return {{QStringLiteral("id"), QString::number(row.id)},
            {QStringLiteral("peer"), row.peer},
            {QStringLiteral("user"), row.user},
            {QStringLiteral("client"), row.clientKind},
            {QStringLiteral("transport"), row.transport},
            {QStringLiteral("vsn"), row.vsn},
            {QStringLiteral("at"), isoText(row.connectedAt)},
            {QStringLiteral("topics"), QJsonArray::fromStringList(row.topics)},
            {QStringLiteral("in"), double(row.messagesIn)},
            {QStringLiteral("out"), double(row.messagesOut)},
            {QStringLiteral("bin"), double(row.bytesIn)},
            {QStringLiteral("bout"), double(row.bytesOut)},
            {QStringLiteral("hb"), isoText(row.lastHeartbeat)},
            {QStringLiteral("queued"), double(row.queuedBytes)}};
}

SocketRow ClusterControl::socketFromJson(const QJsonObject &o)
{
    SocketRow row;
    row.id = o.value(QLatin1String("id")).toString().toULongLong();
    row.peer = o.value(QLatin1String("peer")).toString();
    row.user = o.value(QLatin1String("user")).toString();
    row.clientKind = o.value(QLatin1String("client")).toString();
    row.transport = o.value(QLatin1String("transport")).toString();
    row.vsn = o.value(QLatin1String("vsn")).toString();
    row.connectedAt = isoTime(o.value(QLatin1String("at")));
    for (const QJsonValue &topic : o.value(QLatin1String("topics")).toArray())
        row.topics.append(topic.toString());
    row.messagesIn = qint64(o.value(QLatin1String("in")).toDouble());
    row.messagesOut = qint64(o.value(QLatin1String("out")).toDouble());
    row.bytesIn = qint64(o.value(QLatin1String("bin")).toDouble());
    row.bytesOut = qint64(o.value(QLatin1String("bout")).toDouble());
    row.lastHeartbeat = isoTime(o.value(QLatin1String("hb")));
    row.queuedBytes = qint64(o.value(QLatin1String("queued")).toDouble());
    return row;
}

} // namespace chatter::server
