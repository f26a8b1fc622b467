// SPDX-License-Identifier: MIT
#include "presencediffbuffer.h"

namespace chatter::server {
namespace {

const QString Metas = QStringLiteral("metas");

void appendMetas(QHash<QString, QJsonArray> &into, const QJsonObject &presences)
{
    for (auto it = presences.constBegin(); it != presences.constEnd(); ++it) {
        QJsonArray &metas = into[it.key()];
        for (const QJsonValue &meta : it.value().toObject().value(Metas).toArray())
            metas.append(meta);
    }
}

QJsonObject presencesFrom(const QHash<QString, QJsonArray> &metasByKey)
{
    QJsonObject presences;
    for (auto it = metasByKey.constBegin(); it != metasByKey.constEnd(); ++it)
        presences.insert(it.key(), QJsonObject{{Metas, it.value()}});
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
