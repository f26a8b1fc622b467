// SPDX-License-Identifier: MIT
#pragma once

#include "broadcast.h"

#include <QHash>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace chatter::server {

//! Puts a node's deliveries of each conversation's committed messages back in id order
//! (docs/cluster.md, "Ordering across nodes"). Redis keeps order per publishing connection
//! only, so node C may hear node B's id 11 before node A's id 10; and B's own clients must not
//! get 11 while A's 10 is still on its way. Every message carries the id before it in its room
//! (`prevId`, from the commit that took the room's lock), so a missing link is seen at once:
//!
//! * a message whose `prevId` is at or below the room's head (the newest id delivered) is
//!   delivered and becomes the head, and the messages held behind it follow;
//! * one at or below the head is a duplicate (a join's read or a gap fill had it) and dropped;
//! * one whose `prevId` is above the head is held, and the caller is told to fill the gap from
//!   the database after a short wait (fill()).
//!
//! A room's head is set by baseline() once this node subscribed to it (the room's newest id
//! as the database has it then); a room never seen takes its first message's id.
//!
//! Thread-safe: workers offer their own commits, the cluster thread other nodes' messages and
//! what it read. `deliver` runs under the sequencer's lock, so deliveries of a room reach
//! PubSub (which queues them on the workers) in order whoever offered them.
class RoomSequencer
{
public:
    using Deliver = std::function<void(const std::shared_ptr<const Broadcast> &)>;
    //! What fill() wants: the room's head (the database's messages after it), or nothing when
    //! the gap closed meanwhile.
    struct Gap
    {
        qint64 after = 0;
    };

    explicit RoomSequencer(Deliver deliver) : m_deliver(std::move(deliver)) {}

    //! A committed message (its Broadcast's order() set). True when it opened a gap: the
    //! caller fills it after the hold time (fillFrom(), then fill()).
    bool offer(const QString &room, const std::shared_ptr<const Broadcast> &broadcast);
    //! The room's newest committed id as read after this node subscribed. A room not yet
    //! known starts there; a known room whose head is behind it has missed messages (Redis was
    //! away): true, fill it.
    bool baseline(const QString &room, qint64 lastId);
    //! Where the room's gap starts, if it still has one (or a fill was asked for).
    std::optional<Gap> fillFrom(const QString &room) const;
    enum class Filled
    {
        Closed, //!< nothing waits any more
        Again,  //!< messages still wait for a link newer than the read: fill again later
        Lost    //!< the read was cut short: the room jumped ahead, its clients must rejoin
    };
    //! `read`: the room's committed messages after fillFrom()'s head, oldest first, as
    //! ordered broadcasts, and `newest` the newest id the read saw (deleted messages, which are
    //! not sent, included); `complete` false when the read was cut short by its limit. Delivers
    //! them and whatever was held behind them. Lost: the room jumped to the newest id it knows
    //! and its subscribers must rejoin to catch up (the caller sends phx_error).
    Filled fill(const QString &room, const std::vector<std::shared_ptr<const Broadcast>> &read,
                qint64 newest, bool complete);
    //! Gives up on a gap (reads keep failing): as Lost.
    void abandon(const QString &room);
    //! This node no longer subscribes to the room: its next subscription starts afresh.
    void forget(const QString &room);

    //! The newest id delivered; nullopt for a room not known. For tests and the monitor.
    std::optional<qint64> head(const QString &room) const;
    //! How many messages wait behind a gap.
    int held(const QString &room) const;

private:
    struct Room
    {
        qint64 head = 0;
        //! By prevId: what waits for its predecessor.
        std::map<qint64, std::shared_ptr<const Broadcast>> held;
        bool gapOpen = false; //!< the caller was told to fill
    };
    //! Delivers held messages that now follow the head.
    void release(Room &room);
    //! Skips to the newest id held, delivering nothing.
    static void jumpAhead(Room &room);

    mutable std::mutex m_mutex;
    QHash<QString, Room> m_rooms;
    Deliver m_deliver;
};

} // namespace chatter::server
