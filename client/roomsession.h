// SPDX-License-Identifier: MIT
#pragma once

#include "chatmessage.h"
#include "phoenixchannel.h"
#include "presencesync.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

namespace chatter::client {

class MemberModel;
class MessageModel;
class PhoenixSocket;

//! What a private room or group conversation says about itself in its join reply.
struct PrivateRoomInfo
{
    bool isPrivate = false;
    bool group = false;
    QString owner;
    QStringList members;
};

//! One joined conversation (a room, private room, group or DM): its channel, messages, members
//! (from presence), who is typing, and its read marker and mute setting (docs/conversations.md).
//! Everything protocol-specific about a conversation lives here; ChatSession orchestrates.
class RoomSession : public QObject
{
    Q_OBJECT
public:
    //! The answer to a request (edit, delete, react, mute, invite …): ok, or the reason.
    using Done = std::function<void(bool ok, const QString &reason)>;
    //! A message waiting in the outbox: its body and the message it replies to (0: none).
    struct Outgoing
    {
        QString body;
        qint64 replyTo = 0;
        QList<Attachment> attachments; //!< uploaded already; only their ids go out
    };
    //! At most this many files on one message (docs/files-and-search.md).
    static constexpr int MaxAttachments = 10;
    //! Why `body` with `attachments` cannot be sent; empty when it can. Without attachments
    //! the body must hold text; with them it may be empty.
    static QString checkMessage(const QString &body, const QList<Attachment> &attachments);

    //! The topic of a conversation key (a room name or `dm:<a>:<b>`).
    static QString topicFor(const QString &room);

    RoomSession(QString name, QString nickname, PhoenixSocket *socket, QObject *parent = nullptr);
    ~RoomSession() override;

    const QString &name() const { return m_name; }
    MessageModel *messages() const { return m_messages; }
    MemberModel *members() const { return m_members; }
    QStringList typingUsers() const;
    bool isJoined() const;
    bool canLoadOlder() const { return m_moreOlder && !m_loadingOlder; }
    //! The server has older messages than the oldest held (loading or not).
    bool hasOlder() const { return m_moreOlder; }
    PhoenixChannel *channel() const { return m_channel; }

    void join();
    //! Leaves the channel; the room stops rejoining.
    void leave();
    //! Sends a chat message (a reply when `replyTo` is a message id); the server's broadcast
    //! (not this call) adds it to the model. While the room is not joined the message waits,
    //! shown as pending, and goes out on join.
    void send(const QString &body, qint64 replyTo = 0, const QList<Attachment> &attachments = {});
    //! `history {around: id, limit: 1}`: the message again, for fresh signed URLs of its
    //! attachments (theirs expired); the model takes them. One request per id at a time.
    void refreshAttachments(qint64 id);
    //! What is still waiting to be sent, oldest first; the room forgets it (a new session
    //! for the same room takes it over when the user connects elsewhere).
    QList<Outgoing> takeOutbox();
    int outboxSize() const { return int(m_outbox.size()); }
    //! The user is typing: tells the others now and then, and "stopped" after a pause.
    void noteTyping();
    void stopTyping();
    //! Asks for a page of messages older than the oldest one shown.
    void loadOlder(int limit = 50);

    //! Shows the message `id` (docs/files-and-search.md, "Opening a result"): held already,
    //! it is only revealed (openedAt); otherwise `history {around}` replaces the model with
    //! the window around it, and the session is detached from the live end until
    //! loadNewer() has paged up to it (or returnToLive()). Not joined yet: done after the
    //! join. While detached, live messages (broadcasts, a rejoin's catch-up) are counted
    //! and announced as ever but held aside, never put into the window; they join the
    //! model, in order and without duplicates, when the window reaches the live end.
    void openAt(qint64 id, int limit = 50);
    //! Asks for the page of messages newer than the newest one shown, while detached.
    void loadNewer(int limit = 50);
    //! Back to the live end at once: the newest page replaces the window (sending does it).
    void returnToLive(int limit = 50);
    //! The model holds a window of history that does not reach the live end.
    bool isDetached() const { return m_detached; }
    bool canLoadNewer() const { return m_detached && !m_loadingNewer; }

    //! `edit_msg`: the broadcast `msg_edited` changes the model, for everyone alike.
    void editMessage(qint64 id, const QString &body, Done done = {});
    //! `delete_msg`: the broadcast `msg_deleted` turns the line into a placeholder.
    void deleteMessage(qint64 id, Done done = {});
    //! `react`: adds (`on`) or takes back my `emoji` on message `id`.
    void react(qint64 id, const QString &emoji, bool on, Done done = {});
    //! Adds my `emoji` if I have not reacted with it, takes it back if I have.
    void toggleReaction(qint64 id, const QString &emoji, Done done = {});

    //! The user sees the newest message: the marker moves to it here and on the server
    //! (`read`), which tells the user's other devices. Nothing is sent when already there.
    void markRead();
    //! The marker moved elsewhere (the personal topic's `read`/`unread`): never backwards.
    //! `unread` < 0 means "count it from the messages held".
    void applyReadMarker(qint64 lastReadId, int unread = -1);
    qint64 lastReadId() const { return m_lastReadId; }
    int unreadCount() const { return m_unread; }
    //! An unread message mentions me.
    bool unreadMention() const { return m_unreadMention; }

    //! `mute`: no badge and no notification but for mentions (stored per account).
    void setMuted(bool muted, Done done = {});
    //! The mute setting from elsewhere (the personal topic's `muted`).
    void applyMuted(bool muted);
    bool isMuted() const { return m_muted; }

    //! The first join creates the room private (`{"private": true}`) if it does not exist.
    void setCreatePrivate(bool on) { m_createPrivate = on; }
    const PrivateRoomInfo &privateInfo() const { return m_private; }
    //! `invite`/`remove` on a private room (its owner or an admin; members remove themselves).
    void invite(const QString &user, Done done = {});
    void removeMember(const QString &user, Done done = {});
    //! How long a peer counts as typing without a refresh.
    static constexpr int PeerTypingTimeoutMs = 6000;
    //! While typing, "typing: true" is repeated at most this often.
    static constexpr int TypingRefreshMs = 3000;
    //! Silence after which "typing: false" is sent.
    static constexpr int TypingIdleMs = 4000;

Q_SIGNALS:
    //! Every successful (re)join; `rejoin` false for the first one.
    void joined(bool rejoin);
    void joinRefused(const QString &reason);
    void connectionLost(const QString &reason);
    //! A chat message this session had not seen before and that is not old history:
    //! live broadcasts, and what a rejoin brought in for the time away.
    void messageArrived(const chatter::client::ChatMessage &message);
    void sendFailed(const QString &reason);
    void typingChanged(const QStringList &users);
    void olderLoaded(int count);
    //! A page from loadNewer() was added at the bottom (`count` new lines).
    void newerLoaded(int count);
    //! The message `id` is in the model now (openAt()): the view scrolls to it.
    void openedAt(qint64 id);
    //! openAt() could not show `id`: the server's reason.
    void openFailed(qint64 id, const QString &reason);
    //! isDetached() changed.
    void detachedChanged(bool detached);
    //! The read marker, the unread count or the mention flag changed.
    void readStateChanged();
    void mutedChanged(bool muted);
    //! A private room's owner or members changed (its join reply).
    void privateInfoChanged();
    //! The server closed the channel (removed from a private room): no rejoin follows.
    void closedByServer();

private:
    //! Sends `event` and reports its answer to `done`.
    void request(const QString &event, const QJsonObject &payload, Done done);
    void onEdited(const QJsonObject &payload);
    void onDeleted(const QJsonObject &payload);
    void onReactions(const QJsonObject &payload);
    void applyJoinState(const QJsonObject &response);
    //! A message from someone else came in after the marker.
    void countUnread(const ChatMessage &message);
    int countAfterMarker() const;
    void pushOut(const Outgoing &message);
    void attachChannel();
    void detachChannel();
    QJsonObject joinParams() const;
    void onJoined(const QJsonObject &response);
    void onEvent(const QString &event, const QJsonValue &payload);
    void onNewMessage(const QJsonObject &payload);
    void onTyping(const QJsonObject &payload);
    void setPeerTyping(const QString &user, bool typing);
    void sendTyping(bool typing);
    void addLive(ChatMessage message);
    ChatMessage decorate(ChatMessage message) const;
    void setupPresence();
    void flushOutbox();
    void noteLeft(const QString &user);
    void settleHeldLeaves();
    //! Live messages are held aside: the window is detached, or a request is replacing it.
    bool holdsLive() const { return m_detached || m_windowPending; }
    //! Starts holding live messages; the newest live id is remembered for rejoins.
    void beginWindow();
    //! Replaces the model with a page of history (oldest first).
    void resetWindow(const QJsonArray &messages);
    //! The window reaches the live end: held messages newer than it join it.
    void attachLive();
    //! A live message while detached; false when it is known already.
    bool holdLive(const ChatMessage &message);
    //! Applies `change` to the held copy of message `id`, if any.
    void changeHeld(qint64 id, const std::function<void(ChatMessage &)> &change);

    QString m_name;
    QString m_nickname;
    PhoenixSocket *m_socket;
    QPointer<PhoenixChannel> m_channel;
    MessageModel *m_messages;
    MemberModel *m_members;
    PresenceSync m_presence;
    bool m_presenceSynced = false;
    bool m_joinedBefore = false;
    bool m_moreOlder = false;
    bool m_loadingOlder = false;
    //! Sent with the current join: the reply then holds what came after it.
    mutable qint64 m_joinLastSeen = 0;
    //! The newest change of this conversation seen (a join reply's `change_seq`).
    qint64 m_changeSeq = 0;
    //! `changes_more`: the held messages were dropped; the next join is a fresh start.
    bool m_freshStart = false;
    bool m_createPrivate = false;
    qint64 m_lastReadId = 0;
    int m_unread = 0;
    bool m_unreadMention = false;
    //! The current join's reply counted what it brought (`unread`): its catch-up messages
    //! are not counted again one by one.
    bool m_serverCounted = false;
    bool m_muted = false;
    PrivateRoomInfo m_private;
    QList<Outgoing> m_outbox;
    //! Messages whose attachments are being asked for again.
    QSet<qint64> m_refreshing;
    //! Members who left during the settle window after a rejoin; their "left" line waits.
    QSet<QString> m_heldLeaves;
    QTimer m_rejoinSettle;
    QHash<QString, QTimer *> m_typingPeers;
    bool m_typingSent = false;
    QElapsedTimer m_typingSentAt;
    QTimer m_typingIdle;
    bool m_detached = false;
    //! A `history {around}` or newest-page request is on its way.
    bool m_windowPending = false;
    bool m_loadingNewer = false;
    //! Bumped when a window request starts: page answers meant for the old window are dropped.
    quint64 m_windowGeneration = 0;
    //! openAt() before the join: opened once joined.
    qint64 m_pendingOpen = 0;
    //! The newest id of the live end when holding began: a rejoin catches up from there
    //! (or from the newest held message), not from the window's end.
    qint64 m_liveEdgeId = 0;
    //! Live messages that came while holding, in arrival (id) order.
    QList<ChatMessage> m_heldLive;
};

} // namespace chatter::client
