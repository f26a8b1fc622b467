// SPDX-License-Identifier: MIT
#include "presencetracker.h"

#include "events.h"
#include "jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
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
    return removeFirst(topic, key, [owner](const Entry &e) { return e.owner == owner; });
}

std::optional<PresenceMeta>
PresenceTracker::removeFirst(const QString &topic, const QString &key,
                             const std::function<bool(const Entry &)> &matches)
{
    const auto topicIt = m_topics.find(topic);
    if (topicIt == m_topics.end())
        return std::nullopt;
    Topic &entry = *topicIt;
    const auto keyIt = entry.keys.find(key);
    if (keyIt == entry.keys.end())
        return std::nullopt;
    Entries &entries = keyIt->second;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (!matches(entries.at(i)))
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

bool PresenceTracker::trackRemote(const QString &topic, const QString &key, const QUuid &node,
                                  const PresenceMeta &meta)
{
    std::scoped_lock locker(m_mutex);
    Topic &entry = m_topics[topic];
    Entries &entries = entry.keys[key];
    for (const Entry &existing : entries) {
        if (existing.meta.ref == meta.ref)
            return false;
    }
    entries.append(Entry{RemoteOwner, meta});
    m_remote[node].push_back({topic, key, meta.ref});
    ++m_version;
    restate(entry, key);
    return true;
}

std::optional<PresenceMeta> PresenceTracker::removeRemote(const QString &topic, const QString &key,
                                                          const PresenceRef &ref)
{
    return removeFirst(
        topic, key, [&ref](const Entry &e) { return e.owner == RemoteOwner && e.meta.ref == ref; });
}

std::optional<PresenceMeta> PresenceTracker::untrackRemote(const QString &topic, const QString &key,
                                                           const PresenceRef &ref)
{
    std::scoped_lock locker(m_mutex);
    auto meta = removeRemote(topic, key, ref);
    if (!meta)
        return std::nullopt;
    for (auto node = m_remote.begin(); node != m_remote.end(); ++node) {
        auto &refs = node.value();
        const auto it = std::find_if(refs.begin(), refs.end(), [&](const RemoteRef &r) {
            return r.ref == ref && r.topic == topic && r.key == key;
        });
        if (it == refs.end())
            continue;
        refs.erase(it);
        if (refs.empty())
            m_remote.erase(node);
        break;
    }
    return meta;
}

QHash<QString, QList<PresenceDiff>> PresenceTracker::removeNode(const QUuid &node)
{
    std::scoped_lock locker(m_mutex);
    QHash<QString, QList<PresenceDiff>> leaves;
    for (const RemoteRef &r : m_remote.take(node)) {
        if (auto meta = removeRemote(r.topic, r.key, r.ref))
            leaves[r.topic].append(PresenceDiff::leave(r.key, *meta));
    }
    return leaves;
}

QList<QUuid> PresenceTracker::remoteNodes() const
{
    std::scoped_lock locker(m_mutex);
    return m_remote.keys();
}

QList<PresenceDiff> PresenceTracker::syncRemote(const QString &topic,
                                                const QList<RemoteEntry> &entries)
{
    QList<PresenceDiff> diffs;
    // What is here but not in the snapshot left while this node was not listening.
    QList<std::pair<QString, PresenceRef>> gone;
    {
        std::scoped_lock locker(m_mutex);
        for (const auto &refs : std::as_const(m_remote)) {
            for (const RemoteRef &r : refs) {
                if (r.topic != topic)
                    continue;
                const bool kept =
                    std::any_of(entries.cbegin(), entries.cend(), [&](const RemoteEntry &e) {
                        return e.key == r.key && e.meta.ref == r.ref;
                    });
                if (!kept)
                    gone.append({r.key, r.ref});
            }
        }
    }
    for (const auto &[key, ref] : gone) {
        if (auto meta = untrackRemote(topic, key, ref))
            diffs.append(PresenceDiff::leave(key, *meta));
    }
    for (const RemoteEntry &e : entries) {
        if (trackRemote(topic, e.key, e.node, e.meta))
            diffs.append(PresenceDiff::join(e.key, e.meta));
    }
    return diffs;
}

void PresenceTracker::dropRemote(const QString &topic)
{
    std::scoped_lock locker(m_mutex);
    for (auto node = m_remote.begin(); node != m_remote.end();) {
        auto &refs = node.value();
        for (auto it = refs.begin(); it != refs.end();) {
            if (it->topic == topic) {
                removeRemote(it->topic, it->key, it->ref);
                it = refs.erase(it);
            } else {
                ++it;
            }
        }
        node = refs.empty() ? m_remote.erase(node) : std::next(node);
    }
}

QHash<QString, QList<std::pair<QString, PresenceMeta>>> PresenceTracker::localMetas() const
{
    std::scoped_lock locker(m_mutex);
    QHash<QString, QList<std::pair<QString, PresenceMeta>>> metas;
    for (auto topic = m_topics.cbegin(); topic != m_topics.cend(); ++topic) {
        for (const auto &[key, entries] : topic->keys) {
            for (const Entry &entry : entries) {
                if (entry.owner != RemoteOwner)
                    metas[topic.key()].append({key, entry.meta});
            }
        }
    }
    return metas;
}

} // namespace chatter::server
