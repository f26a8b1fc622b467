// SPDX-License-Identifier: MIT
#include "chatsession.h"

#include "adminchannel.h"
#include "chatvalidation.h"
#include "events.h"
#include "fileclient.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "personalchannel.h"
#include "phoenixchannel.h"
#include "phoenixsocket.h"
#include "roomdirectorymodel.h"
#include "roomlistmodel.h"
#include "roomsession.h"
#include "search.h"
#include "topics.h"

#include <QUrlQuery>

#include <algorithm>

namespace chatter::client {

namespace {

//! DMs joined at sign-in, newest first: each is a channel, and a socket may hold 100.
constexpr int MaxDmsJoinedAtStart = 40;

} // namespace

ChatSession::ChatSession(SocketOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_accounts(new AccountClient(this)),
      m_files(new FileClient(this)), m_rooms(new RoomListModel(this)),
      m_directory(new RoomDirectoryModel(this)), m_search(new Search(this, this))
{
    m_accounts->setCertificatePins(&m_pins);
    m_files->setCertificatePins(&m_pins);
}

ChatSession::~ChatSession()
{
    // Rooms leave their channels on destruction; do it while the socket still exists.
    qDeleteAll(m_roomSessions);
    m_roomSessions.clear();
    delete m_admin;
    delete m_personal;
    m_directory->setSocket(nullptr);
    delete m_socket;
}

QUrl ChatSession::endpointFor(const QString &server)
{
    QString text = server.trimmed();
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("ws://"));
    QUrl url(text);
    if (url.scheme() == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (url.scheme() == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    if (url.port() < 0 &&
        (url.scheme() == QLatin1String("ws") || url.scheme() == QLatin1String("wss")))
        url.setPort(4000); // Chatter's port, plain or TLS
    if (url.path().isEmpty() || url.path() == QLatin1String("/"))
        url.setPath(QStringLiteral("/socket"));
    url.setQuery(QString());
    return url;
}

void ChatSession::connectToServer(const QString &server, const QString &nickname)
{
    m_identity = {};
    connectAs(server, nickname);
}

void ChatSession::connectToServer(const QString &server, const Identity &identity)
{
    m_identity = identity;
    connectAs(server, identity.user);
}

void ChatSession::signOut(AccountClient::Callback done)
{
    const QString token = m_identity.token;
    m_identity = {};
    m_files->setToken({});
    disconnectFromServer();
    if (token.isEmpty()) {
        AccountResult nothingToRevoke;
        nothingToRevoke.status = 200;
        if (done)
            done(nothingToRevoke);
        return;
    }
    m_accounts->signOut(token, [done = std::move(done)](const AccountResult &result) {
        if (done)
            done(result);
    });
}

void ChatSession::checkSession()
{
    if (m_checkingSession || m_identity.token.isEmpty())
        return;
    m_checkingSession = true;
    const QString token = m_identity.token;
    m_accounts->whoAmI(token, [this, token](const AccountResult &result) {
        m_checkingSession = false;
        // Only a 401 says the token is gone; anything else (a ban, a nickname rule, a server
        // half up) is for the ordinary retry.
        if (result.status != 401 || token != m_identity.token)
            return;
        m_identity.token.clear(); // the socket must not retry with it
        m_files->setToken({});
        if (m_socket)
            m_socket->close();
        m_lastError = tr("your session has ended (signed out, password changed or expired); "
                         "sign in again");
        setState(ConnectionState::Disconnected);
        Q_EMIT sessionExpired(m_lastError);
    });
}

void ChatSession::connectAs(const QString &server, const QString &nickname)
{
    m_server = server;
    m_accounts->setServer(server);
    m_files->setServer(server);
    m_files->setToken(m_identity.token);
    m_nickname = nickname;
    // What the user typed while not connected goes out once the new connection joins.
    QMap<QString, QList<RoomSession::Outgoing>> outboxes;
    for (auto it = m_roomSessions.cbegin(); it != m_roomSessions.cend(); ++it)
        outboxes.insert(it.key(), it.value()->takeOutbox());
    const bool replaced = !m_roomSessions.isEmpty();
    const bool hadAdmin = m_admin != nullptr;
    delete std::exchange(m_admin, nullptr);
    const bool hadPersonal = m_personal != nullptr;
    delete std::exchange(m_personal, nullptr);
    // Another person's DMs and private rooms are not this one's.
    if (nickname != m_previousNickname) {
        for (const QString &room : m_rooms->names()) {
            if (m_rooms->kind(room) != RoomListModel::Kind::Room)
                m_rooms->removeRoom(room);
        }
    }
    m_previousNickname = nickname;
    if (m_socket) {
        m_socket->close();
        m_directory->setSocket(nullptr);
        qDeleteAll(m_roomSessions);
        m_roomSessions.clear();
        delete m_socket;
        m_socket = nullptr;
    }
    createSocket();
    // Rooms from before (a reconnect to another server or as another nick) start afresh.
    for (const QString &room : m_rooms->names()) {
        m_rooms->setStatus(room, RoomListModel::Status::Joining);
        RoomSession *session = addRoomSession(room);
        for (const RoomSession::Outgoing &message : outboxes.value(room))
            session->send(message.body, message.replyTo, message.attachments);
        session->join();
    }
    if (replaced || !m_rooms->names().isEmpty())
        Q_EMIT roomModelsReplaced();
    // The server refuses anyone else's join; only an admin's session tries.
    if (m_identity.isAdmin())
        m_admin = new AdminChannel(m_socket, this);
    if (hadAdmin || m_admin)
        Q_EMIT adminChanged();
    createPersonal();
    if (hadPersonal || m_personal)
        Q_EMIT personalChanged();
    setState(ConnectionState::Connecting);
    m_socket->open();
}

void ChatSession::createSocket()
{
    m_socket = new PhoenixSocket(endpointFor(m_server), m_options, this);
    m_socket->setCertificatePins(&m_pins);
    m_socket->setAuthToken(m_identity.token);
    m_directory->setSocket(m_socket);
    connect(m_socket, &PhoenixSocket::untrustedCertificate, this,
            &ChatSession::untrustedCertificate);
    m_socket->setParams([this] {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("user"),
                           QString::fromLatin1(QUrl::toPercentEncoding(m_nickname)));
        query.addQueryItem(QStringLiteral("client"), QStringLiteral("desktop"));
        return query;
    });
    connect(m_socket, &PhoenixSocket::opened, this, [this] {
        m_lastError.clear();
        setState(ConnectionState::Connected);
    });
    connect(m_socket, &PhoenixSocket::transportError, this,
            [this](const QString &message) { m_lastError = message; });
    connect(m_socket, &PhoenixSocket::closed, this, [this](int code, const QString &reason) {
        if (!reason.isEmpty())
            m_lastError = reason;
        if (code == 1000 && m_state == ConnectionState::Connected)
            m_lastError = tr("the server closed the connection");
        // A session's connect refused (or its socket closed: revoking closes them) may mean
        // the token is gone; the server's HTTP refusal has no room to say which.
        const int refusal = m_socket->lastRefusalStatus();
        if (!m_identity.token.isEmpty() &&
            (refusal == 401 || refusal == 403 || m_state == ConnectionState::Connected))
            checkSession();
        // Stays "reconnecting" if a reconnect gets scheduled right after this.
        setState(ConnectionState::Disconnected);
    });
    connect(m_socket, &PhoenixSocket::reconnectScheduled, this, [this](int delayMs, int) {
        setState(ConnectionState::Reconnecting);
        Q_EMIT reconnectScheduled(delayMs, m_lastError);
    });
    connect(m_socket, &PhoenixSocket::stateChanged, this, [this](PhoenixSocket::State state) {
        if (state == PhoenixSocket::State::Connecting && m_state == ConnectionState::Disconnected)
            setState(ConnectionState::Connecting);
    });
}

void ChatSession::trustCertificate(const UntrustedCertificate &certificate)
{
    m_pins.pin(certificate.hostPort, certificate.fingerprint);
    if (m_socket && m_socket->hostPort() == certificate.hostPort &&
        m_state == ConnectionState::Disconnected) {
        setState(ConnectionState::Connecting);
        m_socket->open();
    }
}

void ChatSession::forgetCertificate(const QString &hostPort)
{
    m_pins.forget(hostPort);
}

void ChatSession::disconnectFromServer()
{
    if (m_socket)
        m_socket->close();
    setState(ConnectionState::Disconnected);
}

int ChatSession::reconnectRemainingMs() const
{
    return m_socket ? m_socket->reconnectRemainingMs() : -1;
}

void ChatSession::setState(ConnectionState state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT connectionStateChanged(state);
}

bool ChatSession::joinRoom(const QString &room)
{
    if (const auto valid = validation::checkRoomName(room); !valid) {
        Q_EMIT roomError(room, valid.error());
        return false;
    }
    if (m_roomSessions.contains(room)) {
        setCurrentRoom(room);
        return true;
    }
    m_rooms->addRoom(room);
    if (m_socket)
        addRoomSession(room)->join();
    if (currentRoom().isEmpty())
        setCurrentRoom(room);
    return true;
}

RoomSession *ChatSession::addRoomSession(const QString &room)
{
    auto *session = new RoomSession(room, m_nickname, m_socket, this);
    m_roomSessions.insert(room, session);
    connect(session, &RoomSession::joined, this, [this, room, session](bool rejoin) {
        m_rooms->setStatus(room, RoomListModel::Status::Joined);
        // The server starts every join as "online".
        if (m_status != QLatin1String("online") && session->channel())
            session->channel()->push(events::Status, {{QStringLiteral("status"), m_status}});
        syncUnread(room);
        Q_EMIT roomJoined(room, rejoin);
        if (room == currentRoom())
            readCurrentIfAttentive();
    });
    connect(session, &RoomSession::readStateChanged, this, [this, room] { syncUnread(room); });
    connect(session, &RoomSession::mutedChanged, this,
            [this, room](bool muted) { m_rooms->setMuted(room, muted); });
    connect(session, &RoomSession::privateInfoChanged, this, [this, room, session] {
        const PrivateRoomInfo &info = session->privateInfo();
        if (!info.isPrivate || topics::isDmKey(room))
            return;
        m_rooms->setKind(room,
                         info.group ? RoomListModel::Kind::Group : RoomListModel::Kind::PrivateRoom,
                         info.group ? groupTitle(info.members) : room);
    });
    connect(session, &RoomSession::closedByServer, this, [this, room] {
        // Removed from a private room: the channel is gone and will not come back.
        leaveRoom(room);
        Q_EMIT removedFromRoom(room);
    });
    connect(session, &RoomSession::joinRefused, this, [this, room](const QString &reason) {
        m_rooms->setStatus(room, RoomListModel::Status::Error, reason);
        Q_EMIT roomError(room, reason);
    });
    connect(session, &RoomSession::connectionLost, this, [this, room](const QString &reason) {
        m_rooms->setStatus(room, RoomListModel::Status::Joining, reason);
    });
    connect(session, &RoomSession::messageArrived, this, [this, room](const ChatMessage &message) {
        if (message.own)
            return;
        // The session counted it unread already; in view, it is read at once.
        if (room == currentRoom())
            readCurrentIfAttentive();
        Q_EMIT messageReceived(room, message);
    });
    connect(session, &RoomSession::sendFailed, this,
            [this, room](const QString &reason) { Q_EMIT sendFailed(room, reason); });
    connect(session, &RoomSession::typingChanged, this,
            [this, room](const QStringList &users) { Q_EMIT typingChanged(room, users); });
    connect(session, &RoomSession::olderLoaded, this,
            [this, room](int count) { Q_EMIT olderLoaded(room, count); });
    connect(session, &RoomSession::newerLoaded, this,
            [this, room](int count) { Q_EMIT newerLoaded(room, count); });
    connect(session, &RoomSession::openedAt, this,
            [this, room](qint64 id) { Q_EMIT openedAt(room, id); });
    connect(
        session, &RoomSession::openFailed, this,
        [this, room](qint64 id, const QString &reason) { Q_EMIT openFailed(room, id, reason); });
    connect(session, &RoomSession::detachedChanged, this, [this, room](bool detached) {
        Q_EMIT detachedChanged(room, detached);
        // Back at the live end in view: what is shown now is read.
        if (!detached && room == currentRoom())
            readCurrentIfAttentive();
    });
    return session;
}

void ChatSession::leaveRoom(const QString &room)
{
    RoomSession *session = m_roomSessions.take(room);
    if (session) {
        session->leave();
        session->deleteLater();
    }
    const int row = m_rooms->rowOf(room);
    const bool wasCurrent = currentRoom() == room;
    m_rooms->removeRoom(room);
    Q_EMIT roomLeft(room);
    if (wasCurrent) {
        // Move to the neighbour, as a tab bar does; after the last room there is none, and the
        // window must still hear that the room it shows is gone.
        const QStringList names = m_rooms->names();
        if (names.isEmpty())
            Q_EMIT currentRoomChanged(QString());
        else
            setCurrentRoom(names.at(qBound(0, row, int(names.size()) - 1)));
    }
}

void ChatSession::setCurrentRoom(const QString &room)
{
    if (room == m_rooms->current() && (room.isEmpty() || m_rooms->rowOf(room) >= 0))
        return;
    if (RoomSession *previous = m_roomSessions.value(m_rooms->current()))
        previous->stopTyping();
    m_rooms->setCurrent(room);
    Q_EMIT currentRoomChanged(room);
    readCurrentIfAttentive();
}

QString ChatSession::currentRoom() const
{
    return m_rooms->current();
}

QStringList ChatSession::roomNames() const
{
    return m_rooms->names();
}

bool ChatSession::sendMessage(const QString &body)
{
    return sendMessage(currentRoom(), body);
}

bool ChatSession::sendMessage(const QString &room, const QString &body, qint64 replyTo,
                              const QList<Attachment> &attachments)
{
    if (const QString problem = RoomSession::checkMessage(body, attachments); !problem.isEmpty()) {
        Q_EMIT sendFailed(room, problem);
        return false;
    }
    RoomSession *session = m_roomSessions.value(room);
    if (!session) {
        Q_EMIT sendFailed(room, m_socket ? tr("not in a room")
                                         : tr("not connected (Chat › Connect… to connect)"));
        return false;
    }
    session->send(body, replyTo, attachments);
    return true;
}

void ChatSession::refreshAttachments(const QString &room, qint64 id)
{
    if (RoomSession *session = m_roomSessions.value(room))
        session->refreshAttachments(id);
}

void ChatSession::noteTyping()
{
    if (RoomSession *session = m_roomSessions.value(currentRoom()))
        session->noteTyping();
}

void ChatSession::openAtMessage(const QString &room, qint64 id)
{
    RoomSession *session = m_roomSessions.value(room);
    if (!session) {
        if (!m_socket) {
            Q_EMIT openFailed(room, id, tr("not connected"));
            return;
        }
        // Search reaches conversations not joined here: public rooms, and a DM not yet listed.
        if (topics::isDmKey(room))
            joinConversation(room, int(RoomListModel::Kind::Direct), {});
        else if (!joinRoom(room))
            return;
        session = m_roomSessions.value(room);
        if (!session)
            return;
    }
    setCurrentRoom(room);
    session->openAt(id);
}

void ChatSession::loadNewer(const QString &room)
{
    if (RoomSession *session = m_roomSessions.value(room))
        session->loadNewer();
}

bool ChatSession::isDetached(const QString &room) const
{
    const RoomSession *session = m_roomSessions.value(room);
    return session && session->isDetached();
}

void ChatSession::loadOlder(const QString &room)
{
    if (RoomSession *session = m_roomSessions.value(room))
        session->loadOlder();
}

bool ChatSession::canLoadOlder(const QString &room) const
{
    const RoomSession *session = m_roomSessions.value(room);
    return session && session->canLoadOlder();
}

bool ChatSession::hasOlder(const QString &room) const
{
    const RoomSession *session = m_roomSessions.value(room);
    return session && session->hasOlder();
}

MessageModel *ChatSession::messages(const QString &room) const
{
    const RoomSession *session = m_roomSessions.value(room);
    return session ? session->messages() : nullptr;
}

MemberModel *ChatSession::members(const QString &room) const
{
    const RoomSession *session = m_roomSessions.value(room);
    return session ? session->members() : nullptr;
}

QStringList ChatSession::typingUsers(const QString &room) const
{
    const RoomSession *session = m_roomSessions.value(room);
    return session ? session->typingUsers() : QStringList();
}

void ChatSession::createPersonal()
{
    if (!m_identity.isRegistered() || m_identity.personalTopic.isEmpty())
        return;
    m_personal = new PersonalChannel(m_socket, m_identity.personalTopic, this);
    connect(m_personal, &PersonalChannel::joined, this, &ChatSession::onPersonalJoined);
    connect(m_personal, &PersonalChannel::directMessage, this,
            [this](const QString &topic, const ChatMessage &message) {
                const QString key = topics::conversationKey(topic);
                if (key.isEmpty() || m_roomSessions.contains(key))
                    return; // the DM's own channel brings it
                const QString with = message.user.compare(m_nickname, Qt::CaseInsensitive) == 0
                                         ? QString()
                                         : message.user;
                joinConversation(key, int(RoomListModel::Kind::Direct), with);
                if (!with.isEmpty())
                    Q_EMIT messageReceived(key, message);
            });
    connect(m_personal, &PersonalChannel::mentioned, this,
            [this](const QString &topic, ChatMessage message) {
                const QString key = topics::conversationKey(topic);
                if (m_roomSessions.contains(key))
                    return; // the room's own message says it, with its mention flag
                message.mention = true;
                Q_EMIT mentionReceived(key.isEmpty() ? topic : key, message);
            });
    connect(m_personal, &PersonalChannel::readMoved, this,
            [this](const QString &topic, qint64 lastReadId, int unread) {
                if (RoomSession *session = m_roomSessions.value(topics::conversationKey(topic)))
                    session->applyReadMarker(lastReadId, unread);
            });
    connect(m_personal, &PersonalChannel::mutedChanged, this,
            [this](const QString &topic, bool muted) {
                if (RoomSession *session = m_roomSessions.value(topics::conversationKey(topic)))
                    session->applyMuted(muted);
            });
    connect(m_personal, &PersonalChannel::invited, this, &ChatSession::joinPrivateRoom);
    connect(m_personal, &PersonalChannel::removed, this, [this](const QString &topic) {
        const QString key = topics::conversationKey(topic);
        if (m_rooms->rowOf(key) < 0)
            return;
        leaveRoom(key);
        Q_EMIT removedFromRoom(key);
    });
}

void ChatSession::onPersonalJoined(const QList<ConversationState> &conversations,
                                   const QList<PrivateRoomEntry> &privateRooms)
{
    QList<ConversationState> dms;
    for (const ConversationState &c : conversations) {
        const QString key = topics::conversationKey(c.topic);
        if (topics::isDmKey(key))
            dms.append(c);
        else if (RoomSession *session = m_roomSessions.value(key))
            session->applyMuted(c.muted);
    }
    std::sort(dms.begin(), dms.end(), [](const ConversationState &a, const ConversationState &b) {
        return a.lastId > b.lastId;
    });
    for (int i = 0; i < dms.size() && i < MaxDmsJoinedAtStart; ++i) {
        const QString key = topics::conversationKey(dms.at(i).topic);
        RoomSession *session =
            joinConversation(key, int(RoomListModel::Kind::Direct), dms.at(i).with);
        session->applyMuted(dms.at(i).muted);
    }
    for (const PrivateRoomEntry &room : privateRooms)
        joinPrivateRoom(room);
}

void ChatSession::joinPrivateRoom(const PrivateRoomEntry &room)
{
    const QString key = room.name.isEmpty() ? topics::conversationKey(room.topic) : room.name;
    if (key.isEmpty())
        return;
    joinConversation(
        key, int(room.group ? RoomListModel::Kind::Group : RoomListModel::Kind::PrivateRoom),
        room.group ? groupTitle(room.members) : key);
}

RoomSession *ChatSession::joinConversation(const QString &key, int kind, const QString &title)
{
    const auto listKind = RoomListModel::Kind(kind);
    // A DM first heard of by its own message's echo has no title yet: the key names both.
    QString shown = title;
    if (shown.isEmpty() && topics::isDmKey(key)) {
        const QStringList two = key.sliced(topics::DmKeyPrefix.size()).split(u':');
        for (const QString &nick : two) {
            if (nick.compare(m_nickname, Qt::CaseInsensitive) != 0)
                shown = nick;
        }
    }
    if (m_rooms->rowOf(key) >= 0 && !shown.isEmpty())
        m_rooms->setKind(key, listKind, shown);
    else
        m_rooms->addRoom(key, listKind, shown);
    RoomSession *session = m_roomSessions.value(key);
    if (!session && m_socket) {
        session = addRoomSession(key);
        session->join();
    }
    if (currentRoom().isEmpty())
        setCurrentRoom(key);
    return session;
}

QString ChatSession::groupTitle(const QStringList &members) const
{
    QStringList others;
    for (const QString &member : members) {
        if (member.compare(m_nickname, Qt::CaseInsensitive) != 0)
            others.append(member);
    }
    others.sort(Qt::CaseInsensitive);
    return others.isEmpty() ? tr("Just you") : others.join(QStringLiteral(", "));
}

void ChatSession::openDirectMessage(const QString &user,
                                    std::function<void(const QString &, const QString &)> done)
{
    if (!m_personal) {
        if (done)
            done({}, tr("direct messages need a registered account"));
        return;
    }
    m_personal->openDm(user, [this, done = std::move(done)](
                                 const QString &topic, const QString &with, const QString &error) {
        const QString key = topics::conversationKey(topic);
        if (!error.isEmpty() || !topics::isDmKey(key)) {
            if (done)
                done({}, error.isEmpty() ? tr("the server named no conversation") : error);
            return;
        }
        joinConversation(key, int(RoomListModel::Kind::Direct), with);
        setCurrentRoom(key);
        if (done)
            done(key, {});
    });
}

void ChatSession::createGroup(const QStringList &users,
                              std::function<void(const QString &, const QString &)> done)
{
    if (!m_personal) {
        if (done)
            done({}, tr("group conversations need a registered account"));
        return;
    }
    m_personal->createGroup(
        users, [this, users, done = std::move(done)](const QString &topic, const QString &error) {
            const QString key = topics::conversationKey(topic);
            if (!error.isEmpty() || key.isEmpty()) {
                if (done)
                    done({}, error.isEmpty() ? tr("the server named no conversation") : error);
                return;
            }
            joinConversation(key, int(RoomListModel::Kind::Group),
                             groupTitle(QStringList(users) << m_nickname));
            setCurrentRoom(key);
            if (done)
                done(key, {});
        });
}

bool ChatSession::createPrivateRoom(const QString &room)
{
    if (const auto valid = validation::checkRoomName(room); !valid) {
        Q_EMIT roomError(room, valid.error());
        return false;
    }
    if (m_roomSessions.contains(room)) {
        setCurrentRoom(room);
        return true;
    }
    m_rooms->addRoom(room, RoomListModel::Kind::PrivateRoom, room);
    if (m_socket) {
        RoomSession *session = addRoomSession(room);
        session->setCreatePrivate(true);
        session->join();
    }
    setCurrentRoom(room);
    return true;
}

void ChatSession::invite(const QString &room, const QString &user, Done done)
{
    if (RoomSession *session = joinedOrRefuse(room, done))
        session->invite(user, std::move(done));
}

RoomSession *ChatSession::joinedOrRefuse(const QString &room, const Done &done) const
{
    RoomSession *session = m_roomSessions.value(room);
    if (!session && done)
        done(false, tr("not in this conversation"));
    return session;
}

QString ChatSession::titleOf(const QString &room) const
{
    return m_rooms->title(room);
}

void ChatSession::editMessage(const QString &room, qint64 id, const QString &body, Done done)
{
    if (RoomSession *session = joinedOrRefuse(room, done))
        session->editMessage(id, body, std::move(done));
}

void ChatSession::deleteMessage(const QString &room, qint64 id, Done done)
{
    if (RoomSession *session = joinedOrRefuse(room, done))
        session->deleteMessage(id, std::move(done));
}

void ChatSession::toggleReaction(const QString &room, qint64 id, const QString &emoji, Done done)
{
    if (RoomSession *session = joinedOrRefuse(room, done))
        session->toggleReaction(id, emoji, std::move(done));
}

void ChatSession::setMuted(const QString &room, bool muted, Done done)
{
    if (RoomSession *session = joinedOrRefuse(room, done))
        session->setMuted(muted, std::move(done));
}

bool ChatSession::isMuted(const QString &room) const
{
    return m_rooms->isMuted(room);
}

void ChatSession::markRead(const QString &room)
{
    if (RoomSession *session = m_roomSessions.value(room))
        session->markRead();
}

void ChatSession::setAttentive(bool attentive)
{
    if (m_attentive == attentive)
        return;
    m_attentive = attentive;
    readCurrentIfAttentive();
}

void ChatSession::readCurrentIfAttentive()
{
    if (m_attentive && !currentRoom().isEmpty())
        markRead(currentRoom());
}

void ChatSession::syncUnread(const QString &room)
{
    if (const RoomSession *session = m_roomSessions.value(room))
        m_rooms->setUnread(room, session->unreadCount(), session->unreadMention());
}

void ChatSession::setStatus(const QString &status)
{
    if (m_status == status)
        return;
    m_status = status;
    for (RoomSession *session : std::as_const(m_roomSessions)) {
        if (session->isJoined())
            session->channel()->push(events::Status, {{QStringLiteral("status"), status}});
    }
    Q_EMIT statusChanged(status);
}

} // namespace chatter::client
