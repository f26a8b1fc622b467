// SPDX-License-Identifier: MIT
#include "roomchannel.h"

#include "broadcast.h"
#include "chatvalidation.h"
#include "engine.h"
#include "events.h"
#include "messagestore.h"
#include "presencetracker.h"
#include "topicpattern.h"
#include "worker.h"

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

RoomChannel::RoomChannel(SocketSession &session, Worker &worker, const QString &topic)
    : Channel(session, worker, topic),
      m_room(chatter::TopicPattern(TopicPattern).wildcardPart(topic))
{}

JoinResult RoomChannel::join(const QJsonValue &payload)
{
    if (const QString why = validation::checkRoomName(m_room); !why.isEmpty())
        return JoinResult::refuse(why);
    const qint64 lastSeen = idFrom(payload.toObject().value(QLatin1String("last_seen_id")));
    const HistoryPage page = lastSeen >= 0
                                 ? worker().history().after(m_room, lastSeen, BackfillLimit)
                                 : worker().history().recent(m_room, RecentOnJoin);
    return JoinResult::accept(page.toJson());
}

void RoomChannel::afterJoin()
{
    PresenceTracker &presence = worker().engine().presence();
    const QString client =
        connectInfo().clientKind.isEmpty() ? QStringLiteral("unknown") : connectInfo().clientKind;
    const QJsonObject meta = presence.track(topic(), connectInfo().user, connectInfo().id,
                                            {{QStringLiteral("online_at"), now()},
                                             {QStringLiteral("client"), client},
                                             {QStringLiteral("status"), m_status}});
    m_tracked = true;
    // A fresh state after every (re)join: phoenix.js Presence only re-syncs from a state.
    push(events::PresenceState, presence.list(topic()));
    worker().queuePresenceDiff(topic(), PresenceTracker::joinDiff(connectInfo().user, meta));
    publishMembers();
}

void RoomChannel::terminate(const QString &)
{
    if (!m_tracked)
        return;
    m_tracked = false;
    PresenceTracker &presence = worker().engine().presence();
    if (const auto left = presence.untrack(topic(), connectInfo().user, connectInfo().id))
        worker().queuePresenceDiff(topic(), PresenceTracker::leaveDiff(connectInfo().user, *left));
    publishMembers();
}

void RoomChannel::publishMembers()
{
    worker().engine().directory().setMembers(m_room, worker().engine().presence().keyCount(topic()),
                                             now());
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
    if (in.event == QLatin1String("status"))
        return status(in.payload);
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

HandleResult RoomChannel::newMessage(const InboundEvent &in)
{
    const QJsonValue body = in.payload.toObject().value(QLatin1String("body"));
    if (const QString why = validation::checkBody(body); !why.isEmpty())
        return HandleResult::replyWith(ChannelReply::error(why));

    StoredMessage message{0, m_room, connectInfo().user, body.toString(), now()};
    Worker *owner = &worker();
    const ReplyHandle handle = in.replyHandle;
    const QString roomTopic = topic();
    // Durable first: the broadcast and the `ok` go out only once the message is committed.
    // This runs on the worker after the commit, whether or not this channel still exists.
    owner->engine().store().append(
        std::move(message), owner,
        [owner, handle, roomTopic](const StoredMessage &m, bool committed) {
            // The broadcast and the reply in one submission: the sender's own copy of the
            // message and its `ok` leave in a single send.
            BatchSender::Scope batch(owner->batchSender());
            if (!committed) {
                owner->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not store the message")));
                return;
            }
            owner->publish(
                Broadcast::create(Message::broadcast(roomTopic, events::NewMessage, m.toJson())),
                nullptr);
            owner->engine().directory().noteMessage(m.room, m.id, m.at);
            owner->completeReply(handle,
                                 ChannelReply::ok(QJsonObject{{QStringLiteral("id"), m.id}}));
        });
    return HandleResult::deferReply();
}

HandleResult RoomChannel::history(const QJsonValue &payload)
{
    const QJsonObject request = payload.toObject();
    qint64 before = idFrom(request.value(QLatin1String("before")));
    if (!request.contains(QLatin1String("before")))
        before = std::numeric_limits<qint64>::max();
    if (before < 0)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("before must be a message id")));
    qint64 limit = request.contains(QLatin1String("limit"))
                       ? idFrom(request.value(QLatin1String("limit")))
                       : 50;
    if (limit < 1)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("limit must be a positive number")));
    limit = std::min<qint64>(limit, MaxHistoryPage);
    return HandleResult::replyWith(
        ChannelReply::ok(worker().history().before(m_room, before, int(limit)).toJson()));
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
    const QString status = payload.toObject().value(QLatin1String("status")).toString();
    if (!allowed.contains(status))
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("status must be online, away or busy")));
    m_status = status;
    PresenceTracker &presence = worker().engine().presence();
    const QString client =
        connectInfo().clientKind.isEmpty() ? QStringLiteral("unknown") : connectInfo().clientKind;
    const auto diff = presence.update(topic(), connectInfo().user, connectInfo().id,
                                      {{QStringLiteral("online_at"), now()},
                                       {QStringLiteral("client"), client},
                                       {QStringLiteral("status"), status}});
    if (diff) {
        // Out before the reply, so that the client sees its new status once told `ok`.
        worker().queuePresenceDiff(topic(), *diff);
        worker().flushPresenceDiff(topic());
    }
    return HandleResult::replyWith(ChannelReply::ok());
}

} // namespace chatter::server
