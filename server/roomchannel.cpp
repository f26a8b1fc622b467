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
    : Channel(session, context, topic), m_room(topics::roomName(topic))
{}

JoinResult RoomChannel::join(const QJsonValue &payload)
{
    if (const auto valid = validation::checkRoomName(m_room); !valid)
        return JoinResult::refuse(valid.error());
    // Names are free, rooms are not: each one that exists is a directory entry for every
    // browser and, once it has a message, a row on disk.
    const int maxRooms = session().config().maxRooms;
    switch (context().directory().admit(m_room, maxRooms,
                                        [this] { return session().takeRoomCreation(); })) {
    case RoomDirectory::Admission::Existing:
    case RoomDirectory::Admission::Created:
        break;
    case RoomDirectory::Admission::Full:
        return JoinResult::refuse(QStringLiteral("too many rooms on this server"));
    case RoomDirectory::Admission::TooFast:
        return JoinResult::refuse(QStringLiteral("creating rooms too fast; try again in a minute"));
    }
    const qint64 lastSeen = idFrom(payload.toObject().value(QLatin1String("last_seen_id")));
    HistoryPage page = lastSeen >= 0 ? context().history().after(m_room, lastSeen, BackfillLimit)
                                     : context().history().recent(m_room, RecentOnJoin);
    // The reply is one frame: it must stay within the frame limit clients are held to, and
    // `more` makes the client ask for the rest.
    page.fitWithin(replyBudget(), lastSeen >= 0);
    return JoinResult::accept(page.toJson());
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
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

HandleResult RoomChannel::newMessage(const InboundEvent &in)
{
    const QJsonValue body = in.payload.toObject().value(QLatin1String("body"));
    if (const auto valid = validation::checkBody(body); !valid)
        return HandleResult::replyWith(ChannelReply::error(valid.error()));

    StoredMessage message{0, m_room, connectInfo().user, body.toString(), now()};
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
    context.directory().noteMessage(message.room, message.id, message.at);
    return context.publish(Broadcast::create(
        Message::broadcast(topics::room(message.room), events::NewMessage, payload)));
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
