// SPDX-License-Identifier: MIT
#include "roomsession.h"

#include "chatvalidation.h"
#include "events.h"
#include "membermodel.h"
#include "messagemodel.h"
#include "phoenixchannel.h"
#include "phoenixsocket.h"
#include "push.h"
#include "topics.h"

#include <QJsonArray>

namespace chatter::client {

QString RoomSession::topicFor(const QString &room)
{
    return topics::room(room);
}

RoomSession::RoomSession(QString name, QString nickname, PhoenixSocket *socket, QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_nickname(std::move(nickname)), m_socket(socket),
      m_messages(new MessageModel(this)), m_members(new MemberModel(this))
{
    m_members->setMyNickname(m_nickname);
    m_typingIdle.setSingleShot(true);
    m_typingIdle.setInterval(TypingIdleMs);
    connect(&m_typingIdle, &QTimer::timeout, this, &RoomSession::stopTyping);
    m_rejoinSettle.setSingleShot(true);
    m_rejoinSettle.setInterval(socket ? socket->options().rejoinSettleMs : 0);
    connect(&m_rejoinSettle, &QTimer::timeout, this, &RoomSession::settleHeldLeaves);
    setupPresence();
}

RoomSession::~RoomSession()
{
    if (m_channel)
        m_channel->leave();
}

void RoomSession::setupPresence()
{
    // Join/leave lines only for changes after the first sync: the first state lists people
    // who were already there, and the own nickname is not news.
    m_presence.setJoinHandler(
        [this](const QString &key, const QJsonObject &current, const QJsonObject &) {
            if (!m_presenceSynced || !current.isEmpty() || key == m_nickname)
                return;
            // Back within the settle window: the "left" never happened as far as people care.
            if (m_heldLeaves.remove(key))
                return;
            m_messages->append(
                ChatMessage::system(ChatMessage::Kind::Joined, key, tr("%1 joined").arg(key)));
        });
    m_presence.setLeaveHandler(
        [this](const QString &key, const QJsonObject &remaining, const QJsonObject &) {
            if (!remaining.value(QLatin1String("metas")).toArray().isEmpty())
                return;
            setPeerTyping(key, false);
            if (m_presenceSynced && key != m_nickname)
                noteLeft(key);
        });
    m_presence.setSyncHandler([this] {
        m_presenceSynced = true;
        m_members->setPresence(m_presence.state());
    });
}

void RoomSession::noteLeft(const QString &user)
{
    if (m_rejoinSettle.isActive()) {
        m_heldLeaves.insert(user);
        return;
    }
    m_messages->append(ChatMessage::system(ChatMessage::Kind::Left, user, tr("%1 left").arg(user)));
}

void RoomSession::settleHeldLeaves()
{
    QStringList gone(m_heldLeaves.cbegin(), m_heldLeaves.cend());
    m_heldLeaves.clear();
    gone.sort(Qt::CaseInsensitive);
    for (const QString &user : std::as_const(gone))
        m_messages->append(
            ChatMessage::system(ChatMessage::Kind::Left, user, tr("%1 left").arg(user)));
}

QStringList RoomSession::typingUsers() const
{
    QStringList users = m_typingPeers.keys();
    users.sort(Qt::CaseInsensitive);
    return users;
}

bool RoomSession::isJoined() const
{
    return m_channel && m_channel->state() == PhoenixChannel::State::Joined;
}

void RoomSession::join()
{
    if (m_channel)
        return;
    attachChannel();
    m_channel->join();
}

void RoomSession::attachChannel()
{
    m_channel = m_socket->channel(topicFor(m_name), [this] { return joinParams(); });
    connect(m_channel, &PhoenixChannel::joined, this, &RoomSession::onJoined);
    connect(m_channel, &PhoenixChannel::joinRefused, this, [this](const QJsonObject &response) {
        Q_EMIT joinRefused(response.value(QLatin1String("reason")).toString(tr("refused")));
    });
    connect(m_channel, &PhoenixChannel::errored, this, [this](const QJsonObject &reason) {
        Q_EMIT connectionLost(reason.value(QLatin1String("reason")).toString());
    });
    connect(m_channel, &PhoenixChannel::eventReceived, this, &RoomSession::onEvent);
}

QJsonObject RoomSession::joinParams() const
{
    // Re-evaluated on every rejoin: after a reconnect the server sends what we missed.
    m_joinLastSeen = m_messages->lastId();
    if (m_joinLastSeen > 0)
        return {{QStringLiteral("last_seen_id"), m_joinLastSeen}};
    return {};
}

void RoomSession::leave()
{
    stopTyping();
    if (m_channel)
        m_channel->leave();
    m_channel = nullptr;
}

void RoomSession::onJoined(const QJsonObject &response)
{
    const bool rejoin = m_joinedBefore;
    m_joinedBefore = true;
    const qint64 lastSeen = m_joinLastSeen;
    const QJsonArray messages = response.value(QLatin1String("messages")).toArray();
    const bool more = response.value(QLatin1String("more")).toBool();
    for (const QJsonValue &value : messages) {
        auto message = ChatMessage::fromJson(value.toObject());
        if (!message)
            continue;
        const bool catchUp = lastSeen > 0 || rejoin;
        const ChatMessage decorated = decorate(*message);
        // History from a first join is old news; what a rejoin brings was missed while away.
        if (m_messages->append(decorated) && catchUp)
            Q_EMIT messageArrived(decorated);
    }
    if (lastSeen > 0 || rejoin) {
        if (more && !messages.isEmpty()) {
            // Still more after this page: join again from the new last id until caught up.
            m_channel->leave();
            attachChannel();
            m_channel->join();
            return;
        }
    } else {
        m_moreOlder = more;
    }
    if (rejoin)
        m_rejoinSettle.start();
    flushOutbox();
    Q_EMIT joined(rejoin);
}

void RoomSession::onEvent(const QString &event, const QJsonValue &payload)
{
    if (event == events::NewMessage)
        onNewMessage(payload.toObject());
    else if (event == events::Typing)
        onTyping(payload.toObject());
    else if (event == events::PresenceState)
        m_presence.applyState(payload.toObject(), m_channel->joinRef());
    else if (event == events::PresenceDiff)
        m_presence.applyDiff(payload.toObject(), m_channel->joinRef());
}

void RoomSession::onNewMessage(const QJsonObject &payload)
{
    auto message = ChatMessage::fromJson(payload);
    if (!message)
        return;
    setPeerTyping(message->user, false);
    addLive(*message);
}

void RoomSession::addLive(ChatMessage message)
{
    message = decorate(std::move(message));
    if (m_messages->append(message))
        Q_EMIT messageArrived(message);
}

ChatMessage RoomSession::decorate(ChatMessage message) const
{
    message.own = message.user == m_nickname;
    message.mention = !message.own && ChatMessage::mentions(message.body, m_nickname);
    return message;
}

void RoomSession::send(const QString &body)
{
    if (const auto valid = validation::checkBody(body); !valid) {
        Q_EMIT sendFailed(valid.error());
        return;
    }
    stopTyping();
    if (!isJoined()) {
        // Not a push buffered in the channel: those time out after 10 s and die with the
        // socket when the user connects elsewhere. The outbox survives both.
        m_outbox.append(body);
        m_messages->append(ChatMessage::pendingOwn(m_nickname, body));
        return;
    }
    // The broadcast of it comes back to us like to everyone.
    Push *push = m_channel->push(events::NewMessage, {{QStringLiteral("body"), body}});
    connect(push, &Push::error, this, [this](const QJsonValue &response) {
        Q_EMIT sendFailed(
            response.toObject().value(QLatin1String("reason")).toString(tr("refused")));
    });
    connect(push, &Push::timeout, this,
            [this] { Q_EMIT sendFailed(tr("no answer from the server")); });
}

QStringList RoomSession::takeOutbox()
{
    m_messages->removePending();
    return std::exchange(m_outbox, {});
}

void RoomSession::flushOutbox()
{
    const QStringList bodies = takeOutbox();
    for (const QString &body : bodies)
        send(body);
}

void RoomSession::onTyping(const QJsonObject &payload)
{
    const QString user = payload.value(QLatin1String("user")).toString();
    if (user.isEmpty() || user == m_nickname)
        return;
    setPeerTyping(user, payload.value(QLatin1String("typing")).toBool(true));
}

void RoomSession::setPeerTyping(const QString &user, bool typing)
{
    QTimer *timer = m_typingPeers.value(user);
    if (typing) {
        if (!timer) {
            // A peer that vanishes mid-sentence never sends "false"; expire it.
            timer = new QTimer(this);
            timer->setSingleShot(true);
            timer->setInterval(PeerTypingTimeoutMs);
            connect(timer, &QTimer::timeout, this, [this, user] { setPeerTyping(user, false); });
            m_typingPeers.insert(user, timer);
        }
        timer->start();
    } else if (timer) {
        m_typingPeers.remove(user);
        timer->deleteLater();
    } else {
        return;
    }
    m_members->setTyping(typingUsers());
    Q_EMIT typingChanged(typingUsers());
}

void RoomSession::noteTyping()
{
    m_typingIdle.start();
    if (!m_typingSent || m_typingSentAt.elapsed() >= TypingRefreshMs)
        sendTyping(true);
}

void RoomSession::stopTyping()
{
    m_typingIdle.stop();
    if (m_typingSent)
        sendTyping(false);
}

void RoomSession::sendTyping(bool typing)
{
    m_typingSent = typing;
    m_typingSentAt.start();
    // Typing is ephemeral: not worth buffering for a later join, and the server never replies,
    // so the push would only time out.
    if (!m_channel || !m_channel->canPush())
        return;
    m_channel->push(events::Typing, {{QStringLiteral("typing"), typing}});
}

void RoomSession::loadOlder(int limit)
{
    if (!canLoadOlder() || !isJoined())
        return;
    const qint64 before = m_messages->oldestId();
    if (before <= 0)
        return;
    m_loadingOlder = true;
    Push *push = m_channel->push(events::History, {{QStringLiteral("before"), before},
                                                   {QStringLiteral("limit"), qMin(limit, 100)}});
    connect(push, &Push::replied, this, [this](const QString &status, const QJsonValue &response) {
        m_loadingOlder = false;
        if (status != QLatin1String("ok")) {
            m_moreOlder = false;
            Q_EMIT olderLoaded(0);
            return;
        }
        QList<ChatMessage> older;
        for (const QJsonValue &value :
             response.toObject().value(QLatin1String("messages")).toArray()) {
            if (auto message = ChatMessage::fromJson(value.toObject()))
                older.append(decorate(*message));
        }
        m_moreOlder = response.toObject().value(QLatin1String("more")).toBool();
        Q_EMIT olderLoaded(m_messages->prependOlder(older));
    });
    connect(push, &Push::timeout, this, [this] {
        m_loadingOlder = false;
        Q_EMIT olderLoaded(0);
    });
}

} // namespace chatter::client
