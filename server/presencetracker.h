// SPDX-License-Identifier: MIT
#pragma once

#include <mutex>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace chatter::server {

//! Who is present on which topic, Phoenix.Presence style: per topic, per key (nickname), one
//! meta per tracked channel (a second tab of the same nickname is a second meta). Shared by
//! every worker; the diffs it returns are broadcast by the caller as `presence_diff`.
class PresenceTracker
{
public:
    //! Tracks `owner` (a channel instance) under `key`; returns the meta with its new phx_ref.
    QJsonObject track(const QString &topic, const QString &key, quint64 owner, QJsonObject meta);
    //! Replaces the meta: a fresh phx_ref, `phx_ref_prev` = the old one. Returns the
    //! {"joins","leaves"} diff, or nothing if `owner` was not tracked.
    std::optional<QJsonObject> update(const QString &topic, const QString &key, quint64 owner,
                                      QJsonObject meta);
    //! Removes `owner`'s meta; returns the meta that left (same phx_ref as when it joined).
    std::optional<QJsonObject> untrack(const QString &topic, const QString &key, quint64 owner);

    //! The `presence_state` payload: {key: {"metas": [...]}}. Not const: a large room keeps it.
    QJsonObject list(const QString &topic);
    int keyCount(const QString &topic) const { return memberCount(topic).keys; }

    //! A topic's number of keys, stamped with the tracker's change counter at the moment it was
    //! read: of two counts, the one with the higher version is the newer.
    struct MemberCount
    {
        int keys = 0;
        quint64 version = 0;
    };
    MemberCount memberCount(const QString &topic) const;

    static QJsonObject joinDiff(const QString &key, const QJsonObject &meta);
    static QJsonObject leaveDiff(const QString &key, const QJsonObject &meta);
    static QString newRef();

private:
    struct Entry
    {
        quint64 owner;
        QJsonObject meta;
    };
    struct Topic
    {
        QHash<QString, QList<Entry>> keys;
        //! A large room's `presence_state` payload, kept up to date key by key once built:
        //! a join to a room of N members then copies a shared object instead of building one
        //! of N keys. Small rooms build it when asked; keeping it costs ~0.4 KiB per member.
        QJsonObject state;
        bool stateKept = false;
    };
    //! The metas of `key` on `topic`, or null; call with the mutex held.
    QList<Entry> *entriesOf(const QString &topic, const QString &key);
    static QJsonObject metasOf(const QList<Entry> &entries);
    //! Refreshes `key` in `topic`'s kept state after its metas changed; call with the mutex
    //! held.
    static void restate(Topic &topic, const QString &key);

    mutable std::mutex m_mutex;
    QHash<QString, Topic> m_topics;
    quint64 m_version = 0; //!< counts every track and untrack; guarded by m_mutex
};

} // namespace chatter::server
