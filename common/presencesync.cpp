// SPDX-License-Identifier: MIT
#include "presencesync.h"

#include "events.h"

#include <QJsonArray>
#include <QSet>

namespace chatter {

namespace {

const QString Metas = QStringLiteral("metas");

QJsonArray metasOf(const QJsonObject &presence)
{
    return presence.value(Metas).toArray();
}

QSet<QString> refsOf(const QJsonArray &metas)
{
    QSet<QString> refs;
    for (const QJsonValue &meta : metas)
        refs.insert(meta.toObject().value(presence::PhxRef).toString());
    return refs;
}

//! The metas whose phx_ref is (keep == true) or is not (keep == false) in `refs`.
QJsonArray filterByRefs(const QJsonArray &metas, const QSet<QString> &refs, bool keep)
{
    QJsonArray out;
    for (const QJsonValue &meta : metas) {
        if (refs.contains(meta.toObject().value(presence::PhxRef).toString()) == keep)
            out.append(meta);
    }
    return out;
}

} // namespace

QJsonObject PresenceSync::syncState(QJsonObject state, const QJsonObject &newState,
                                    const JoinHandler &onJoin, const LeaveHandler &onLeave)
{
    QJsonObject joins;
    QJsonObject leaves;
    for (auto it = state.constBegin(); it != state.constEnd(); ++it) {
        if (!newState.contains(it.key()))
            leaves.insert(it.key(), it.value());
    }
    for (auto it = newState.constBegin(); it != newState.constEnd(); ++it) {
        const QJsonObject newPresence = it.value().toObject();
        if (!state.contains(it.key())) {
            joins.insert(it.key(), newPresence);
            continue;
        }
        const QJsonObject current = state.value(it.key()).toObject();
        const QJsonArray joined =
            filterByRefs(metasOf(newPresence), refsOf(metasOf(current)), false);
        const QJsonArray left = filterByRefs(metasOf(current), refsOf(metasOf(newPresence)), false);
        if (!joined.isEmpty()) {
            QJsonObject join = newPresence;
            join.insert(Metas, joined);
            joins.insert(it.key(), join);
        }
        if (!left.isEmpty()) {
            QJsonObject leave = current;
            leave.insert(Metas, left);
            leaves.insert(it.key(), leave);
        }
    }
    return syncDiff(
        std::move(state),
        QJsonObject{{QStringLiteral("joins"), joins}, {QStringLiteral("leaves"), leaves}}, onJoin,
        onLeave);
}

QJsonObject PresenceSync::syncDiff(QJsonObject state, const QJsonObject &diff,
                                   const JoinHandler &onJoin, const LeaveHandler &onLeave)
{
    const QJsonObject joins = diff.value(QLatin1String("joins")).toObject();
    const QJsonObject leaves = diff.value(QLatin1String("leaves")).toObject();

    for (auto it = joins.constBegin(); it != joins.constEnd(); ++it) {
        const QJsonObject joined = it.value().toObject();
        const QJsonObject current = state.value(it.key()).toObject();
        QJsonObject next = joined;
        if (!current.isEmpty()) {
            // Metas the join does not replace stay, ahead of the joined ones.
            QJsonArray metas = filterByRefs(metasOf(current), refsOf(metasOf(joined)), false);
            for (const QJsonValue &meta : metasOf(joined))
                metas.append(meta);
            next.insert(Metas, metas);
        }
        state.insert(it.key(), next);
        if (onJoin)
            onJoin(it.key(), current, joined);
    }
    for (auto it = leaves.constBegin(); it != leaves.constEnd(); ++it) {
        if (!state.contains(it.key()))
            continue;
        const QJsonObject left = it.value().toObject();
        QJsonObject remaining = state.value(it.key()).toObject();
        remaining.insert(Metas, filterByRefs(metasOf(remaining), refsOf(metasOf(left)), false));
        state.insert(it.key(), remaining);
        if (onLeave)
            onLeave(it.key(), remaining, left);
        if (metasOf(remaining).isEmpty())
            state.remove(it.key());
    }
    return state;
}

void PresenceSync::applyState(const QJsonObject &newState, const QString &joinRef)
{
    m_joinRef = joinRef;
    m_state = syncState(std::move(m_state), newState, m_onJoin, m_onLeave);
    const QList<QJsonObject> pending = std::exchange(m_pendingDiffs, {});
    for (const QJsonObject &diff : pending)
        m_state = syncDiff(std::move(m_state), diff, m_onJoin, m_onLeave);
    if (m_onSync)
        m_onSync();
}

void PresenceSync::applyDiff(const QJsonObject &diff, const QString &currentJoinRef)
{
    if (inPendingSyncState(currentJoinRef)) {
        m_pendingDiffs.append(diff);
        return;
    }
    m_state = syncDiff(std::move(m_state), diff, m_onJoin, m_onLeave);
    if (m_onSync)
        m_onSync();
}

bool PresenceSync::inPendingSyncState(const QString &currentJoinRef) const
{
    return m_joinRef.isEmpty() || m_joinRef != currentJoinRef;
}

QStringList PresenceSync::keys() const
{
    return m_state.keys(); // QJsonObject keeps its keys sorted
}

void PresenceSync::clear()
{
    m_state = {};
    m_pendingDiffs.clear();
    m_joinRef.clear();
}

} // namespace chatter
