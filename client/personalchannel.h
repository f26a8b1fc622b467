// SPDX-License-Identifier: MIT
#pragma once

#include "chatmessage.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace chatter::client {

class PhoenixChannel;
class PhoenixSocket;

//! One entry of the personal topic's `conversations`: a DM, or a room with a read marker or
//! a mute setting.
struct ConversationState
{
    QString topic;
    QString with; //!< a DM's other side as registered; empty for rooms
    qint64 lastId = 0;
    QDateTime lastAt;
    qint64 lastReadId = 0;
    int unread = 0;
    bool muted = false;

    static ConversationState fromJson(const QJsonObject &json);
};

//! A private room or group conversation the user belongs to (`private_rooms`, `room_invited`).
struct PrivateRoomEntry
{
    QString topic;
    QString name;
    bool group = false;
    QStringList members;
    QString owner;

    static PrivateRoomEntry fromJson(const QJsonObject &json);
};

//! A registered account's personal topic `chatter:user:<nick>` (docs/conversations.md): the
//! DMs and read state at join, then notifications (dm, mention), read markers and mute
//! settings from the user's other devices, invitations to private rooms; and the requests
//! that make conversations (open_dm, create_group). Owned by ChatSession, one per socket;
//! GUI thread. The topic is the server's spelling (the session answer's `personal_topic`).
class PersonalChannel : public QObject
{
    Q_OBJECT
public:
    //! `topic` and `with` of the DM, or `error`.
    using DmOpened =
        std::function<void(const QString &topic, const QString &with, const QString &error)>;
    //! The new group's topic, or `error`.
    using GroupCreated = std::function<void(const QString &topic, const QString &error)>;

    PersonalChannel(PhoenixSocket *socket, const QString &topic, QObject *parent = nullptr);
    ~PersonalChannel() override;

    const QString &topic() const { return m_topic; }
    bool isJoined() const { return m_joined; }
    //! The topic's channel, for requests that belong elsewhere (Search); null when left.
    PhoenixChannel *channel() const;

    //! `open_dm {user}`: the DM's topic as the server spells it.
    void openDm(const QString &user, DmOpened done);
    //! `create_group {users}`: a new private room with the caller as owner.
    void createGroup(const QStringList &users, GroupCreated done);

Q_SIGNALS:
    //! Every (re)join: the user's conversations and private rooms as stored.
    void joined(const QList<chatter::client::ConversationState> &conversations,
                const QList<chatter::client::PrivateRoomEntry> &privateRooms);
    void refused(const QString &reason);
    //! `dm`: a DM of this user got a message (maybe on another device, maybe from this user).
    void directMessage(const QString &topic, const chatter::client::ChatMessage &message);
    //! `mention`: a message mentions the user (or `@here` while present).
    void mentioned(const QString &topic, const chatter::client::ChatMessage &message);
    //! `read`/`unread`: the marker moved; `unread` is -1 when the push did not count.
    void readMoved(const QString &topic, qint64 lastReadId, int unread);
    void mutedChanged(const QString &topic, bool muted);
    void invited(const chatter::client::PrivateRoomEntry &room);
    void removed(const QString &topic);

private:
    void onEvent(const QString &event, const QJsonValue &payload);
    void request(const QString &event, const QJsonObject &payload,
                 std::function<void(bool ok, const QJsonObject &response)> done);

    QString m_topic;
    QPointer<PhoenixChannel> m_channel;
    bool m_joined = false;
};

} // namespace chatter::client

Q_DECLARE_METATYPE(chatter::client::ConversationState)
Q_DECLARE_METATYPE(chatter::client::PrivateRoomEntry)
