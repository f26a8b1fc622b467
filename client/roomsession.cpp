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

namespace {

// The conversations contract (docs/conversations.md).
constexpr QLatin1StringView EditMessage("edit_msg");
constexpr QLatin1StringView DeleteMessage("delete_msg");
constexpr QLatin1StringView React("react");
constexpr QLatin1StringView Read("read");
constexpr QLatin1StringView Mute("mute");
constexpr QLatin1StringView Invite("invite");
constexpr QLatin1StringView Remove("remove");
constexpr QLatin1StringView MessageEdited("msg_edited");
constexpr QLatin1StringView MessageDeleted("msg_deleted");
constexpr QLatin1StringView Reactions("reactions");
//! The server caps unread counts here; so does the client when it counts by itself.
constexpr int UnreadCap = 999;

} // namespace

QString RoomSession::topicFor(const QString &room)
{
    return topics::conversationTopic(room);
}

RoomSession::RoomSession(QString name, QString nickname, PhoenixSocket *socket, QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_nickname(std::move(nickname)), m_socket(socket),
      m_messages(new MessageModel(this)), m_members(new MemberModel(this))
{
    m_members->setMyNickname(m_nickname);
    m_messages->setOwnNickname(m_nickname);
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
    detachChannel();
}

void RoomSession::detachChannel()
{
    // Our own leave is no removal by the server: the channel's "closed" is not ours to hear.
    if (PhoenixChannel *channel = std::exchange(m_channel, nullptr)) {
        channel->disconnect(this);
        channel->leave();
    }
}

void RoomSession::setupPresence()
{
    // Join/leave lines only for changes after the first sync: the first state lists people
    // who were already there, and the own nickname is not news.
    m_presence.setJoinHandler([this](const QString &key, const QJsonObject &current,
                                     const QJsonObject &) {
        // A DM's two sides come and go with their windows: no news to either of them.
        if (!m_presenceSynced || !current.isEmpty() || key == m_nickname || topics::isDmKey(m_name))
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
            if (m_presenceSynced && key != m_nickname && !topics::isDmKey(m_name))
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
    // Closed without our leave(): the server pushed phx_close (removed from a private room).
    const QPointer<PhoenixChannel> channel = m_channel;
    connect(m_channel, &PhoenixChannel::closed, this, [this, channel] {
        if (channel && channel == m_channel) {
            m_channel = nullptr;
            Q_EMIT closedByServer();
        }
    });
}

QJsonObject RoomSession::joinParams() const
{
    // Re-evaluated on every rejoin: after a reconnect the server sends what we missed.
    m_joinLastSeen = m_messages->lastId();
    if (holdsLive()) {
        // The window is somewhere in history: catch up from the live end instead.
        m_joinLastSeen =
            m_heldLive.isEmpty() ? m_liveEdgeId : qMax(m_liveEdgeId, m_heldLive.constLast().id);
    }
    QJsonObject params;
    if (m_joinLastSeen > 0) {
        params.insert(QStringLiteral("last_seen_id"), m_joinLastSeen);
        // Edits, deletions and reactions of held messages made while away come back too.
        params.insert(QStringLiteral("last_change_seq"), m_changeSeq);
    }
    if (m_createPrivate)
        params.insert(QStringLiteral("private"), true);
    return params;
}

void RoomSession::leave()
{
    stopTyping();
    detachChannel();
}

void RoomSession::onJoined(const QJsonObject &response)
{
    const bool freshStart = std::exchange(m_freshStart, false);
    const bool rejoin = m_joinedBefore && !freshStart;
    m_joinedBefore = true;
    const qint64 lastSeen = m_joinLastSeen;
    if (response.value(QLatin1String("changes_more")).toBool() && !freshStart) {
        // More changed while away than the server lists: what is held cannot be trusted.
        // Start again from a fresh page, as a first join does.
        m_messages->clear();
        // The fresh page is the live end: any window and what it held aside are gone.
        ++m_windowGeneration;
        m_windowPending = m_loadingNewer = false;
        m_heldLive.clear();
        if (std::exchange(m_detached, false))
            Q_EMIT detachedChanged(false);
        m_freshStart = true;
        m_changeSeq = 0;
        detachChannel();
        attachChannel();
        m_channel->join();
        return;
    }
    applyJoinState(response);
    QList<ChatMessage> changes;
    for (const QJsonValue &value : response.value(QLatin1String("changes")).toArray()) {
        if (auto change = ChatMessage::fromJson(value.toObject()))
            changes.append(decorate(*change));
    }
    m_messages->applyChanges(changes);
    const QJsonArray messages = response.value(QLatin1String("messages")).toArray();
    const bool more = response.value(QLatin1String("more")).toBool();
    const bool catchUp = lastSeen > 0 || rejoin;
    for (const QJsonValue &value : messages) {
        auto message = ChatMessage::fromJson(value.toObject());
        if (!message)
            continue;
        const ChatMessage decorated = decorate(*message);
        // History from a first join is old news; what a rejoin brings was missed while away.
        // While a window of history is shown, what was missed waits beside it.
        const bool added = holdsLive() ? holdLive(decorated) : m_messages->append(decorated);
        if (added && catchUp) {
            if (!m_serverCounted)
                countUnread(decorated);
            Q_EMIT messageArrived(decorated);
        }
    }
    if (catchUp) {
        if (more && !messages.isEmpty()) {
            // Still more after this page: join again from the new last id until caught up.
            detachChannel();
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
    if (const qint64 open = std::exchange(m_pendingOpen, 0))
        openAt(open);
}

void RoomSession::applyJoinState(const QJsonObject &response)
{
    if (const QJsonValue seq = response.value(QLatin1String("change_seq")); seq.isDouble())
        m_changeSeq = qint64(seq.toDouble());
    // A server without read state sends no `unread`: messages are then counted one by one.
    m_serverCounted = response.value(QLatin1String("unread")).isDouble();
    if (m_serverCounted) {
        const qint64 marker = qint64(response.value(QLatin1String("last_read_id")).toDouble());
        const int unread = response.value(QLatin1String("unread")).toInt();
        if (marker != m_lastReadId || unread != m_unread) {
            m_lastReadId = marker;
            m_unread = unread;
            m_unreadMention = m_unreadMention && unread > 0;
            Q_EMIT readStateChanged();
        }
    }
    if (const QJsonValue muted = response.value(QLatin1String("muted")); muted.isBool())
        applyMuted(muted.toBool());
    PrivateRoomInfo info;
    info.isPrivate = response.value(QLatin1String("private")).toBool();
    info.group = response.value(QLatin1String("group")).toBool();
    info.owner = response.value(QLatin1String("owner")).toString();
    for (const QJsonValue &member : response.value(QLatin1String("members")).toArray())
        info.members.append(member.toString());
    if (info.isPrivate != m_private.isPrivate || info.group != m_private.group ||
        info.owner != m_private.owner || info.members != m_private.members) {
        m_private = info;
        Q_EMIT privateInfoChanged();
    }
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
    else if (event == MessageEdited)
        onEdited(payload.toObject());
    else if (event == MessageDeleted)
        onDeleted(payload.toObject());
    else if (event == Reactions)
        onReactions(payload.toObject());
}

void RoomSession::onEdited(const QJsonObject &payload)
{
    const QJsonValue body = payload.value(QLatin1String("body"));
    if (!body.isString())
        return;
    const qint64 id = qint64(payload.value(QLatin1String("id")).toDouble());
    const QDateTime editedAt = QDateTime::fromString(
        payload.value(QLatin1String("edited_at")).toString(), Qt::ISODateWithMs);
    changeHeld(id, [&](ChatMessage &m) {
        m.body = body.toString();
        m.editedAt = editedAt.isValid() ? editedAt : QDateTime::currentDateTimeUtc();
    });
    m_messages->applyEdit(id, body.toString(), editedAt);
}

void RoomSession::onDeleted(const QJsonObject &payload)
{
    const qint64 id = qint64(payload.value(QLatin1String("id")).toDouble());
    changeHeld(id, [](ChatMessage &m) {
        m.deleted = true;
        m.body.clear();
        m.reactions.clear();
    });
    const int row = m_messages->rowOfId(id);
    const bool wasUnread =
        row >= 0 && id > m_lastReadId && !m_messages->at(row).own && !m_messages->at(row).deleted;
    m_messages->applyDeletion(id);
    // A deleted message is nothing left to read.
    if (wasUnread && m_unread > 0) {
        --m_unread;
        m_unreadMention = m_unreadMention && m_unread > 0;
        Q_EMIT readStateChanged();
    }
}

void RoomSession::onReactions(const QJsonObject &payload)
{
    const qint64 id = qint64(payload.value(QLatin1String("id")).toDouble());
    const auto reactions =
        ChatMessage::reactionsFromJson(payload.value(QLatin1String("reactions")).toObject());
    changeHeld(id, [&](ChatMessage &m) { m.reactions = reactions; });
    m_messages->applyReactions(id, reactions);
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
    if (holdsLive() ? holdLive(message) : m_messages->append(message)) {
        countUnread(message);
        Q_EMIT messageArrived(message);
    }
}

void RoomSession::countUnread(const ChatMessage &message)
{
    if (message.own || message.isSystem() || message.deleted || message.id <= m_lastReadId)
        return;
    m_unread = qMin(m_unread + 1, UnreadCap);
    m_unreadMention = m_unreadMention || message.mention;
    Q_EMIT readStateChanged();
}

int RoomSession::countAfterMarker() const
{
    int count = 0;
    for (int row = m_messages->rowCount() - 1; row >= 0 && count < UnreadCap; --row) {
        const ChatMessage &m = m_messages->at(row);
        if (m.isSystem() || m.pending)
            continue;
        if (m.id <= m_lastReadId)
            break;
        count += m.own || m.deleted ? 0 : 1;
    }
    return count;
}

void RoomSession::markRead()
{
    // A window of history is not the newest message, however far down the user looks.
    if (holdsLive())
        return;
    const qint64 newest = m_messages->lastId();
    if (newest <= m_lastReadId && m_unread == 0)
        return;
    const bool changed = m_unread != 0 || m_unreadMention || newest > m_lastReadId;
    m_lastReadId = qMax(m_lastReadId, newest);
    m_unread = 0;
    m_unreadMention = false;
    if (changed)
        Q_EMIT readStateChanged();
    if (!isJoined() || newest <= 0)
        return;
    // The reply names the stored marker; a newer message from meanwhile may count again.
    Push *push = m_channel->push(Read, {{QStringLiteral("id"), newest}});
    connect(push, &Push::ok, this, [this](const QJsonValue &response) {
        const QJsonObject answer = response.toObject();
        if (!answer.value(QLatin1String("unread")).isDouble())
            return;
        applyReadMarker(qint64(answer.value(QLatin1String("last_read_id")).toDouble()),
                        answer.value(QLatin1String("unread")).toInt());
    });
}

void RoomSession::applyReadMarker(qint64 lastReadId, int unread)
{
    if (lastReadId < m_lastReadId)
        return;
    const bool moved = lastReadId > m_lastReadId;
    m_lastReadId = lastReadId;
    const int count = unread >= 0 ? unread : countAfterMarker();
    if (!moved && count == m_unread)
        return;
    m_unread = count;
    m_unreadMention = m_unreadMention && count > 0;
    Q_EMIT readStateChanged();
}

void RoomSession::setMuted(bool muted, Done done)
{
    applyMuted(muted);
    request(Mute, {{QStringLiteral("muted"), muted}},
            [this, done = std::move(done)](bool ok, const QString &reason) {
                if (done)
                    done(ok, reason);
            });
}

void RoomSession::applyMuted(bool muted)
{
    if (m_muted == muted)
        return;
    m_muted = muted;
    Q_EMIT mutedChanged(muted);
}

void RoomSession::editMessage(qint64 id, const QString &body, Done done)
{
    if (const auto valid = validation::checkBody(body); !valid) {
        if (done)
            done(false, valid.error());
        return;
    }
    request(EditMessage, {{QStringLiteral("id"), id}, {QStringLiteral("body"), body}},
            std::move(done));
}

void RoomSession::deleteMessage(qint64 id, Done done)
{
    request(DeleteMessage, {{QStringLiteral("id"), id}}, std::move(done));
}

void RoomSession::react(qint64 id, const QString &emoji, bool on, Done done)
{
    request(
        React,
        {{QStringLiteral("id"), id}, {QStringLiteral("emoji"), emoji}, {QStringLiteral("on"), on}},
        std::move(done));
}

void RoomSession::toggleReaction(qint64 id, const QString &emoji, Done done)
{
    bool mine = false;
    if (const int row = m_messages->rowOfId(id); row >= 0) {
        for (const auto &[held, users] : m_messages->at(row).reactions)
            mine = mine || (held == emoji && users.contains(m_nickname));
    }
    react(id, emoji, !mine, std::move(done));
}

void RoomSession::invite(const QString &user, Done done)
{
    request(Invite, {{QStringLiteral("user"), user}}, std::move(done));
}

void RoomSession::removeMember(const QString &user, Done done)
{
    request(Remove, {{QStringLiteral("user"), user}}, std::move(done));
}

void RoomSession::request(const QString &event, const QJsonObject &payload, Done done)
{
    if (!m_channel) {
        if (done)
            done(false, tr("not in this conversation"));
        return;
    }
    Push *push = m_channel->push(event, payload);
    connect(push, &Push::replied, this, [done](const QString &status, const QJsonValue &response) {
        if (!done)
            return;
        const bool ok = status == QLatin1String("ok");
        done(ok, ok ? QString()
                    : response.toObject().value(QLatin1String("reason")).toString(tr("refused")));
    });
    connect(push, &Push::timeout, this, [done] {
        if (done)
            done(false, tr("no answer from the server"));
    });
}

ChatMessage RoomSession::decorate(ChatMessage message) const
{
    message.own = message.user == m_nickname;
    message.mention = !message.own && ChatMessage::mentions(message.body, m_nickname);
    return message;
}

QString RoomSession::checkMessage(const QString &body, const QList<Attachment> &attachments)
{
    if (attachments.size() > MaxAttachments)
        return tr("at most %n files on one message", nullptr, MaxAttachments);
    if (attachments.isEmpty()) {
        if (const auto valid = validation::checkBody(body); !valid)
            return valid.error();
        return {};
    }
    // With files the text is optional, but not over the limit.
    if (body.size() > validation::MaxBodyLength)
        return QStringLiteral("body too long");
    return {};
}

void RoomSession::send(const QString &body, qint64 replyTo, const QList<Attachment> &attachments)
{
    if (const QString problem = checkMessage(body, attachments); !problem.isEmpty()) {
        Q_EMIT sendFailed(problem);
        return;
    }
    stopTyping();
    // The user writes at the live end: show it, or the own message would wait out of sight.
    if (m_detached)
        returnToLive();
    if (!isJoined()) {
        // Not a push buffered in the channel: those time out after 10 s and die with the
        // socket when the user connects elsewhere. The outbox survives both.
        m_outbox.append({body, replyTo, attachments});
        ChatMessage pending = ChatMessage::pendingOwn(m_nickname, body);
        pending.replyTo = replyTo;
        pending.attachments = attachments;
        if (const int parent = m_messages->rowOfId(replyTo); parent >= 0) {
            pending.quoteUser = m_messages->at(parent).user;
            pending.quoteBody = m_messages->at(parent).body.left(140);
            pending.quoteDeleted = m_messages->at(parent).deleted;
        }
        m_messages->append(pending);
        return;
    }
    pushOut({body, replyTo, attachments});
}

void RoomSession::pushOut(const Outgoing &message)
{
    QJsonObject payload{{QStringLiteral("body"), message.body}};
    if (message.replyTo > 0)
        payload.insert(QStringLiteral("reply_to"), message.replyTo);
    if (!message.attachments.isEmpty()) {
        QJsonArray ids;
        for (const Attachment &attachment : message.attachments)
            ids.append(attachment.id);
        payload.insert(QStringLiteral("attachments"), ids);
    }
    // The broadcast of it comes back to us like to everyone.
    Push *push = m_channel->push(events::NewMessage, payload);
    connect(push, &Push::error, this, [this](const QJsonValue &response) {
        Q_EMIT sendFailed(
            response.toObject().value(QLatin1String("reason")).toString(tr("refused")));
    });
    connect(push, &Push::timeout, this,
            [this] { Q_EMIT sendFailed(tr("no answer from the server")); });
}

QList<RoomSession::Outgoing> RoomSession::takeOutbox()
{
    m_messages->removePending();
    return std::exchange(m_outbox, {});
}

void RoomSession::flushOutbox()
{
    const QList<Outgoing> waiting = takeOutbox();
    for (const Outgoing &message : waiting)
        send(message.body, message.replyTo, message.attachments);
}

void RoomSession::refreshAttachments(qint64 id)
{
    if (!isJoined() || m_messages->rowOfId(id) < 0 || m_refreshing.contains(id))
        return;
    m_refreshing.insert(id);
    Push *push = m_channel->push(events::History,
                                 {{QStringLiteral("around"), id}, {QStringLiteral("limit"), 1}});
    connect(push, &Push::replied, this,
            [this, id](const QString &status, const QJsonValue &response) {
                m_refreshing.remove(id);
                if (status != QLatin1String("ok"))
                    return;
                for (const QJsonValue &value :
                     response.toObject().value(QLatin1String("messages")).toArray()) {
                    const auto message = ChatMessage::fromJson(value.toObject());
                    if (message && message->id == id)
                        m_messages->applyAttachments(id, message->attachments);
                }
            });
    connect(push, &Push::timeout, this, [this, id] { m_refreshing.remove(id); });
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
    const quint64 generation = m_windowGeneration;
    Push *push = m_channel->push(events::History, {{QStringLiteral("before"), before},
                                                   {QStringLiteral("limit"), qMin(limit, 100)}});
    connect(push, &Push::replied, this,
            [this, generation](const QString &status, const QJsonValue &response) {
                // The window was replaced meanwhile: this page belongs before another one.
                if (generation != m_windowGeneration)
                    return;
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
    connect(push, &Push::timeout, this, [this, generation] {
        if (generation != m_windowGeneration)
            return;
        m_loadingOlder = false;
        Q_EMIT olderLoaded(0);
    });
}

void RoomSession::openAt(qint64 id, int limit)
{
    if (id <= 0)
        return;
    if (m_messages->rowOfId(id) >= 0) {
        m_pendingOpen = 0;
        Q_EMIT openedAt(id);
        return;
    }
    if (!isJoined()) {
        m_pendingOpen = id;
        return;
    }
    beginWindow();
    const quint64 generation = m_windowGeneration;
    Push *push = m_channel->push(events::History, {{QStringLiteral("around"), id},
                                                   {QStringLiteral("limit"), qMin(limit, 100)}});
    connect(push, &Push::replied, this,
            [this, id, generation](const QString &status, const QJsonValue &response) {
                if (generation != m_windowGeneration)
                    return;
                m_windowPending = false;
                const QJsonObject answer = response.toObject();
                if (status != QLatin1String("ok")) {
                    // The model still shows what it showed: live again unless detached before.
                    if (!m_detached)
                        attachLive();
                    Q_EMIT openFailed(
                        id, answer.value(QLatin1String("reason")).toString(tr("refused")));
                    return;
                }
                resetWindow(answer.value(QLatin1String("messages")).toArray());
                m_moreOlder = answer.value(QLatin1String("more_before")).toBool();
                if (answer.value(QLatin1String("more_after")).toBool()) {
                    if (!std::exchange(m_detached, true))
                        Q_EMIT detachedChanged(true);
                } else {
                    attachLive();
                }
                if (m_messages->rowOfId(id) >= 0)
                    Q_EMIT openedAt(id);
                else
                    Q_EMIT openFailed(id, tr("no such message"));
            });
    connect(push, &Push::timeout, this, [this, id, generation] {
        if (generation != m_windowGeneration)
            return;
        m_windowPending = false;
        if (!m_detached)
            attachLive();
        Q_EMIT openFailed(id, tr("no answer from the server"));
    });
}

void RoomSession::beginWindow()
{
    if (!holdsLive())
        m_liveEdgeId = m_messages->lastId();
    ++m_windowGeneration;
    m_windowPending = true;
    m_loadingNewer = false;
    m_loadingOlder = false;
}

void RoomSession::resetWindow(const QJsonArray &messages)
{
    m_messages->clear();
    for (const QJsonValue &value : messages) {
        if (auto message = ChatMessage::fromJson(value.toObject()))
            m_messages->append(decorate(*message));
    }
}

void RoomSession::loadNewer(int limit)
{
    if (!canLoadNewer() || !isJoined())
        return;
    const qint64 after = m_messages->lastId();
    if (after <= 0)
        return;
    m_loadingNewer = true;
    const quint64 generation = m_windowGeneration;
    Push *push = m_channel->push(events::History, {{QStringLiteral("after"), after},
                                                   {QStringLiteral("limit"), qMin(limit, 100)}});
    connect(push, &Push::replied, this,
            [this, generation](const QString &status, const QJsonValue &response) {
                if (generation != m_windowGeneration)
                    return;
                m_loadingNewer = false;
                if (status != QLatin1String("ok")) {
                    Q_EMIT newerLoaded(0);
                    return;
                }
                const QJsonObject answer = response.toObject();
                int count = 0;
                for (const QJsonValue &value : answer.value(QLatin1String("messages")).toArray()) {
                    if (auto message = ChatMessage::fromJson(value.toObject()))
                        count += m_messages->append(decorate(*message)) ? 1 : 0;
                }
                // `more` false: this page ends where the live messages begin.
                const bool more = answer.value(QLatin1String("more")).toBool();
                Q_EMIT newerLoaded(count);
                if (!more)
                    attachLive();
            });
    connect(push, &Push::timeout, this, [this, generation] {
        if (generation != m_windowGeneration)
            return;
        m_loadingNewer = false;
        Q_EMIT newerLoaded(0);
    });
}

void RoomSession::returnToLive(int limit)
{
    if (!m_detached || !isJoined())
        return;
    beginWindow();
    const quint64 generation = m_windowGeneration;
    // No `before`: the newest page.
    Push *push = m_channel->push(events::History, {{QStringLiteral("limit"), qMin(limit, 100)}});
    connect(push, &Push::replied, this,
            [this, generation](const QString &status, const QJsonValue &response) {
                if (generation != m_windowGeneration)
                    return;
                m_windowPending = false;
                if (status != QLatin1String("ok"))
                    return;
                const QJsonObject answer = response.toObject();
                resetWindow(answer.value(QLatin1String("messages")).toArray());
                m_moreOlder = answer.value(QLatin1String("more")).toBool();
                attachLive();
            });
    connect(push, &Push::timeout, this, [this, generation] {
        if (generation == m_windowGeneration)
            m_windowPending = false;
    });
}

void RoomSession::attachLive()
{
    m_windowPending = false;
    m_loadingNewer = false;
    // Held messages the window already has came in it as the server holds them now (maybe
    // edited since): only the newer ones are added, oldest first.
    const qint64 last = m_messages->lastId();
    for (const ChatMessage &message : std::exchange(m_heldLive, {})) {
        if (message.id > last)
            m_messages->append(message);
    }
    if (std::exchange(m_detached, false))
        Q_EMIT detachedChanged(false);
}

bool RoomSession::holdLive(const ChatMessage &message)
{
    if (message.isSystem() || message.id <= 0 || m_messages->contains(message.id))
        return false;
    for (const ChatMessage &held : std::as_const(m_heldLive)) {
        if (held.id == message.id)
            return false;
    }
    m_heldLive.append(message);
    return true;
}

void RoomSession::changeHeld(qint64 id, const std::function<void(ChatMessage &)> &change)
{
    for (ChatMessage &held : m_heldLive) {
        if (held.id == id)
            change(held);
    }
}

} // namespace chatter::client
