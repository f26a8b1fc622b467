// SPDX-License-Identifier: MIT
#include "roomchannel.h"

#include "accountdirectory.h"
#include "broadcast.h"
#include "channelcontext.h"
#include "chatvalidation.h"
#include "conversations.h"
#include "directtopic.h"
#include "events.h"
#include "historyreader.h"
#include "isotime.h"
#include "messagemarkup.h"
#include "messagenotices.h"
#include "personalchannel.h"
#include "presencetracker.h"
#include "roomdirectory.h"
#include "roommembership.h"
#include "searchrequest.h"
#include "serverconfig.h"
#include "socketsession.h"
#include "topics.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>

namespace chatter::server {
namespace {

QString now()
{
    return isotime::now();
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

std::optional<QString> RoomChannel::checkAccess(const QJsonObject &request, bool created)
{
    Conversations *conversations = context().conversations();
    AccountDirectory *accounts = context().accounts();
    const qint64 self = connectInfo().accountId;
    if (m_dm) {
        // Every worker has the accounts; without them nobody can be shown to be a side.
        if (!accounts)
            return QStringLiteral("forbidden");
        const auto other = directtopic::checkJoin(
            topic(), connectInfo().user, self != 0,
            [accounts](const QString &folded) -> std::optional<QString> {
                const auto account = PersonalChannel::registered(*accounts, folded);
                return account ? std::optional<QString>(account->display) : std::nullopt;
            });
        if (!other)
            return other.error();
        m_otherSide = *other;
        return std::nullopt;
    }
    if (!conversations)
        return std::nullopt;
    if (!conversations->mayRead(m_room, self))
        return QStringLiteral("forbidden");
    if (created && request.value(QLatin1String("private")).toBool()) {
        // The joiner is its owner and only member; in memory at once (see Conversations).
        Conversations::PrivateRoom room;
        room.name = m_room;
        room.ownerId = self;
        room.ownerDisplay = connectInfo().user;
        room.members.append({self, connectInfo().user});
        if (conversations->createPrivate(room))
            PersonalChannel::notify(context(), connectInfo().user, events::RoomInvited,
                                    PersonalChannel::roomEntry(room));
    }
    return std::nullopt;
}

JoinResult RoomChannel::join(const QJsonValue &payload)
{
    const QJsonObject request = payload.toObject();
    if (m_dm) {
        // Only the two accounts it names; it is no directory entry.
        if (const auto refused = checkAccess(request, false))
            return JoinResult::refuse(*refused);
    } else {
        // Private rooms belong to accounts: a guest cannot create one.
        if (request.value(QLatin1String("private")).toBool() && connectInfo().accountId == 0)
            return JoinResult::refuse(QStringLiteral("forbidden"));
        // Members only, before the room is counted as existing for this join.
        if (Conversations *conversations = context().conversations();
            conversations && !conversations->mayRead(m_room, connectInfo().accountId))
            return JoinResult::refuse(QStringLiteral("forbidden"));
        const auto created = admitRoom();
        if (!created)
            return JoinResult::refuse(created.error());
        if (const auto refused = checkAccess(request, *created))
            return JoinResult::refuse(*refused);
    }
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
    addConversationFields(reply);
    return JoinResult::accept(reply);
}

Expected<bool> RoomChannel::admitRoom()
{
    if (const auto valid = validation::checkRoomName(m_room); !valid)
        return failure(valid.error());
    // Names are free, rooms are not: each one that exists is a directory entry for every
    // browser and, once it has a message, a row on disk.
    const int maxRooms = session().config().maxRooms;
    switch (context().directory().admit(m_room, maxRooms,
                                        [this] { return session().takeRoomCreation(); })) {
    case RoomDirectory::Admission::Existing:
        return false;
    case RoomDirectory::Admission::Created:
        return true;
    case RoomDirectory::Admission::Full:
        return failure(QStringLiteral("too many rooms on this server"));
    case RoomDirectory::Admission::TooFast:
        return failure(QStringLiteral("creating rooms too fast; try again in a minute"));
    }
    return false;
}

void RoomChannel::addConversationFields(QJsonObject &reply)
{
    Conversations *conversations = context().conversations();
    const qint64 self = connectInfo().accountId;
    Conversations::ReadState state;
    if (self && conversations) {
        state = conversations->readState(self, m_room);
    } else {
        const SocketSession::LocalReadState local = session().localReadState(m_room);
        state = {local.lastReadId, local.muted};
    }
    reply.insert(QStringLiteral("last_read_id"), state.lastReadId);
    reply.insert(QStringLiteral("unread"),
                 context().history().countAfter(m_room, state.lastReadId, connectInfo().user,
                                                Conversations::MaxUnread));
    reply.insert(QStringLiteral("muted"), state.muted);
    if (!conversations || m_dm)
        return;
    if (const auto room = conversations->privateRoom(m_room)) {
        const QJsonObject entry = PersonalChannel::roomEntry(*room);
        for (const QString &field : {QStringLiteral("private"), QStringLiteral("owner"),
                                     QStringLiteral("members"), QStringLiteral("group")})
            reply.insert(field, entry.value(field));
    }
}

PresenceMeta RoomChannel::presenceMeta() const
{
    PresenceMeta meta;
    meta.client =
        connectInfo().clientKind.isEmpty() ? QStringLiteral("unknown") : connectInfo().clientKind;
    meta.role = PresenceMeta::roleNamed(connectInfo().role);
    meta.status = m_autoAway ? PresenceMeta::Status::Away : m_status;
    meta.autoAway = m_autoAway;
    meta.onlineAtMs = QDateTime::currentMSecsSinceEpoch();
    return meta;
}

void RoomChannel::setAutoAway(bool away)
{
    // Only an `online` socket goes away by itself; an explicit status stays as it was set.
    if (!m_tracked || away == m_autoAway || (away && m_status != PresenceMeta::Status::Online))
        return;
    m_autoAway = away;
    const auto diff =
        context().presence().update(topic(), connectInfo().user, connectInfo().id, presenceMeta());
    if (diff) {
        context().queuePresenceDiff(topic(), *diff);
        context().flushPresenceDiff(topic());
    }
}

void RoomChannel::afterJoin()
{
    PresenceTracker &presence = context().presence();
    const PresenceMeta meta =
        presence.track(topic(), connectInfo().user, connectInfo().id, presenceMeta());
    m_tracked = true;
    // A fresh state after every (re)join: phoenix.js Presence only re-syncs from a state.
    pushJson(events::PresenceState, presence.listJson(topic()));
    context().queuePresenceDiff(topic(), PresenceDiff::join(connectInfo().user, meta));
    publishMembers();
}

void RoomChannel::terminate(const QString &)
{
    if (!m_tracked)
        return;
    m_tracked = false;
    PresenceTracker &presence = context().presence();
    if (const auto left = presence.untrack(topic(), connectInfo().user, connectInfo().id))
        context().queuePresenceDiff(topic(), PresenceDiff::leave(connectInfo().user, *left));
    publishMembers();
}

void RoomChannel::publishMembers()
{
    // Read and written under two locks: the count's version lets the directory keep the newest
    // of two workers' counts whatever order they arrive in.
    if (m_dm)
        return;
    const PresenceTracker::MemberCount count = context().presence().memberCount(topic());
    context().directory().setMembers(m_room, count.keys, count.version,
                                     QDateTime::currentMSecsSinceEpoch());
}

HandleResult RoomChannel::handleIn(const InboundEvent &in)
{
    if (in.event == events::NewMessage)
        return newMessage(in);
    if (in.event == events::History)
        return history(in.payload);
    if (in.event == events::Search)
        // This conversation only: the socket joined it, so it may read it.
        return searchrequest::handle(context(), in, topic(), Searcher::Scope::conversation(m_room));
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
    if (in.event == events::Read)
        return read(in);
    if (in.event == events::Mute)
        return mute(in);
    if (in.event == events::SetPrivate)
        return membership().setPrivate(in);
    if (in.event == events::Invite)
        return membership().invite(in);
    if (in.event == events::Remove)
        return membership().remove(in);
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

HandleResult RoomChannel::newMessage(const InboundEvent &in)
{
    const QJsonObject request = in.payload.toObject();
    const QJsonValue body = request.value(QLatin1String("body"));
    // Files the same identity uploaded (docs/files-and-search.md); with them the body may be
    // empty.
    const auto fileIds = attachmentIds(request.value(QLatin1String("attachments")));
    if (!fileIds)
        return HandleResult::replyWith(ChannelReply::error(fileIds.error()));
    if (const auto valid = validation::checkBody(body);
        !valid && (fileIds->isEmpty() || !(body.isString() || body.isUndefined()) ||
                   body.toString().size() > validation::MaxBodyLength))
        return HandleResult::replyWith(ChannelReply::error(valid.error()));
    QList<Attachment> attachments;
    if (!fileIds->isEmpty()) {
        auto found = context().history().uploads(*fileIds, authorKey(connectInfo()));
        if (!found)
            return HandleResult::replyWith(ChannelReply::error(found.error()));
        attachments = std::move(*found);
    }

    // Mentions cost nothing for a message without an `@`.
    const QString text = body.toString();
    bool here = false;
    QStringList mentioned;
    if (text.contains(QLatin1Char('@'))) {
        mentioned = markup::mentionedNames(text);
        here = mentioned.removeIf([](const QString &name) {
            return name.compare(QLatin1String("here"), Qt::CaseInsensitive) == 0;
        }) > 0;
    }
    const bool notices = here || !mentioned.isEmpty() || m_dm;

    StoredMessage message{0, m_room, connectInfo().user, text, now()};
    message.author = authorKey(connectInfo());
    message.attachments = std::move(attachments);
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
    // Last of the checks, so that a message refused for another reason leaves the allowance.
    if (Conversations *conversations = context().conversations();
        here && conversations &&
        !conversations->takeHere(connectInfo().skeleton, m_room,
                                 QDateTime::currentMSecsSinceEpoch()))
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("@here is limited to one per minute")));
    ChannelContext *context = &this->context();
    const ReplyHandle handle = in.replyHandle;
    const QString topic = this->topic();
    const qint64 author = connectInfo().accountId;
    const QString otherSide = m_otherSide;
    // Durable first: the broadcast and the `ok` go out only once the message is committed.
    // This runs on the worker after the commit, whether or not this channel still exists.
    context->append(std::move(message), [context, handle, notices, topic, author, otherSide,
                                         mentioned, here](const StoredMessage &m, bool committed) {
        if (!committed) {
            context->completeReply(
                handle, ChannelReply::error(QStringLiteral("could not store the message")));
            return;
        }
        publishCommitted(*context, m);
        context->completeReply(handle, ChannelReply::ok(QJsonObject{{QStringLiteral("id"), m.id}}));
        if (notices)
            notices::afterCommit(*context, topic, m, author, otherSide, mentioned, here);
    });
    return HandleResult::deferReply();
}

Expected<QStringList> RoomChannel::attachmentIds(const QJsonValue &value)
{
    if (value.isUndefined() || value.isNull())
        return QStringList();
    if (!value.isArray())
        return failure(QStringLiteral("attachments must be a list of file ids"));
    const QJsonArray list = value.toArray();
    if (list.size() > MaxAttachments)
        return failure(QStringLiteral("too many attachments"));
    QStringList ids;
    for (const QJsonValue &id : list) {
        // Ids are 22 base64url characters; anything else is nobody's file.
        if (!id.isString() || id.toString().isEmpty() || id.toString().size() > 64)
            return failure(QStringLiteral("no such file"));
        ids.append(id.toString());
    }
    return ids;
}

Expected<void> RoomChannel::publishCommitted(ChannelContext &context, const StoredMessage &message,
                                             bool system)
{
    if (!topics::isDmKey(message.room))
        context.directory().noteMessage(message.room, message.id, isotime::toMsecs(message.at));
    return context.publish(newMessageBroadcast(message, system));
}

std::shared_ptr<const Broadcast> RoomChannel::newMessageBroadcast(const StoredMessage &message,
                                                                  bool system)
{
    QJsonObject payload = message.toJson();
    if (system)
        payload.insert(QStringLiteral("system"), true);
    return Broadcast::createOrdered(
        Message::broadcast(topics::conversationTopic(message.room), events::NewMessage, payload),
        {message.id, message.prevId});
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
    if (request.contains(QLatin1String("around")))
        return around(request.value(QLatin1String("around")), int(limit));
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

HandleResult RoomChannel::around(const QJsonValue &id, int limit)
{
    // Opening a search result (docs/files-and-search.md): the message with up to half the
    // limit on either side, the older half first. The message itself counts towards the limit.
    const qint64 wanted = idFrom(id);
    HistoryReader &history = context().history();
    const auto message = wanted > 0 ? history.message(wanted) : std::nullopt;
    if (!message || message->room != m_room)
        return HandleResult::replyWith(ChannelReply::error(QStringLiteral("no such message")));
    const int older = limit / 2;
    HistoryPage before = older > 0 ? history.before(m_room, wanted, older) : HistoryPage{};
    if (older == 0)
        before.more = history.before(m_room, wanted, 1).messages.size() > 0;
    // From the message itself on: ids are unique across conversations.
    HistoryPage after = history.after(m_room, wanted - 1, limit - older);
    const qint64 budget = replyBudget() / 2;
    before.fitWithin(budget, false);
    after.fitWithin(budget, true);
    QJsonArray messages;
    for (const HistoryPage *page : {&before, &after}) {
        const QJsonArray list = page->toJson().value(QLatin1String("messages")).toArray();
        for (const QJsonValue &m : list)
            messages.append(m);
    }
    return HandleResult::replyWith(
        ChannelReply::ok(QJsonObject{{QStringLiteral("messages"), messages},
                                     {QStringLiteral("more_before"), before.more},
                                     {QStringLiteral("more_after"), after.more}}));
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
    const auto status =
        PresenceMeta::statusNamed(payload.toObject().value(events::Status).toString());
    if (!status)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("status must be online, away, busy or dnd")));
    m_status = *status;
    const auto diff =
        context().presence().update(topic(), connectInfo().user, connectInfo().id, presenceMeta());
    if (diff) {
        // Out before the reply, so that the client sees its new status once told `ok`.
        context().queuePresenceDiff(topic(), *diff);
        context().flushPresenceDiff(topic());
    }
    return HandleResult::replyWith(ChannelReply::ok());
}

HandleResult RoomChannel::read(const InboundEvent &in)
{
    const qint64 id = idFrom(in.payload.toObject().value(QLatin1String("id")));
    if (id < 0)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("id must be a message id")));
    Conversations *conversations = context().conversations();
    const qint64 self = connectInfo().accountId;
    if (!self || !conversations) {
        // A guest's marker lives as long as its connection.
        SocketSession::LocalReadState &state = session().localReadStateFor(m_room);
        const auto row = context().history().room(m_room);
        state.lastReadId = std::max(state.lastReadId, std::min(id, row ? row->lastMessageId : 0));
        const int unread = context().history().countAfter(
            m_room, state.lastReadId, connectInfo().user, Conversations::MaxUnread);
        return HandleResult::replyWith(
            ChannelReply::ok(QJsonObject{{QStringLiteral("last_read_id"), state.lastReadId},
                                         {QStringLiteral("unread"), unread}}));
    }
    ChannelContext *context = &this->context();
    const ReplyHandle handle = in.replyHandle;
    const QString topic = this->topic();
    const QString display = connectInfo().user;
    const qint64 before = conversations->readState(self, m_room).lastReadId;
    conversations->markRead(
        self, display, m_room, id, context->replyMailbox(),
        [context, handle, topic, display, before](qint64 marker, int unread) {
            if (marker < 0) {
                context->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not store the marker")));
                return;
            }
            context->completeReply(
                handle, ChannelReply::ok(QJsonObject{{QStringLiteral("last_read_id"), marker},
                                                     {QStringLiteral("unread"), unread}}));
            if (marker == before)
                return;
            // Every device of the account, this one included, learns where the marker is.
            PersonalChannel::notify(
                *context, display, events::Read,
                {{QStringLiteral("topic"), topic}, {QStringLiteral("last_read_id"), marker}});
            PersonalChannel::notify(*context, display, events::Unread,
                                    {{QStringLiteral("topic"), topic},
                                     {QStringLiteral("count"), unread},
                                     {QStringLiteral("last_read_id"), marker}});
        });
    return HandleResult::deferReply();
}

HandleResult RoomChannel::mute(const InboundEvent &in)
{
    const QJsonValue value = in.payload.toObject().value(QLatin1String("muted"));
    if (!value.isBool())
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("muted must be true or false")));
    const bool muted = value.toBool();
    Conversations *conversations = context().conversations();
    const qint64 self = connectInfo().accountId;
    if (!self || !conversations) {
        session().localReadStateFor(m_room).muted = muted;
        return HandleResult::replyWith(
            ChannelReply::ok(QJsonObject{{QStringLiteral("muted"), muted}}));
    }
    ChannelContext *context = &this->context();
    const ReplyHandle handle = in.replyHandle;
    const QString topic = this->topic();
    const QString display = connectInfo().user;
    conversations->setMuted(
        self, m_room, muted, context->replyMailbox(),
        [context, handle, topic, display, muted](bool stored) {
            if (!stored) {
                context->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not store the setting")));
                return;
            }
            context->completeReply(handle,
                                   ChannelReply::ok(QJsonObject{{QStringLiteral("muted"), muted}}));
            PersonalChannel::notify(
                *context, display, events::Muted,
                {{QStringLiteral("topic"), topic}, {QStringLiteral("muted"), muted}});
        });
    return HandleResult::deferReply();
}

RoomMembership RoomChannel::membership()
{
    return RoomMembership(context(), connectInfo(), m_room, topic());
}

} // namespace chatter::server
