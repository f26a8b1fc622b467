// SPDX-License-Identifier: MIT
#pragma once

#include "channel.h"
#include "connectinfo.h"
#include "message.h"
#include "rateallowance.h"
#include "serializer.h"
#include "subscription.h"
#include "tokenbucket.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSet>

#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace chatter::server {

class Broadcast;
class Connection;
class SessionContext;
struct ServerConfig;

//! The protocol state of one client connection, whatever its transport: the joined channels
//! with their join_refs, and the rules of phoenix-protocol.md §3 for every inbound message.
//! Everything runs on the owning worker's thread, one frame at a time, so replies leave in
//! request order and a join reply always precedes anything else for that join.
class SocketSession
{
public:
    SocketSession(Connection &connection, SessionContext &context, ConnectInfo info);
    ~SocketSession();
    SocketSession(const SocketSession &) = delete;
    SocketSession &operator=(const SocketSession &) = delete;

    const ConnectInfo &info() const { return m_info; }

    //! Decodes and handles one inbound frame. Fails with the reason when the frame is
    //! malformed; the transport then closes the connection (1011), as Phoenix's connection
    //! process dies.
    Expected<void> handleFrame(QByteArrayView data, bool binary);
    void handle(const Message &message);

    //! The topic a join waited for (SessionContext::awaitTopic) is ready: that join runs, then
    //! what the client sent after it.
    void resumeAfterTopicWait();

    //! Called by a channel to reach its own client; buffered while its join is in flight.
    //! Fails when the message cannot be encoded or the channel is no longer joined.
    Expected<void> pushFromChannel(Channel &channel, const Message &message);
    //! Called by the fan-out for every local subscriber of a broadcast's topic.
    void deliverBroadcast(Subscription &subscription, const Broadcast &broadcast);

    //! Delivers a reply that a channel deferred; later replies were held back until now.
    void completeDeferred(const ReplyHandle &handle, const ChannelReply &reply);

    //! Ends every channel without sending anything: the connection is gone or going.
    void shutdown(const QString &reason);

    //! Server-side removal from a topic: the client gets phx_close (and so does not rejoin).
    bool removeFromTopic(const QString &topic, const QString &reason);
    QDateTime lastHeartbeat() const { return m_lastHeartbeat; }

    QStringList topics() const;
    const ServerConfig &config() const;
    //! Shows the socket as away in its channels when it has sent nothing but heartbeats for
    //! `afterMs` (worker's sweep); its next event brings it back.
    void checkAway(qint64 afterMs);

    //! A guest's read marker and mute setting of a conversation, kept for this connection only
    //! (docs/conversations.md); accounts keep theirs in Conversations.
    struct LocalReadState
    {
        qint64 lastReadId = 0;
        bool muted = false;
    };
    //! A conversation's state, left out of the table until a read or mute sets it: most
    //! guests never do, and the table's first entry costs about 2 KiB per connection.
    LocalReadState localReadState(const QString &conversation) const
    {
        return m_localReadState.value(conversation);
    }
    LocalReadState &localReadStateFor(const QString &conversation)
    {
        return m_localReadState[conversation];
    }

    //! One of the socket's room creations (ServerConfig::roomCreationsPerMinute); false, and
    //! logged once a second, when it has used them up.
    bool takeRoomCreation();

private:
    //! A joined topic: the channel and its delivery state, which the fan-out points to.
    struct Entry
    {
        std::unique_ptr<Channel> channel;
        Subscription subscription;
    };
    //! The entry of `channel` if it is still the one joined on its topic, else null.
    Entry *entryOf(const Channel &channel);

    //! handle() after the heartbeat and the flood check.
    void dispatch(const Message &message);
    void handleJoin(const Message &message);
    void handleLeave(const Message &message, Entry &entry);
    void handleEvent(const Message &message, Entry &entry);
    void crash(const QString &topic, const QString &why);
    //! crash() on the next event-loop turn, if `channel` is still the one joined on its topic.
    void crashLater(const Channel &channel, const QString &why);
    //! Unsubscribes, calls terminate() and destroys the channel; sends nothing.
    void removeChannel(const QString &topic, const QString &reason);

    //! Replies and channel control frames leave in request order: while a deferred reply is
    //! outstanding they queue behind it. `after` runs once the frame is written.
    Expected<void> send(const Message &message, std::function<void()> after = {});
    void sendOrdered(Frame frame, std::function<void()> after);
    void flushOrdered();
    //! Stops reading the client while PauseInputAt requests wait in m_ordered.
    void pauseInputIfBehind();
    void finishJoin(const QString &topic, quint64 channelId);
    Message replyMessage(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                         const ChannelReply &reply) const;
    void deliver(Subscription &subscription, const Frame &frame);
    void replyTo(const Message &request, const QJsonValue &joinRef, const ChannelReply &reply);

    Connection &m_connection;
    SessionContext &m_context;
    ConnectInfo m_info;
    //! An ordered map: a socket joins a handful of topics, and a hash table's bucket array
    //! would cost more than its entries. Nodes stay put, so the fan-out may point at them.
    std::map<QString, Entry> m_channels;
    struct Ordered
    {
        quint64 sequence = 0;
        bool ready = false;
        std::optional<Frame> frame;
        std::function<void()> after;
    };
    //! A vector, not a deque: it is empty almost always and then holds no memory (a deque
    //! keeps ~0.4 KiB per socket), and it rarely holds more than a few entries.
    std::vector<Ordered> m_ordered;
    quint64 m_nextSequence = 1;
    QDateTime m_lastHeartbeat;
    //! Token bucket against floods: refilled at maxMessagesPerSecond, capped at messageBurst.
    TokenBucket m_flood;
    //! Rooms this socket may bring into existence: roomCreationsPerMinute, as a burst too.
    RateAllowance m_roomCreations;
    qint64 m_lastCreationLog = 0;
    qint64 m_lastFloodLog = -1;
    bool takeToken();
    bool m_shutDown = false;
    bool m_inputPaused = false; //!< too many requests in m_ordered; see setInputPaused()
    bool m_autoAway = false;
    //! While a join waits for its topic (awaitTopic): that join, then what came after it, in
    //! order. Null otherwise (most of the time; a pointer costs a socket 8 bytes).
    std::unique_ptr<std::vector<Message>> m_heldForJoin;
    QHash<QString, LocalReadState> m_localReadState;
    qint64 m_lastActivityNs = 0; //!< of the last event that was not a heartbeat
    void setAutoAway(bool away);
};

} // namespace chatter::server
