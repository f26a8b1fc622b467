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
    Topic &entry = m_topics[topic];
    entry.keys[key].append(Entry{owner, meta});
    restate(entry, key);
    return meta;
}

void PresenceTracker::restate(Topic &topic, const QString &key)
{
    const auto it = topic.keys.constFind(key);
    if (it == topic.keys.cend()) {
        topic.state.remove(key);
        return;
    }
    QJsonArray metas;
    for (const Entry &entry : it.value())
        metas.append(entry.meta);
    topic.state.insert(key, QJsonObject{{QStringLiteral("metas"), metas}});
}

QList<PresenceTracker::Entry> *PresenceTracker::entriesOf(const QString &topic, const QString &key)
{
    auto topicIt = m_topics.find(topic);
    if (topicIt == m_topics.end())
        return nullptr;
    auto keyIt = topicIt->keys.find(key);
    return keyIt == topicIt->keys.end() ? nullptr : &*keyIt;
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
        restate(m_topics[topic], key);
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
        Topic &entry = m_topics[topic];
        if (entries->isEmpty())
            entry.keys.remove(key);
        if (entry.keys.isEmpty())
            m_topics.remove(topic);
        else
            restate(entry, key);
        return meta;
    }
    return std::nullopt;
}

QJsonObject PresenceTracker::list(const QString &topic) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_topics.constFind(topic);
    return it == m_topics.cend() ? QJsonObject() : it->state;
}

int PresenceTracker::keyCount(const QString &topic) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_topics.constFind(topic);
    return it == m_topics.cend() ? 0 : int(it->keys.size());
}

} // namespace chatter::server
