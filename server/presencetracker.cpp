// SPDX-License-Identifier: MIT
#include "presencetracker.h"

#include <QJsonArray>
#include <QRandomGenerator>

namespace chatter::server {
namespace {

const QString PhxRef = QStringLiteral("phx_ref");

QJsonObject wrap(const QString &key, const QJsonObject &meta)
{
    return key.isEmpty()
               ? QJsonObject()
               : QJsonObject{{key, QJsonObject{{QStringLiteral("metas"), QJsonArray{meta}}}}};
}

} // namespace

QString PresenceTracker::newRef()
{
    // Opaque to clients; 12 random bytes make 16 URL-safe characters, like Phoenix's refs.
    QByteArray bytes(12, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 3);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QJsonObject PresenceTracker::joinDiff(const QString &key, const QJsonObject &meta)
{
    return {{QStringLiteral("joins"), wrap(key, meta)}, {QStringLiteral("leaves"), QJsonObject()}};
}

QJsonObject PresenceTracker::leaveDiff(const QString &key, const QJsonObject &meta)
{
    return {{QStringLiteral("joins"), QJsonObject()}, {QStringLiteral("leaves"), wrap(key, meta)}};
}

QJsonObject PresenceTracker::track(const QString &topic, const QString &key, quint64 owner,
                                   QJsonObject meta)
{
    meta.insert(PhxRef, newRef());
    QMutexLocker locker(&m_mutex);
    m_topics[topic][key].append(Entry{owner, meta});
    return meta;
}

QList<PresenceTracker::Entry> *PresenceTracker::entriesOf(const QString &topic, const QString &key)
{
    auto topicIt = m_topics.find(topic);
    if (topicIt == m_topics.end())
        return nullptr;
    auto keyIt = topicIt->find(key);
    return keyIt == topicIt->end() ? nullptr : &*keyIt;
}

std::optional<QJsonObject> PresenceTracker::update(const QString &topic, const QString &key,
                                                   quint64 owner, QJsonObject meta)
{
    QMutexLocker locker(&m_mutex);
    QList<Entry> *entries = entriesOf(topic, key);
    if (!entries)
        return std::nullopt;
    for (Entry &entry : *entries) {
        if (entry.owner != owner)
            continue;
        const QJsonObject old = entry.meta;
        meta.insert(QStringLiteral("phx_ref_prev"), old.value(PhxRef));
        meta.insert(PhxRef, newRef());
        entry.meta = meta;
        return QJsonObject{{QStringLiteral("joins"), wrap(key, meta)},
                           {QStringLiteral("leaves"), wrap(key, old)}};
    }
    return std::nullopt;
}

std::optional<QJsonObject> PresenceTracker::untrack(const QString &topic, const QString &key,
                                                    quint64 owner)
{
    QMutexLocker locker(&m_mutex);
    QList<Entry> *entries = entriesOf(topic, key);
    if (!entries)
        return std::nullopt;
    for (qsizetype i = 0; i < entries->size(); ++i) {
        if (entries->at(i).owner != owner)
            continue;
        const QJsonObject meta = entries->takeAt(i).meta;
        if (entries->isEmpty()) {
            auto &keys = m_topics[topic];
            keys.remove(key);
            if (keys.isEmpty())
                m_topics.remove(topic);
        }
        return meta;
    }
    return std::nullopt;
}

QJsonObject PresenceTracker::list(const QString &topic) const
{
    QMutexLocker locker(&m_mutex);
    QJsonObject state;
    const auto topicIt = m_topics.constFind(topic);
    if (topicIt == m_topics.cend())
        return state;
    for (auto it = topicIt->cbegin(); it != topicIt->cend(); ++it) {
        QJsonArray metas;
        for (const Entry &entry : it.value())
            metas.append(entry.meta);
        state.insert(it.key(), QJsonObject{{QStringLiteral("metas"), metas}});
    }
    return state;
}

int PresenceTracker::keyCount(const QString &topic) const
{
    QMutexLocker locker(&m_mutex);
    return int(m_topics.value(topic).size());
}

} // namespace chatter::server
