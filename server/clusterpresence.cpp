// SPDX-License-Identifier: MIT
#include "clusterpresence.h"

#include "broadcast.h"
#include "clusterenvelope.h"
#include "events.h"
#include "logging.h"
#include "presencediffbuffer.h"
#include "pubsub.h"
#include "redisconnection.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace chatter::server {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

//! The metas of one side of a presence_diff payload: (key, meta) pairs.
QList<std::pair<QString, QJsonObject>> metasOf(const QJsonObject &side)
{
    QList<std::pair<QString, QJsonObject>> metas;
    for (auto it = side.begin(); it != side.end(); ++it) {
        for (const QJsonValue &meta : it.value().toObject().value(QLatin1String("metas")).toArray())
            metas.append({it.key(), meta.toObject()});
    }
    return metas;
}

} // namespace

ClusterPresence::ClusterPresence(PresenceTracker &tracker, PubSub &pubsub,
                                 RedisConnection &commands, QByteArray clusterId, QUuid node,
                                 int nodeTimeoutMs, QObject *parent)
    : QObject(parent), m_tracker(tracker), m_pubsub(pubsub), m_commands(commands),
      m_prefix(QByteArrayLiteral("chatter:") + clusterId + ':'), m_node(node),
      m_timeoutMs(nodeTimeoutMs)
{
    // Children, so that they move to the cluster thread with this object.
    m_heartbeatTimer.setParent(this);
    m_checkTimer.setParent(this);
    m_heartbeatTimer.setInterval(std::max(100, m_timeoutMs / 3));
    m_checkTimer.setInterval(std::min(1000, std::max(100, m_timeoutMs / 3)));
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &ClusterPresence::heartbeat);
    connect(&m_checkTimer, &QTimer::timeout, this, &ClusterPresence::checkNodes);
    connect(&m_commands, &RedisConnection::connected, this, &ClusterPresence::republish);
}

ClusterPresence::~ClusterPresence() = default;

QByteArray ClusterPresence::nodeText(const QUuid &node) const
{
    return node.toByteArray(QUuid::WithoutBraces);
}

QByteArray ClusterPresence::heartbeatKey(const QUuid &node) const
{
    return m_prefix + "node:" + nodeText(node);
}

QByteArray ClusterPresence::hashKey(const QString &topic) const
{
    return m_prefix + "p:" + topic.toUtf8();
}

void ClusterPresence::start()
{
    m_lastAnswerMs = nowMs();
    heartbeat();
    m_heartbeatTimer.start();
    m_checkTimer.start();
}

void ClusterPresence::stop(std::function<void()> done)
{
    m_heartbeatTimer.stop();
    m_checkTimer.stop();
    const bool wasRunning = !m_stopped;
    m_stopped = true;
    if (!wasRunning || !m_commands.isConnected()) {
        done();
        return;
    }
    // The others see the key gone at their next look (a second), not after the timeout.
    m_commands.command({"DEL", heartbeatKey(m_node)},
                       [done = std::move(done)](const RedisReply &) { done(); });
}

void ClusterPresence::setIdentity(const QJsonObject &identity)
{
    m_identity = identity;
    heartbeat();
}

void ClusterPresence::heartbeat()
{
    if (m_stopped)
        return;
    QJsonObject value = m_identity;
    value.insert(QStringLiteral("at"), double(QDateTime::currentMSecsSinceEpoch()));
    m_commands.command(
        {"SET", heartbeatKey(m_node), compact(value), "PX", QByteArray::number(m_timeoutMs)});
}

void ClusterPresence::checkNodes()
{
    if (m_stopped)
        return;
    const QList<QUuid> nodes = m_tracker.remoteNodes();
    if (!m_commands.isConnected() || nodes.isEmpty()) {
        if (nodes.isEmpty())
            m_lastAnswerMs = nowMs();
        else if (nowMs() - m_lastAnswerMs > m_timeoutMs) {
            qCWarning(lcCluster) << "no answer from Redis for" << m_timeoutMs
                                 << "ms: other nodes' presence is dropped here";
            for (const QUuid &node : nodes)
                nodeGone(node);
        }
        return;
    }
    QList<QByteArray> mget{"MGET"};
    for (const QUuid &node : nodes)
        mget.append(heartbeatKey(node));
    m_commands.command(mget, [this, nodes](const RedisReply &reply) {
        if (m_stopped)
            return;
        if (!reply.ok() || reply.type != RedisReply::Type::Array ||
            reply.elements.size() != nodes.size())
            return; // the next look, or the timeout above, decides
        m_lastAnswerMs = nowMs();
        for (qsizetype i = 0; i < nodes.size(); ++i) {
            if (reply.elements.at(i).type == RedisReply::Type::Nil) {
                nodeGone(nodes.at(i));
                reap(nodes.at(i));
            }
        }
    });
}

void ClusterPresence::nodeGone(const QUuid &node)
{
    const auto leaves = m_tracker.removeNode(node);
    if (leaves.isEmpty())
        return;
    qCInfo(lcCluster).noquote() << "node" << nodeText(node) << "is gone: its presence leaves"
                                << leaves.size() << "topics";
    for (auto it = leaves.cbegin(); it != leaves.cend(); ++it)
        deliver(it.key(), it.value());
}

void ClusterPresence::reap(const QUuid &node)
{
    // One survivor deletes the dead node's fields, so later snapshots need not skip them.
    const QByteArray topicsKey = m_prefix + "pt:" + nodeText(node);
    m_commands.command(
        {"SET", m_prefix + "reap:" + nodeText(node), nodeText(m_node), "NX", "PX", "60000"},
        [this, node, topicsKey](const RedisReply &won) {
            if (won.type != RedisReply::Type::Status)
                return;
            m_commands.command(
                {"SMEMBERS", topicsKey}, [this, node, topicsKey](const RedisReply &topics) {
                    if (topics.type != RedisReply::Type::Array)
                        return;
                    const QByteArray prefix = nodeText(node) + '/';
                    for (const RedisReply &topic : topics.elements) {
                        const QByteArray key = m_prefix + "p:" + topic.text;
                        m_commands.command({"HKEYS", key},
                                           [this, key, prefix](const RedisReply &fields) {
                                               QList<QByteArray> hdel{"HDEL", key};
                                               for (const RedisReply &field : fields.elements) {
                                                   if (field.text.startsWith(prefix))
                                                       hdel.append(field.text);
                                               }
                                               if (hdel.size() > 2)
                                                   m_commands.command(hdel);
                                           });
                    }
                    m_commands.command({"DEL", topicsKey});
                });
        });
}

bool ClusterPresence::publishOwn(const QString &topic, const QJsonObject &payload,
                                 const QByteArray &channel, const QByteArray &envelope)
{
    if (m_stopped || !m_commands.isConnected())
        return false;
    const QByteArray hash = hashKey(topic);
    const QByteArray prefix = nodeText(m_node) + '/';
    m_commands.command({"MULTI"});
    // Leaves first: an update's old meta goes before its new one comes.
    QList<QByteArray> hdel{"HDEL", hash};
    for (const auto &[key, meta] : metasOf(payload.value(QLatin1String("leaves")).toObject()))
        hdel.append(prefix + meta.value(presence::PhxRef).toString().toLatin1());
    if (hdel.size() > 2)
        m_commands.command(hdel);
    QList<QByteArray> hset{"HSET", hash};
    for (const auto &[key, meta] : metasOf(payload.value(QLatin1String("joins")).toObject())) {
        hset.append(prefix + meta.value(presence::PhxRef).toString().toLatin1());
        hset.append(compact({{QStringLiteral("key"), key}, {QStringLiteral("meta"), meta}}));
    }
    if (hset.size() > 2) {
        m_commands.command(hset);
        m_commands.command({"SADD", m_prefix + "pt:" + nodeText(m_node), topic.toUtf8()});
    }
    m_commands.command({"PUBLISH", channel, envelope});
    m_commands.command({"EXEC"});
    return true;
}

void ClusterPresence::apply(const QString &topic, const QUuid &node, const QJsonObject &payload)
{
    for (const auto &[key, object] : metasOf(payload.value(QLatin1String("leaves")).toObject()))
        m_tracker.untrackRemote(topic, key,
                                PresenceRef::fromString(object.value(presence::PhxRef).toString()));
    for (const auto &[key, object] : metasOf(payload.value(QLatin1String("joins")).toObject())) {
        if (const auto meta = PresenceMeta::fromJson(object))
            m_tracker.trackRemote(topic, key, node, *meta);
    }
}

void ClusterPresence::receive(const QString &topic, const QUuid &node,
                              const std::shared_ptr<const Broadcast> &diff)
{
    if (m_stopped)
        return;
    if (auto it = m_pending.find(topic); it != m_pending.end()) {
        it->diffs.emplace_back(node, diff);
        return;
    }
    apply(topic, node, diff->message().payload.toObject());
    m_pubsub.publish(diff, nullptr);
}

void ClusterPresence::snapshot(const QString &topic, std::function<void()> done)
{
    if (m_stopped || !m_commands.isConnected()) {
        done();
        return;
    }
    m_pending.insert(topic, Pending{});
    m_commands.command({"HGETALL", hashKey(topic)}, [this, topic, done](const RedisReply &reply) {
        QList<PresenceTracker::RemoteEntry> entries;
        QSet<QUuid> nodes;
        if (reply.type == RedisReply::Type::Array) {
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
                const QByteArray &field = reply.elements.at(i).text;
                const qsizetype slash = field.indexOf('/');
                const QUuid node = QUuid::fromString(QLatin1StringView(field.left(slash)));
                if (slash < 0 || node.isNull() || node == m_node)
                    continue;
                const QJsonObject value =
                    QJsonDocument::fromJson(reply.elements.at(i + 1).text).object();
                const auto meta =
                    PresenceMeta::fromJson(value.value(QLatin1String("meta")).toObject());
                const QString key = value.value(QLatin1String("key")).toString();
                if (!meta || key.isEmpty())
                    continue;
                entries.append({node, key, *meta});
                nodes.insert(node);
            }
        }
        if (nodes.isEmpty()) {
            finishSnapshot(topic, entries, done);
            return;
        }
        // Fields of nodes without a heartbeat are a dead node's that nobody reaped yet.
        const QList<QUuid> list(nodes.cbegin(), nodes.cend());
        QList<QByteArray> mget{"MGET"};
        for (const QUuid &node : list)
            mget.append(heartbeatKey(node));
        m_commands.command(mget, [this, topic, entries, list, done](const RedisReply &alive) {
            QList<PresenceTracker::RemoteEntry> living;
            for (const auto &entry : entries) {
                const qsizetype i = list.indexOf(entry.node);
                if (alive.type == RedisReply::Type::Array && i < alive.elements.size() &&
                    alive.elements.at(i).type != RedisReply::Type::Nil)
                    living.append(entry);
            }
            finishSnapshot(topic, living, done);
        });
    });
}

void ClusterPresence::finishSnapshot(const QString &topic,
                                     const QList<PresenceTracker::RemoteEntry> &entries,
                                     const std::function<void()> &done)
{
    const Pending pending = m_pending.take(topic);
    if (!m_stopped) {
        deliver(topic, m_tracker.syncRemote(topic, entries));
        for (const auto &[node, diff] : pending.diffs) {
            apply(topic, node, diff->message().payload.toObject());
            m_pubsub.publish(diff, nullptr);
        }
    }
    done();
}

void ClusterPresence::dropped(const QString &topic)
{
    m_pending.remove(topic);
    m_tracker.dropRemote(topic);
}

void ClusterPresence::deliver(const QString &topic, const QList<PresenceDiff> &diffs)
{
    if (diffs.isEmpty())
        return;
    PresenceDiffBuffer buffer;
    for (const PresenceDiff &diff : diffs)
        buffer.add(topic, diff);
    m_pubsub.publish(Broadcast::create(Message::broadcastJson(topic, QString(events::PresenceDiff),
                                                              buffer.take(topic))),
                     nullptr);
}

void ClusterPresence::republish()
{
    if (m_stopped)
        return;
    // Redis may be a new, empty one: the heartbeat, the hashes and the others' copies again.
    heartbeat();
    const auto metas = m_tracker.localMetas();
    for (auto it = metas.cbegin(); it != metas.cend(); ++it) {
        const QByteArray hash = hashKey(it.key());
        const QByteArray prefix = nodeText(m_node) + '/';
        QList<QByteArray> hset{"HSET", hash};
        PresenceDiffBuffer joins;
        for (const auto &[key, meta] : it.value()) {
            hset.append(prefix + meta.ref.toString().toLatin1());
            hset.append(
                compact({{QStringLiteral("key"), key}, {QStringLiteral("meta"), meta.toJson()}}));
            joins.add(it.key(), PresenceDiff::join(key, meta));
        }
        m_commands.command(hset);
        m_commands.command({"SADD", m_prefix + "pt:" + nodeText(m_node), it.key().toUtf8()});
        // As joins: a node that dropped these metas takes them again, one that kept them
        // changes nothing (phx_ref is already there), and so do phoenix.js clients.
        const auto broadcast = Broadcast::create(
            Message::broadcastJson(it.key(), QString(events::PresenceDiff), joins.take(it.key())));
        const auto envelope =
            ClusterEnvelope::fromBroadcast(ClusterEnvelope::Type::PresenceDiff, m_node, *broadcast);
        if (envelope)
            m_commands.command(
                {"PUBLISH", m_prefix + "t:" + it.key().toUtf8(), envelope->encode()});
    }
}

} // namespace chatter::server
