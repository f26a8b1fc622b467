// SPDX-License-Identifier: MIT
#pragma once

#include <mutex>
#include <QHash>
#include <QString>

namespace chatter::server {

//! Each conversation's newest committed message id and change sequence value, in memory, so
//! that a read that would find nothing newer is answered without the database: a client that
//! joins up to date (every client of a restarting office) or a room without history costs no
//! SQLite read transaction. Conversations are keys as in HistoryReader (room or DM key).
//!
//! The store thread is the only writer: it notes what a batch wrote after its commit and
//! before any of its results go back to the workers, who publish the broadcasts. A reader
//! that sees an older head than the database therefore misses only messages nobody has been
//! told of yet, which a joining socket receives as broadcasts (it subscribes before it reads).
//! Thread-safe; read by every worker, written by the store thread.
class RoomHeads
{
public:
    struct Head
    {
        qint64 lastMessageId = 0; //!< 0: no message was ever stored
        qint64 lastChangeSeq = 0; //!< 0: no change was ever stored
    };

    Head of(const QString &room) const;
    //! Heads only move forward: retention removes rows, never ids.
    void noteMessage(const QString &room, qint64 id);
    void noteChange(const QString &room, qint64 seq);

private:
    mutable std::mutex m_mutex;
    QHash<QString, Head> m_heads;
};

} // namespace chatter::server
