// SPDX-License-Identifier: MIT
#pragma once

#include "accountclient.h"
#include "certificatepins.h"
#include "chatmessage.h"
#include "socketoptions.h"

#include <QMap>
#include <QObject>
#include <QPointer>

#include <functional>

namespace chatter::client {

class AdminChannel;
class FileClient;
class MemberModel;
class PersonalChannel;
struct ConversationState;
struct PrivateRoomEntry;
class MessageModel;
class PhoenixSocket;
class RoomDirectoryModel;
class RoomListModel;
class RoomSession;
class Search;

//! A chat user's connection to one server: the socket, the joined rooms and their models.
//! Any UI can drive it (widgets, QML, tests); it holds no UI state beyond "current room".
class ChatSession : public QObject
{
    Q_OBJECT
public:
    enum class ConnectionState
    {
        Disconnected,
        Connecting,
        Connected,
        Reconnecting
    };
    Q_ENUM(ConnectionState)

    explicit ChatSession(SocketOptions options = {}, QObject *parent = nullptr);
    ~ChatSession() override;

    //! `server` is `host`, `host:port` or a ws://, wss://, http:// or https:// URL (https
    //! means wss); the port defaults to 4000.
    static QUrl endpointFor(const QString &server);

    //! Connects as `nickname` without a session (a bare guest); rooms already in the list are
    //! (re)joined once open.
    void connectToServer(const QString &server, const QString &nickname);
    //! Connects with a session (signed in, registered or a guest session): its token goes as
    //! the socket's authToken and the nickname is the session's.
    void connectToServer(const QString &server, const Identity &identity);
    void disconnectFromServer();
    //! Revokes the session on the server (`DELETE /api/sessions`), disconnects and forgets
    //! it; `done` gets the server's answer (the session is forgotten here either way).
    void signOut(AccountClient::Callback done = {});
    QString nickname() const { return m_nickname; }
    //! The session this connection speaks for; invalid for a bare guest.
    const Identity &identity() const { return m_identity; }
    //! The `chatter:admin` channel when the session is an admin's, else null.
    AdminChannel *admin() const { return m_admin; }
    //! The account API of the server connected to (same pins as the socket).
    AccountClient *accounts() const { return m_accounts; }
    //! Uploads and downloads on the server connected to, with this session's token and the
    //! socket's certificate pins (docs/files-and-search.md).
    FileClient *files() const { return m_files; }
    QString server() const { return m_server; }
    ConnectionState connectionState() const { return m_state; }
    //! Milliseconds until the next reconnect attempt, -1 if none is scheduled.
    int reconnectRemainingMs() const;
    QString lastError() const { return m_lastError; }

    //! The user trusts `certificate` (shown by untrustedCertificate()): it is pinned for its
    //! host:port and the connection is tried again.
    void trustCertificate(const UntrustedCertificate &certificate);
    //! Drops the pinned certificate of `hostPort`; the next connect asks again.
    void forgetCertificate(const QString &hostPort);
    CertificatePins &certificatePins() { return m_pins; }

    //! Joins `room` (adds it to the list); false with roomError() if the name is invalid.
    bool joinRoom(const QString &room);
    void leaveRoom(const QString &room);
    void setCurrentRoom(const QString &room);
    QString currentRoom() const;
    QStringList roomNames() const;

    //! Sends to the current room.
    bool sendMessage(const QString &body);
    //! False (with sendFailed) when it cannot even be queued: not connected, not in the room,
    //! or an invalid body. While (re)connecting it waits in the room as pending. `replyTo`
    //! makes it a reply to that message of the room. With `attachments` (uploaded files,
    //! at most 10) the body may be empty.
    bool sendMessage(const QString &room, const QString &body, qint64 replyTo = 0,
                     const QList<Attachment> &attachments = {});
    //! Asks for message `id` of `room` again (`history {around: id, limit: 1}`) for fresh
    //! signed URLs of its attachments; the model is updated when the answer comes.
    void refreshAttachments(const QString &room, qint64 id);

    //! What a request about a message or conversation answered: ok, or the server's reason.
    using Done = std::function<void(bool ok, const QString &reason)>;
    //! `room` is a room name or a DM's key (`dm:<a>:<b>`) throughout.
    void editMessage(const QString &room, qint64 id, const QString &body, Done done = {});
    void deleteMessage(const QString &room, qint64 id, Done done = {});
    //! Adds my `emoji` to message `id`, or takes it back if it is there.
    void toggleReaction(const QString &room, qint64 id, const QString &emoji, Done done = {});
    void setMuted(const QString &room, bool muted, Done done = {});
    bool isMuted(const QString &room) const;
    //! The user sees `room`'s newest message: its read marker moves there (docs/conversations.md).
    void markRead(const QString &room);
    //! Whether the user looks at the current room's newest message (the window is shown and
    //! scrolled to the bottom). While true, the current room is marked read as messages come.
    //! True until a UI says otherwise.
    void setAttentive(bool attentive);
    bool isAttentive() const { return m_attentive; }

    //! The personal topic's channel for a registered account, else null.
    PersonalChannel *personal() const { return m_personal; }
    //! Opens (joins and shows) the DM with `user` via `open_dm`; `done` gets the DM's key or
    //! the server's reason.
    void openDirectMessage(const QString &user,
                           std::function<void(const QString &key, const QString &error)> done = {});
    //! `create_group`: a private room with `users`, joined and shown.
    void createGroup(const QStringList &users,
                     std::function<void(const QString &key, const QString &error)> done = {});
    //! Joins `room`, creating it private if it does not exist yet.
    bool createPrivateRoom(const QString &room);
    void invite(const QString &room, const QString &user, Done done = {});
    //! What the room list calls `room`: its name, a DM's other side, a group's members.
    QString titleOf(const QString &room) const;
    //! Presence status on every room: "online", "away", "busy" or "dnd" (do not disturb).
    void setStatus(const QString &status);
    QString status() const { return m_status; }
    //! The user typed in the composer of the current room.
    void noteTyping();
    void loadOlder(const QString &room);
    bool canLoadOlder(const QString &room) const;
    //! The server has older messages of `room` than the oldest held (a page may be loading).
    bool hasOlder(const QString &room) const;

    //! Search over history (Ctrl+F): everywhere on an account, in one conversation for guests.
    Search *search() const { return m_search; }
    //! Opens `room` at message `id` (a search result): joins the conversation when it is not
    //! joined (a public room, a DM), makes it current and shows the message there
    //! (RoomSession::openAt); openedAt() when it is in view, openFailed() if it cannot be.
    void openAtMessage(const QString &room, qint64 id);
    //! While `room` shows a window of history (isDetached), the next newer page.
    void loadNewer(const QString &room);
    bool isDetached(const QString &room) const;

    RoomListModel *rooms() const { return m_rooms; }
    //! All rooms on the server; live while RoomDirectoryModel::setWatching(true).
    RoomDirectoryModel *directory() const { return m_directory; }
    //! Null for a room not joined.
    MessageModel *messages(const QString &room) const;
    MemberModel *members(const QString &room) const;
    QStringList typingUsers(const QString &room) const;
    RoomSession *room(const QString &room) const { return m_roomSessions.value(room); }
    PhoenixSocket *socket() const { return m_socket; }

Q_SIGNALS:
    void connectionStateChanged(chatter::client::ChatSession::ConnectionState state);
    //! A reconnect is due in `delayMs`; `error` says why the last attempt ended.
    void reconnectScheduled(int delayMs, const QString &error);
    //! A wss:// server's certificate is neither verified nor pinned (the user may trust it
    //! with trustCertificate()), or differs from the pinned one (certificate.changed(): the
    //! connection is refused). Either way no reconnect is scheduled.
    void untrustedCertificate(const chatter::client::UntrustedCertificate &certificate);
    //! The server refused the session token: it was revoked (signed out elsewhere, password
    //! changed) or has expired. The connection stops retrying; the user must sign in again.
    void sessionExpired(const QString &message);
    //! admin() was made or dropped (connecting as an admin, or as someone else).
    void adminChanged();
    void currentRoomChanged(const QString &room);
    //! Every room's models were replaced (connecting anew, e.g. as another nickname): views
    //! showing the old ones must take the new ones, even though the current room is the same.
    void roomModelsReplaced();
    void roomJoined(const QString &room, bool rejoin);
    void roomError(const QString &room, const QString &reason);
    void roomLeft(const QString &room);
    //! A new message from someone else (for notifications). Unread counts are already updated.
    void messageReceived(const QString &room, const chatter::client::ChatMessage &message);
    void sendFailed(const QString &room, const QString &reason);
    void typingChanged(const QString &room, const QStringList &users);
    void olderLoaded(const QString &room, int count);
    void newerLoaded(const QString &room, int count);
    //! `room`'s message `id` is in its model (openAtMessage): the view scrolls to it and
    //! highlights it.
    void openedAt(const QString &room, qint64 id);
    void openFailed(const QString &room, qint64 id, const QString &reason);
    //! `room` shows a window of history (true) or is back at the live end (false).
    void detachedChanged(const QString &room, bool detached);
    //! A mention of me in a conversation this session has not joined (the personal topic's
    //! `mention`); mentions in joined ones come as messageReceived with `mention` set.
    void mentionReceived(const QString &room, const chatter::client::ChatMessage &message);
    //! The server removed me from the private room `room`; it is gone from the list.
    void removedFromRoom(const QString &room);
    void statusChanged(const QString &status);
    //! personal() was made or dropped.
    void personalChanged();

private:
    //! The conversation's session, or null after telling `done` it is not joined.
    RoomSession *joinedOrRefuse(const QString &room, const Done &done) const;
    void setState(ConnectionState state);
    void createSocket();
    RoomSession *addRoomSession(const QString &room);
    void connectAs(const QString &server, const QString &nickname);
    //! After a refused upgrade: asks the server whether the token still counts.
    void checkSession();
    void createPersonal();
    void onPersonalJoined(const QList<ConversationState> &conversations,
                          const QList<PrivateRoomEntry> &privateRooms);
    //! Lists and joins a DM, private room or group (no room name check: the server named it).
    RoomSession *joinConversation(const QString &key, int kind, const QString &title);
    void joinPrivateRoom(const PrivateRoomEntry &room);
    //! Marks the current room read when the user is looking at it.
    void readCurrentIfAttentive();
    void syncUnread(const QString &room);
    QString groupTitle(const QStringList &members) const;
    SocketOptions m_options;
    CertificatePins m_pins;
    AccountClient *m_accounts;
    FileClient *m_files;
    Identity m_identity;
    bool m_checkingSession = false;
    PhoenixSocket *m_socket = nullptr;
    AdminChannel *m_admin = nullptr;
    PersonalChannel *m_personal = nullptr;
    bool m_attentive = true;
    QString m_status = QStringLiteral("online");
    RoomListModel *m_rooms;
    RoomDirectoryModel *m_directory;
    Search *m_search;
    QMap<QString, RoomSession *> m_roomSessions;
    QString m_nickname;
    //! Who the list's DMs and private rooms belong to.
    QString m_previousNickname;
    QString m_server;
    QString m_lastError;
    ConnectionState m_state = ConnectionState::Disconnected;
};

} // namespace chatter::client
