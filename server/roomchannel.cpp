// SPDX-License-Identifier: MIT
#include "roomchannel.h"

#include "broadcast.h"
#include "channelcontext.h"
#include "chatvalidation.h"
#include "events.h"
#include "historyreader.h"
#include "presencetracker.h"
#include "roomdirectory.h"
#include "serverconfig.h"
#include "socketsession.h"
#include "topics.h"

#include <QDateTime>

namespace chatter::server {
namespace {

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

//! A JSON number that is a whole, non-negative id; -1 otherwise.
qint64 idFrom(const QJsonValue &value)
{
    if (!value.isDouble())
        return -1;
    const double d = value.toDouble();
    return d >= 0 && d == double(qint64(d)) ? qint64(d) : -1;
}

} // namespace

RoomChannel::RoomChannel(SocketSession &session, ChannelContext &context, const QString &topic)
    : Channel(session, context, topic), m_room(topics::conversationKey(topic)),
      m_dm(topics::isDmKey(m_room))
{}

JoinResult RoomChannel::join(const QJsonValue &payload)
{
    // A DM's access is checked before its channel exists (its route); it is no directory entry.
    if (!m_dm)
        if (auto admitted = admitRoom(); !admitted)
            return JoinResult::refuse(admitted.error());
    const QJsonObject request = payload.toObject();
    HistoryReader &history = context().history();
    // Before the pages: a change committed in between is then sent again later, never lost.
    const qint64 changeSeq = history.changeSeq(m_room);
    const qint64 lastSeen = idFrom(request.value(QLatin1String("last_seen_id")));
    const qint64 lastChange = lastSeen >= 0 && request.contains(QLatin1String("last_change_seq"))
                                  ? idFrom(request.value(QLatin1String("last_change_seq")))
                                  : -1;
    HistoryPage page = lastSeen >= 0 ? history.after(m_room, lastSeen, BackfillLimit)
                                     : history.recent(m_room, RecentOnJoin);
    // The reply is one frame: it must stay within the frame limit clients are held to, and
    // `more` makes the client ask for the rest. With changes, each list gets half of it.
    const qint64 budget = lastChange >= 0 ? replyBudget() / 2 : replyBudget();
    page.fitWithin(budget, lastSeen >= 0);
    QJsonObject reply = page.toJson();
    reply.insert(QStringLiteral("change_seq"), changeSeq);
    if (lastChange >= 0) {
        HistoryPage changed = history.changes(m_room, lastSeen, lastChange, MaxChangesOnJoin);
        changed.fitWithin(budget, true);
        const QJsonObject changes = changed.toJson();
        reply.insert(QStringLiteral("changes"), changes.value(QLatin1String("messages")));
        reply.insert(QStringLiteral("changes_more"), changed.more);
    }
    return JoinResult::accept(reply);
}

Expected<void> RoomChannel::admitRoom()
{
    if (const auto valid = validation::checkRoomName(m_room); !valid)
        return valid;
    // Names are free, rooms are not: each one that exists is a directory entry for every
    // browser and, once it has a message, a row on disk.
    const int maxRooms = session().config().maxRooms;
    switch (context().directory().admit(m_room, maxRooms,
                                        [this] { return session().takeRoomCreation(); })) {
    case RoomDirectory::Admission::Existing:
    case RoomDirectory::Admission::Created:
        break;
    case RoomDirectory::Admission::Full:
        return failure(QStringLiteral("too many rooms on this server"));
    case RoomDirectory::Admission::TooFast:
        return failure(QStringLiteral("creating rooms too fast; try again in a minute"));
    }
    return {};
}

QJsonObject RoomChannel::presenceMeta() const
{
    const QString client =
        connectInfo().clientKind.isEmpty() ? QStringLiteral("unknown") : connectInfo().clientKind;
    return {{QStringLiteral("online_at"), now()},
            {QStringLiteral("client"), client},
            {QStringLiteral("role"), connectInfo().role},
            {events::Status, m_status}};
}

void RoomChannel::afterJoin()
{
    PresenceTracker &presence = context().presence();
    const QJsonObject meta =
        presence.track(topic(), connectInfo().user, connectInfo().id, presenceMeta());
    m_tracked = true;
    // A fresh state after every (re)join: phoenix.js Presence only re-syncs from a state.
    push(events::PresenceState, presence.list(topic()));
    context().queuePresenceDiff(topic(), PresenceTracker::joinDiff(connectInfo().user, meta));
    publishMembers();
}

void RoomChannel::terminate(const QString &)
{
    if (!m_tracked)
        return;
    m_tracked = false;
    PresenceTracker &presence = context().presence();
    if (const auto left = presence.untrack(topic(), connectInfo().user, connectInfo().id))
        context().queuePresenceDiff(topic(), PresenceTracker::leaveDiff(connectInfo().user, *left));
    publishMembers();
}

void RoomChannel::publishMembers()
{
    // Read and written under two locks: the count's version lets the directory keep the newest
    // of two workers' counts whatever order they arrive in.
    if (m_dm)
        return;
    const PresenceTracker::MemberCount count = context().presence().memberCount(topic());
    context().directory().setMembers(m_room, count.keys, count.version, now());
}

HandleResult RoomChannel::handleIn(const InboundEvent &in)
{
    if (in.event == events::NewMessage)
        return newMessage(in);
    if (in.event == events::History)
        return history(in.payload);
    if (in.event == events::Ping)
        return HandleResult::replyWith(in.binary ? ChannelReply::okBinary(in.binaryPayload)
                                                 : ChannelReply::ok(in.payload));
    if (in.event == events::Typing)
        return typing(in.payload);
    if (in.event == events::Status)
        return status(in.payload);
    if (in.event == events::EditMessage)
        return editOrDelete(in, MessageChange::Kind::Edit);
    if (in.event == events::DeleteMessage)
        return editOrDelete(in, MessageChange::Kind::Delete);
    if (in.event == events::React)
        return react(in);
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

HandleResult RoomChannel::newMessage(const InboundEvent &in)
{
    const QJsonObject request = in.payload.toObject();
    const QJsonValue body = request.value(QLatin1String("body"));
    if (const auto valid = validation::checkBody(body); !valid)
        return HandleResult::replyWith(ChannelReply::error(valid.error()));

    StoredMessage message{0, m_room, connectInfo().user, body.toString(), now()};
    message.author = authorKey(connectInfo());
    // Only a reply costs a read: the parent must be of this conversation, and its quote goes
    // out with the broadcast.
    const QJsonValue replyTo = request.value(QLatin1String("reply_to"));
    if (!replyTo.isUndefined() && !replyTo.isNull()) {
        const qint64 parentId = idFrom(replyTo);
        const auto parent =
            parentId > 0 ? context().history().message(parentId) : std::optional<StoredMessage>();
        if (!parent || parent->room != m_room)
            return HandleResult::replyWith(ChannelReply::error(
                QStringLiteral("reply_to is not a message of this conversation")));
        message.replyTo = parentId;
        message.quote = Quote{parent->user, Quote::cut(parent->body), parent->deleted};
    }
    ChannelContext *context = &this->context();
    const ReplyHandle handle = in.replyHandle;
    // Durable first: the broadcast and the `ok` go out only once the message is committed.
    // This runs on the worker after the commit, whether or not this channel still exists.
    context->append(std::move(message), [context, handle](const StoredMessage &m, bool committed) {
        if (!committed) {
            context->completeReply(
                handle, ChannelReply::error(QStringLiteral("could not store the message")));
            return;
        }
        publishCommitted(*context, m);
        context->completeReply(handle, ChannelReply::ok(QJsonObject{{QStringLiteral("id"), m.id}}));
    });
    return HandleResult::deferReply();
}

Expected<void> RoomChannel::publishCommitted(ChannelContext &context, const StoredMessage &message,
                                             bool system)
{
    QJsonObject payload = message.toJson();
    if (system)
        payload.insert(QStringLiteral("system"), true);
    if (!topics::isDmKey(message.room))
        context.directory().noteMessage(message.room, message.id, message.at);
    return context.publish(Broadcast::create(
        Message::broadcast(topics::conversationTopic(message.room), events::NewMessage, payload)));
}

Expected<void> RoomChannel::publishChange(ChannelContext &context, MessageChange::Kind kind,
                                          const ChangeOutcome &outcome)
{
    const StoredMessage &m = outcome.message;
    QLatin1StringView event;
    QJsonObject payload{{QStringLiteral("id"), m.id}};
    switch (kind) {
    case MessageChange::Kind::Edit:
        event = events::MessageEdited;
        payload.insert(QStringLiteral("body"), m.body);
        payload.insert(QStringLiteral("edited_at"), m.editedAt);
        break;
    case MessageChange::Kind::Delete:
        event = events::MessageDeleted;
        break;
    case MessageChange::Kind::React:
        event = events::Reactions;
        payload.insert(QStringLiteral("reactions"), reactionsToJson(m.reactions));
        break;
    }
    return context.publish(
        Broadcast::create(Message::broadcast(topics::conversationTopic(m.room), event, payload)));
}

QString RoomChannel::authorKey(const ConnectInfo &info)
{
    if (info.accountId > 0)
        return QLatin1StringView("a:") + QString::number(info.accountId);
    if (!info.sessionHash.isEmpty())
        return QLatin1StringView("g:") + QString::fromLatin1(info.sessionHash.toHex());
    // No identity at all (not a connection the server accepted): nobody's author.
    return info.skeleton.isEmpty() ? QString() : QLatin1StringView("k:") + info.skeleton;
}

Expected<StoredMessage> RoomChannel::target(const QJsonValue &id)
{
    const qint64 wanted = idFrom(id);
    auto found = wanted > 0 ? context().history().message(wanted) : std::optional<StoredMessage>();
    if (!found || found->room != m_room)
        return failure(QStringLiteral("no such message"));
    if (found->deleted)
        return failure(QStringLiteral("message deleted"));
    return *found;
}

HandleResult RoomChannel::editOrDelete(const InboundEvent &in, MessageChange::Kind kind)
{
    const QJsonObject request = in.payload.toObject();
    const auto message = target(request.value(QLatin1String("id")));
    if (!message)
        return HandleResult::replyWith(ChannelReply::error(message.error()));
    // The author (by identity, not by name) or an admin; the server's own messages only an
    // admin may delete, and nobody edit.
    const bool admin = connectInfo().role == QLatin1String("admin");
    const bool author = !message->author.isEmpty() && message->author == authorKey(connectInfo());
    const bool allowed =
        message->isSystem() ? admin && kind == MessageChange::Kind::Delete : admin || author;
    if (!allowed)
        return HandleResult::replyWith(ChannelReply::error(QStringLiteral("forbidden")));
    MessageChange change{kind, message->id, m_room};
    if (kind == MessageChange::Kind::Edit) {
        const QJsonValue body = request.value(QLatin1String("body"));
        if (const auto valid = validation::checkBody(body); !valid)
            return HandleResult::replyWith(ChannelReply::error(valid.error()));
        change.body = body.toString();
        change.at = now();
    }
    return submit(std::move(change), in.replyHandle);
}

HandleResult RoomChannel::react(const InboundEvent &in)
{
    const QJsonObject request = in.payload.toObject();
    const QJsonValue emoji = request.value(QLatin1String("emoji"));
    if (const auto valid = validation::checkEmoji(emoji); !valid)
        return HandleResult::replyWith(ChannelReply::error(valid.error()));
    const QJsonValue on = request.value(QLatin1String("on"));
    if (!on.isUndefined() && !on.isBool())
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("on must be true or false")));
    const auto message = target(request.value(QLatin1String("id")));
    if (!message)
        return HandleResult::replyWith(ChannelReply::error(message.error()));
    MessageChange change{MessageChange::Kind::React, message->id, m_room};
    change.emoji = emoji.toString();
    change.user = connectInfo().user;
    change.on = on.toBool(true);
    return submit(std::move(change), in.replyHandle);
}

HandleResult RoomChannel::submit(MessageChange change, const ReplyHandle &handle)
{
    ChannelContext *context = &this->context();
    const MessageChange::Kind kind = change.kind;
    // As for new_msg: the broadcast and the reply only after the commit, and the store decides
    // what the checks above cannot settle without racing (deleted meanwhile, the 20th emoji).
    context->change(std::move(change), [context, handle, kind](const ChangeOutcome &outcome) {
        if (!outcome.committed) {
            context->completeReply(
                handle, ChannelReply::error(QStringLiteral("could not store the change")));
            return;
        }
        if (!outcome.refusal.isEmpty()) {
            context->completeReply(handle, ChannelReply::error(outcome.refusal));
            return;
        }
        if (outcome.changed)
            publishChange(*context, kind, outcome);
        context->completeReply(handle, ChannelReply::ok(QJsonObject()));
    });
    return HandleResult::deferReply();
}

qint64 RoomChannel::replyBudget()
{
    // A quarter of the frame for the envelope and a margin: topic, refs and status are small,
    // but escaping makes the JSON of a message longer than its text.
    return session().config().maxFrameBytes * 3 / 4;
}

HandleResult RoomChannel::history(const QJsonValue &payload)
{
    const QJsonObject request = payload.toObject();
    qint64 limit = request.contains(QLatin1String("limit"))
                       ? idFrom(request.value(QLatin1String("limit")))
                       : 50;
    if (limit < 1)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("limit must be a positive number")));
    limit = std::min<qint64>(limit, MaxHistoryPage);
    if (request.contains(QLatin1String("after"))) {
        // Forwards from an id: how a client catches up when a rejoin's backfill said `more`.
        const qint64 after = idFrom(request.value(QLatin1String("after")));
        if (after < 0)
            return HandleResult::replyWith(
                ChannelReply::error(QStringLiteral("after must be a message id")));
        HistoryPage page = context().history().after(m_room, after, int(limit));
        page.fitWithin(replyBudget(), true);
        return HandleResult::replyWith(ChannelReply::ok(page.toJson()));
    }
    qint64 before = idFrom(request.value(QLatin1String("before")));
    if (!request.contains(QLatin1String("before")))
        before = std::numeric_limits<qint64>::max();
    if (before < 0)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("before must be a message id")));
    HistoryPage page = context().history().before(m_room, before, int(limit));
    page.fitWithin(replyBudget(), false);
    return HandleResult::replyWith(ChannelReply::ok(page.toJson()));
}

HandleResult RoomChannel::typing(const QJsonValue &payload)
{
    const QJsonValue typing = payload.toObject().value(QLatin1String("typing"));
    broadcastFrom(events::Typing,
                  {{QStringLiteral("user"), connectInfo().user},
                   {QStringLiteral("typing"), typing.isBool() ? typing.toBool() : true}});
    return HandleResult::noReply();
}

HandleResult RoomChannel::status(const QJsonValue &payload)
{
    static const QStringList allowed{QStringLiteral("online"), QStringLiteral("away"),
                                     QStringLiteral("busy")};
    const QString status = payload.toObject().value(events::Status).toString();
    if (!allowed.contains(status))
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("status must be online, away or busy")));
    m_status = status;
    const auto diff =
        context().presence().update(topic(), connectInfo().user, connectInfo().id, presenceMeta());
    if (diff) {
        // Out before the reply, so that the client sees its new status once told `ok`.
        context().queuePresenceDiff(topic(), *diff);
        context().flushPresenceDiff(topic());
    }
    return HandleResult::replyWith(ChannelReply::ok());
}

} // namespace chatter::server
