// SPDX-License-Identifier: MIT
#include "presencetracker.h"

#include "events.h"

#include <QJsonArray>
#include <QRandomGenerator>

namespace chatter::server {
namespace {

//! Rooms with this many members keep their presence state between joins.
constexpr qsizetype KeepStateFrom = 64;

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
    meta.insert(presence::PhxRef, newRef());
    std::scoped_lock locker(m_mutex);
    Topic &entry = m_topics[topic];
    entry.keys[key].append(Entry{owner, meta});
    ++m_version;
    restate(entry, key);
    return meta;
}

QJsonObject PresenceTracker::metasOf(const QList<Entry> &entries)
{
    QJsonArray metas;
    for (const Entry &entry : entries)
        metas.append(entry.meta);
    return {{QStringLiteral("metas"), metas}};
}

void PresenceTracker::restate(Topic &topic, const QString &key)
{
    if (!topic.stateKept)
        return;
    if (topic.keys.size() < KeepStateFrom / 2) {
        topic.state = {}; // small again: building on demand is cheap, keeping it is not
        topic.stateKept = false;
        return;
    }
    const auto it = topic.keys.constFind(key);
    if (it == topic.keys.cend())
        topic.state.remove(key);
    else
        topic.state.insert(key, metasOf(it.value()));
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
    std::scoped_lock locker(m_mutex);
    QList<Entry> *entries = entriesOf(topic, key);
    if (!entries)
        return std::nullopt;
    for (Entry &entry : *entries) {
        if (entry.owner != owner)
            continue;
        const QJsonObject old = entry.meta;
        meta.insert(presence::PhxRefPrev, old.value(presence::PhxRef));
        meta.insert(presence::PhxRef, newRef());
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
    std::scoped_lock locker(m_mutex);
    QList<Entry> *entries = entriesOf(topic, key);
    if (!entries)
        return std::nullopt;
    for (qsizetype i = 0; i < entries->size(); ++i) {
        if (entries->at(i).owner != owner)
            continue;
        const QJsonObject meta = entries->takeAt(i).meta;
        ++m_version;
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

QJsonObject PresenceTracker::list(const QString &topic)
{
    std::scoped_lock locker(m_mutex);
    const auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return {};
    if (it->stateKept)
        return it->state;
    // Keys in order: each insert then appends instead of moving the ones after it.
    QStringList keys = it->keys.keys();
    keys.sort();
    QJsonObject state;
    for (const QString &key : std::as_const(keys))
        state.insert(key, metasOf(it->keys.value(key)));
    if (keys.size() >= KeepStateFrom) {
        it->state = state;
        it->stateKept = true;
    }
    return state;
}

PresenceTracker::MemberCount PresenceTracker::memberCount(const QString &topic) const
{
    std::scoped_lock locker(m_mutex);
    const auto it = m_topics.constFind(topic);
    return {it == m_topics.cend() ? 0 : int(it->keys.size()), m_version};
}

} // namespace chatter::server
