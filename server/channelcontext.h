// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"
#include "presencediff.h"
#include "storedmessage.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>

namespace chatter::server {

class AccountDirectory;
class Broadcast;
class Conversations;
class HistoryReader;
class Mailbox;
class PresenceTracker;
class RoomDirectory;
class Searcher;

//! Everything a channel may reach of the server, and nothing more: history, the store,
//! presence, the room directory, publishing, deferred replies. Each worker provides one for
//! the channels on its thread; every call happens on that thread. Tests provide small fakes.
class ChannelContext
{
public:
    //! Runs on the context's thread once an append is committed (`committed`) or has failed.
    using AppendDone = std::function<void(const StoredMessage &message, bool committed)>;
    //! Runs on the context's thread once a change is committed or has failed.
    using ChangeDone = std::function<void(const ChangeOutcome &outcome)>;

    virtual ~ChannelContext() = default;

    //! This thread's read connection to the history.
    virtual HistoryReader &history() = 0;
    //! Stores `message`; `done` runs later on this thread, whether or not the channel still
    //! exists then.
    virtual void append(StoredMessage message, AppendDone done) = 0;
    //! Stores an edit, deletion or reaction change (MessageStore::change); `done` as for
    //! append().
    virtual void change(MessageChange change, ChangeDone done) = 0;
    //! Shared by every worker (thread-safe).
    virtual PresenceTracker &presence() = 0;
    //! Shared by every worker (thread-safe).
    virtual RoomDirectory &directory() = 0;
    //! To every subscriber of the broadcast's topic on every worker. Fails with the reason when
    //! the message cannot be put on the wire at all (a binary field over 255 bytes, say).
    virtual Expected<void> publish(const std::shared_ptr<const Broadcast> &broadcast) = 0;
    //! A presence diff, merged with the others of the same moment before it is broadcast.
    virtual void queuePresenceDiff(const QString &topic, const PresenceDiff &diff) = 0;
    //! Broadcasts `topic`'s waiting presence diff now, if it has one.
    virtual void flushPresenceDiff(const QString &topic) = 0;
    //! Completes a deferred reply; a no-op once its connection is gone.
    virtual void completeReply(const ReplyHandle &handle, const ChannelReply &reply) = 0;
    //! Phoenix's `broadcast(socket_id, "disconnect", %{})`: closes that user's sockets (1001).
    virtual void disconnectSocketId(const QString &socketId) = 0;

    // Accounts and their conversations (docs/conversations.md). A context without them (a
    // test's of the room contract) has no personal topics, private rooms or stored read state,
    // and checks no DM access; a Worker always has them.
    //! Shared by every worker (thread-safe); null without accounts.
    virtual AccountDirectory *accounts() { return nullptr; }
    //! Shared by every worker (thread-safe); null without accounts.
    virtual Conversations *conversations() { return nullptr; }
    //! Where work for this context's thread is posted (results from the store thread).
    virtual Mailbox *replyMailbox() { return nullptr; }
    //! Pushes phx_close on `topic` to every socket of the account, on every worker.
    virtual void removeAccountFromTopic(qint64 accountId, const QString &topic) {}
    //! The search thread (thread-safe); null when search is off (`--search off`).
    virtual Searcher *searcher() { return nullptr; }
};

} // namespace chatter::server
