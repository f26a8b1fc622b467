// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace chatter {

//! Client side of Phoenix.Presence, with phoenix.js semantics (`Presence.syncState`,
//! `Presence.syncDiff` and the pending-sync guard of `new Presence(channel)`).
//!
//! A state maps each key (a nickname) to a presence `{"metas": [{"phx_ref": …, …}, …], …}`;
//! unknown top-level fields of a presence are kept. Metas are identified by `phx_ref` only.
class PresenceSync
{
public:
    //! `current` is the presence before the join, empty if the key was absent.
    using JoinHandler = std::function<void(const QString &key, const QJsonObject &current,
                                           const QJsonObject &joined)>;
    //! `remaining` is the presence after removing the left metas; its metas may be empty, in
    //! which case the key is gone from the state once the handler returns.
    using LeaveHandler = std::function<void(const QString &key, const QJsonObject &remaining,
                                            const QJsonObject &left)>;

    //! Turns `newState` into joins and leaves relative to `state` and applies them.
    static QJsonObject syncState(QJsonObject state, const QJsonObject &newState,
                                 const JoinHandler &onJoin = {}, const LeaveHandler &onLeave = {});
    //! Applies `{"joins": {…}, "leaves": {…}}`. Joins run before leaves, so an update (leave of
    //! ref A plus join of ref B in one diff) ends with exactly meta B.
    static QJsonObject syncDiff(QJsonObject state, const QJsonObject &diff,
                                const JoinHandler &onJoin = {}, const LeaveHandler &onLeave = {});

    void setJoinHandler(JoinHandler handler) { m_onJoin = std::move(handler); }
    void setLeaveHandler(LeaveHandler handler) { m_onLeave = std::move(handler); }
    //! Called after a state, or a diff that was applied (not one that was queued).
    void setSyncHandler(std::function<void()> handler) { m_onSync = std::move(handler); }

    //! A `presence_state` received while the channel's join_ref is `joinRef`: applied, then
    //! every queued diff is replayed in arrival order.
    void applyState(const QJsonObject &newState, const QString &joinRef);
    //! A `presence_diff`; queued while no state has arrived for `currentJoinRef` (before the
    //! first state and after every rejoin), applied otherwise.
    void applyDiff(const QJsonObject &diff, const QString &currentJoinRef);
    bool inPendingSyncState(const QString &currentJoinRef) const;

    const QJsonObject &state() const { return m_state; }
    //! Sorted keys of the current state.
    QStringList keys() const;
    int pendingDiffCount() const { return int(m_pendingDiffs.size()); }
    //! Forgets everything (the room was left).
    void clear();

private:
    QJsonObject m_state;
    QList<QJsonObject> m_pendingDiffs;
    QString m_joinRef;
    JoinHandler m_onJoin;
    LeaveHandler m_onLeave;
    std::function<void()> m_onSync;
};

} // namespace chatter
