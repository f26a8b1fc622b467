// SPDX-License-Identifier: MIT
#include "presencetracker.h"

#include "events.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <utility>

namespace chatter::server {
namespace {

//! Rooms with this many members keep their presence state between joins.
constexpr qsizetype KeepStateFrom = 64;

} // namespace

PresenceMeta PresenceTracker::track(const QString &topic, const QString &key, quint64 owner,
                                    PresenceMeta meta)
{
    meta.ref = PresenceRef::generate();
    std::scoped_lock locker(m_mutex);
    Topic &entry = m_topics[topic];
    entry.keys[key].append(Entry{owner, meta});
    ++m_version;
    restate(entry, key);
    return meta;
}

QJsonObject PresenceTracker::metasOf(const Entries &entries)
{
    QJsonArray metas;
    for (const Entry &entry : entries)
        metas.append(entry.meta.toJson());
    return {{QStringLiteral("metas"), metas}};
}

void PresenceTracker::restate(Topic &topic, const QString &key)
{
    if (!topic.stateKept)
        return;
    if (topic.keys.size() < size_t(KeepStateFrom / 2)) {
        topic.state = {}; // small again: building on demand is cheap, keeping it is not
        topic.stateKept = false;
        return;
    }
    const auto it = topic.keys.find(key);
    if (it == topic.keys.end())
        topic.state.remove(key);
    else
        topic.state.insert(key, metasOf(it->second));
}

PresenceTracker::Entries *PresenceTracker::entriesOf(const QString &topic, const QString &key)
{
    auto topicIt = m_topics.find(topic);
    if (topicIt == m_topics.end())
        return nullptr;
    auto keyIt = topicIt->keys.find(key);
    return keyIt == topicIt->keys.end() ? nullptr : &keyIt->second;
}

std::optional<PresenceDiff> PresenceTracker::update(const QString &topic, const QString &key,
                                                    quint64 owner, PresenceMeta meta)
{
    std::scoped_lock locker(m_mutex);
    Entries *entries = entriesOf(topic, key);
    if (!entries)
        return std::nullopt;
    for (Entry &entry : *entries) {
        if (entry.owner != owner)
            continue;
        const PresenceMeta old = entry.meta;
        meta.refPrev = old.ref;
        meta.ref = PresenceRef::generate();
        entry.meta = meta;
        restate(m_topics[topic], key);
        return PresenceDiff{key, meta, old};
    }
    return std::nullopt;
}

std::optional<PresenceMeta> PresenceTracker::untrack(const QString &topic, const QString &key,
                                                     quint64 owner)
{
    std::scoped_lock locker(m_mutex);
    const auto topicIt = m_topics.find(topic);
    if (topicIt == m_topics.end())
        return std::nullopt;
    Topic &entry = *topicIt;
    const auto keyIt = entry.keys.find(key);
    if (keyIt == entry.keys.end())
        return std::nullopt;
    Entries &entries = keyIt->second;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (entries.at(i).owner != owner)
            continue;
        PresenceMeta meta = entries.at(i).meta;
        entries.remove(i);
        ++m_version;
        if (entries.isEmpty())
            entry.keys.erase(keyIt);
        if (entry.keys.empty())
            m_topics.erase(topicIt);
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
    // The map is in key order: each insert appends instead of moving the ones after it.
    QJsonObject state;
    for (const auto &[key, entries] : it->keys)
        state.insert(key, metasOf(entries));
    if (it->keys.size() >= size_t(KeepStateFrom)) {
        it->state = state;
        it->stateKept = true;
    }
    return state;
}

QByteArray PresenceTracker::listJson(const QString &topic)
{
    std::scoped_lock locker(m_mutex);
    const auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return QByteArrayLiteral("{}");
    if (it->stateKept)
        return QJsonDocument(it->state).toJson(QJsonDocument::Compact);
    QByteArray out;
    out.reserve(qsizetype(it->keys.size()) * 160 + 2);
    out.append('{');
    bool first = true;
    // Key order as QJsonObject keeps it (the map is in key order).
    for (const auto &[key, entries] : it->keys) {
        if (!std::exchange(first, false))
            out.append(',');
        jsontext::appendString(out, key);
        out.append(":{\"metas\":[");
        bool firstMeta = true;
        for (const Entry &entry : entries) {
            if (!std::exchange(firstMeta, false))
                out.append(',');
            entry.meta.appendJson(out);
        }
        out.append("]}");
    }
    out.append('}');
    return out;
}

PresenceTracker::MemberCount PresenceTracker::memberCount(const QString &topic) const
{
    std::scoped_lock locker(m_mutex);
    const auto it = m_topics.constFind(topic);
    return {it == m_topics.cend() ? 0 : int(it->keys.size()), m_version};
}

} // namespace chatter::server
