// SPDX-License-Identifier: MIT
#pragma once

#include "presencediff.h"
#include "presencemeta.h"

#include <mutex>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUuid>
#include <QVarLengthArray>

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace chatter::server {

//! Who is present on which topic, Phoenix.Presence style: per topic, per key (nickname), one
//! meta per tracked channel (a second tab of the same nickname is a second meta). Shared by
//! every worker; the diffs it returns are broadcast by the caller as `presence_diff`.
//!
//! Kept compact because every joined topic of every socket is an entry here (docs/performance.md,
//! "Memory"): a key's first meta lives inside its map node, metas are fields until a frame is
//! built, and a topic has no hash table of its own (a Qt hash's first allocation has room for
//! dozens of entries, ~2 KiB, for a topic that usually has a handful of members).
class PresenceTracker
{
public:
    //! Tracks `owner` (a channel instance) under `key`; returns the meta with its new phx_ref.
    PresenceMeta track(const QString &topic, const QString &key, quint64 owner, PresenceMeta meta);
    //! Replaces the meta: a fresh phx_ref, `phx_ref_prev` = the old one. Returns the
    //! diff (the new meta joins, the old one leaves), or nothing if `owner` was not tracked.
    std::optional<PresenceDiff> update(const QString &topic, const QString &key, quint64 owner,
                                       PresenceMeta meta);
    //! Removes `owner`'s meta; returns the meta that left (same phx_ref as when it joined).
    std::optional<PresenceMeta> untrack(const QString &topic, const QString &key, quint64 owner);

    //! The `presence_state` payload: {key: {"metas": [...]}}. Not const: a large room keeps it.
    QJsonObject list(const QString &topic);
    //! list() as compact JSON text: written from the metas for a room below the size where
    //! the state is kept (every join sends one), else the kept state encoded.
    QByteArray listJson(const QString &topic);
    int keyCount(const QString &topic) const { return memberCount(topic).keys; }

    //! A topic's number of keys, stamped with the tracker's change counter at the moment it was
    //! read: of two counts, the one with the higher version is the newer.
    struct MemberCount
    {
        int keys = 0;
        quint64 version = 0;
    };
    MemberCount memberCount(const QString &topic) const;

    // Other nodes' metas (docs/cluster.md, "Presence across nodes"): kept beside this node's,
    // so that `presence_state` and member counts are the cluster's, under the node that owns
    // them, so that they go when it does. Identified by phx_ref (random, unique cluster-wide).
    //! False when a meta with that phx_ref is already here (a diff the snapshot had).
    bool trackRemote(const QString &topic, const QString &key, const QUuid &node,
                     const PresenceMeta &meta);
    //! Removes another node's meta by its phx_ref; returns it.
    std::optional<PresenceMeta> untrackRemote(const QString &topic, const QString &key,
                                              const PresenceRef &ref);
    //! Removes every meta of `node` (it stopped heartbeating): the leaves, by topic.
    QHash<QString, QList<PresenceDiff>> removeNode(const QUuid &node);
    //! The nodes with metas here.
    QList<QUuid> remoteNodes() const;
    struct RemoteEntry
    {
        QUuid node;
        QString key;
        PresenceMeta meta;
    };
    //! Makes `topic`'s metas of other nodes exactly `entries` (a snapshot read from Redis);
    //! returns the joins and leaves that took.
    QList<PresenceDiff> syncRemote(const QString &topic, const QList<RemoteEntry> &entries);
    //! Removes other nodes' metas of `topic` without diffs: nobody here listens any more.
    void dropRemote(const QString &topic);
    //! This node's own metas by topic: published again after Redis was away.
    QHash<QString, QList<std::pair<QString, PresenceMeta>>> localMetas() const;

private:
    struct Entry
    {
        quint64 owner;
        PresenceMeta meta;
    };
    //! A key's metas; almost always one (one socket per nickname), held inline.
    using Entries = QVarLengthArray<Entry, 1>;
    struct Topic
    {
        //! Ordered by key: `presence_state` is built in key order, so each insert appends.
        std::map<QString, Entries> keys;
        //! A large room's `presence_state` payload, kept up to date key by key once built:
        //! a join to a room of N members then copies a shared object instead of building one
        //! of N keys. Small rooms build it when asked; keeping it costs ~0.4 KiB per member.
        QJsonObject state;
        bool stateKept = false;
    };
    //! The metas of `key` on `topic`, or null; call with the mutex held.
    Entries *entriesOf(const QString &topic, const QString &key);
    static QJsonObject metasOf(const Entries &entries);
    //! Refreshes `key` in `topic`'s kept state after its metas changed; call with the mutex
    //! held.
    static void restate(Topic &topic, const QString &key);

    //! The owner of every other node's entry: sockets' ids never reach it.
    static constexpr quint64 RemoteOwner = quint64(1) << 63;
    struct RemoteRef
    {
        QString topic;
        QString key;
        PresenceRef ref;
    };
    //! Removes the first entry of `key` that `matches` (a socket's by owner, another node's by
    //! phx_ref) and what it leaves empty; call with the mutex held.
    std::optional<PresenceMeta> removeFirst(const QString &topic, const QString &key,
                                            const std::function<bool(const Entry &)> &matches);
    //! Removes the entry of `ref` under `key`; call with the mutex held.
    std::optional<PresenceMeta> removeRemote(const QString &topic, const QString &key,
                                             const PresenceRef &ref);

    mutable std::mutex m_mutex;
    QHash<QString, Topic> m_topics;
    QHash<QUuid, std::vector<RemoteRef>> m_remote; //!< every other node's entries
    quint64 m_version = 0; //!< counts every track and untrack; guarded by m_mutex
};

} // namespace chatter::server
