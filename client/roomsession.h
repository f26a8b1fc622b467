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

namespace chatter::client {

class MemberModel;
class MessageModel;
class PhoenixSocket;

//! One joined room: its channel, messages, members (from presence) and who is typing.
//! Everything protocol-specific about a room lives here; ChatSession only orchestrates.
class RoomSession : public QObject
{
    Q_OBJECT
public:
    static QString topicFor(const QString &room);

    RoomSession(QString name, QString nickname, PhoenixSocket *socket, QObject *parent = nullptr);
    ~RoomSession() override;

    const QString &name() const { return m_name; }
    MessageModel *messages() const { return m_messages; }
    MemberModel *members() const { return m_members; }
    QStringList typingUsers() const;
    bool isJoined() const;
    bool canLoadOlder() const { return m_moreOlder && !m_loadingOlder; }
    PhoenixChannel *channel() const { return m_channel; }

    void join();
    //! Leaves the channel; the room stops rejoining.
    void leave();
    //! Sends a chat message; the server's broadcast (not this call) adds it to the model.
    //! While the room is not joined the message waits, shown as pending, and goes out on join.
    void send(const QString &body);
    //! What is still waiting to be sent, oldest first; the room forgets it (a new session
    //! for the same room takes it over when the user connects elsewhere).
    QStringList takeOutbox();
    int outboxSize() const { return int(m_outbox.size()); }
    //! The user is typing: tells the others now and then, and "stopped" after a pause.
    void noteTyping();
    void stopTyping();
    //! Asks for a page of messages older than the oldest one shown.
    void loadOlder(int limit = 50);

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

private:
    void attachChannel();
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
    QStringList m_outbox;
    //! Members who left during the settle window after a rejoin; their "left" line waits.
    QSet<QString> m_heldLeaves;
    QTimer m_rejoinSettle;
    QHash<QString, QTimer *> m_typingPeers;
    bool m_typingSent = false;
    QElapsedTimer m_typingSentAt;
    QTimer m_typingIdle;
};

} // namespace chatter::client
