// SPDX-License-Identifier: MIT
#include "chatsession.h"

#include "adminchannel.h"
#include "chatvalidation.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "phoenixsocket.h"
#include "roomdirectorymodel.h"
#include "roomlistmodel.h"
#include "roomsession.h"

#include <QUrlQuery>

namespace chatter::client {

ChatSession::ChatSession(SocketOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_accounts(new AccountClient(this)),
      m_rooms(new RoomListModel(this)), m_directory(new RoomDirectoryModel(this))
{
    m_accounts->setCertificatePins(&m_pins);
}

ChatSession::~ChatSession()
{
    // Rooms leave their channels on destruction; do it while the socket still exists.
    qDeleteAll(m_roomSessions);
    m_roomSessions.clear();
    delete m_admin;
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
    m_nickname = nickname;
    // What the user typed while not connected goes out once the new connection joins.
    QMap<QString, QStringList> outboxes;
    for (auto it = m_roomSessions.cbegin(); it != m_roomSessions.cend(); ++it)
        outboxes.insert(it.key(), it.value()->takeOutbox());
    const bool replaced = !m_roomSessions.isEmpty();
    const bool hadAdmin = m_admin != nullptr;
    delete std::exchange(m_admin, nullptr);
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
        for (const QString &body : outboxes.value(room))
            session->send(body);
        session->join();
    }
    if (replaced || !m_rooms->names().isEmpty())
        Q_EMIT roomModelsReplaced();
    // The server refuses anyone else's join; only an admin's session tries.
    if (m_identity.isAdmin())
        m_admin = new AdminChannel(m_socket, this);
    if (hadAdmin || m_admin)
        Q_EMIT adminChanged();
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
    connect(session, &RoomSession::joined, this, [this, room](bool rejoin) {
        m_rooms->setStatus(room, RoomListModel::Status::Joined);
        Q_EMIT roomJoined(room, rejoin);
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
        if (room != currentRoom())
            m_rooms->addUnread(room, message.mention);
        Q_EMIT messageReceived(room, message);
    });
    connect(session, &RoomSession::sendFailed, this,
            [this, room](const QString &reason) { Q_EMIT sendFailed(room, reason); });
    connect(session, &RoomSession::typingChanged, this,
            [this, room](const QStringList &users) { Q_EMIT typingChanged(room, users); });
    connect(session, &RoomSession::olderLoaded, this,
            [this, room](int count) { Q_EMIT olderLoaded(room, count); });
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

bool ChatSession::sendMessage(const QString &room, const QString &body)
{
    if (const auto valid = validation::checkBody(body); !valid) {
        Q_EMIT sendFailed(room, valid.error());
        return false;
    }
    RoomSession *session = m_roomSessions.value(room);
    if (!session) {
        Q_EMIT sendFailed(room, m_socket ? tr("not in a room")
                                         : tr("not connected (Chat › Connect… to connect)"));
        return false;
    }
    session->send(body);
    return true;
}

void ChatSession::noteTyping()
{
    if (RoomSession *session = m_roomSessions.value(currentRoom()))
        session->noteTyping();
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

} // namespace chatter::client
