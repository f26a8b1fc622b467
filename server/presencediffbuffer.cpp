// SPDX-License-Identifier: MIT
#include "presencediffbuffer.h"

#include <map>

namespace chatter::server {
namespace {

const QString Metas = QStringLiteral("metas");

void appendMetas(QList<std::pair<QString, QJsonValue>> &into, const QJsonObject &presences)
{
    for (auto it = presences.constBegin(); it != presences.constEnd(); ++it) {
        for (const QJsonValue &meta : it.value().toObject().value(Metas).toArray())
            into.append({it.key(), meta});
    }
}

QJsonObject presencesFrom(const QList<std::pair<QString, QJsonValue>> &metas)
{
    // Grouped by key here, once per flush; a key's metas keep the order they came in.
    std::map<QString, QJsonArray> byKey;
    for (const auto &[key, meta] : metas)
        byKey[key].append(meta);
    QJsonObject presences;
    for (const auto &[key, keyMetas] : byKey)
        presences.insert(key, QJsonObject{{Metas, keyMetas}});
    return presences;
}

} // namespace

void PresenceDiffBuffer::add(const QString &topic, const QJsonObject &diff)
{
    auto it = m_topics.find(topic);
    if (it == m_topics.end()) {
        it = m_topics.insert(topic, {});
        m_order.append(topic);
    }
    appendMetas(it->joins, diff.value(QLatin1String("joins")).toObject());
    appendMetas(it->leaves, diff.value(QLatin1String("leaves")).toObject());
}

QJsonObject PresenceDiffBuffer::merged(const Pending &pending)
{
    return {{QStringLiteral("joins"), presencesFrom(pending.joins)},
            {QStringLiteral("leaves"), presencesFrom(pending.leaves)}};
}

QList<PresenceDiffBuffer::TopicDiff> PresenceDiffBuffer::take()
{
    QList<TopicDiff> diffs;
    diffs.reserve(m_order.size());
    for (const QString &topic : std::as_const(m_order))
        diffs.append({topic, merged(m_topics[topic])});
    m_topics.clear();
    m_order.clear();
    return diffs;
}

QJsonObject PresenceDiffBuffer::take(const QString &topic)
{
    const auto it = m_topics.constFind(topic);
    if (it == m_topics.cend())
        return {};
    const QJsonObject diff = merged(*it);
    m_topics.erase(it);
    m_order.removeOne(topic);
    return diff;
}

} // namespace chatter::server
