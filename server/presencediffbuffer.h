// SPDX-License-Identifier: MIT
#pragma once

#include "presencediff.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace chatter::server {

//! Presence diffs waiting to go out, merged per topic. When 1,000 clients (re)join one room
//! within a second, one `presence_diff` per join would cost every member a frame per join
//! (a million frames); merged, the room gets a few diffs that each carry many joins.
//!
//! Merging is plain concatenation, never cancellation: a client that got a `presence_state`
//! while a join was still waiting here already lists that meta, so a later leave of it must
//! still reach that client. Phoenix clients apply a diff's joins before its leaves and
//! identify metas by `phx_ref`, so a meta that joined and left within one merged diff ends
//! up absent, and a join they already know is not duplicated.
//!
//! Metas are written as JSON text when they arrive and the payload is written from those
//! texts when it is taken: a join costs no JSON objects on its way to the members' frames.
class PresenceDiffBuffer
{
public:
    struct TopicDiff
    {
        QString topic;
        //! The payload as compact JSON text:
        //! {"joins": {key: {"metas": [...]}, ...}, "leaves": {...}}
        QByteArray diff;
    };
    enum class Side
    {
        Joins,
        Leaves
    };

    void add(const QString &topic, const PresenceDiff &diff);
    //! One meta, already a JSON object's text, joining or leaving under `key`.
    void add(const QString &topic, Side side, const QString &key, QByteArray metaJson);
    bool isEmpty() const { return m_order.isEmpty(); }
    bool contains(const QString &topic) const { return m_topics.contains(topic); }
    //! The merged diffs, topics in the order they first had one; empties the buffer.
    QList<TopicDiff> take();
    //! The merged diff of one topic (empty if it has none), which leaves the buffer.
    QByteArray take(const QString &topic);

private:
    //! (key, meta text) pairs in arrival order: lists, not per-topic hashes, because a burst
    //! of joins puts one pending diff in each of thousands of topics, most with one meta.
    using Metas = QList<std::pair<QString, QByteArray>>;
    struct Pending
    {
        Metas joins;
        Metas leaves;
    };
    static QByteArray merged(const Pending &pending);

    QHash<QString, Pending> m_topics;
    QStringList m_order;
};

} // namespace chatter::server
