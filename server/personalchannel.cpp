// SPDX-License-Identifier: MIT
#include "personalchannel.h"

#include "broadcast.h"
#include "channelcontext.h"
#include "directtopic.h"
#include "events.h"
#include "historyreader.h"
#include "nicknamepolicy.h"
#include "searchrequest.h"
#include "topics.h"

#include <QJsonArray>
#include <QRandomGenerator>

namespace chatter::server {
namespace {

QJsonObject stateFields(QJsonObject entry, const Conversations::ReadState &state, int unread)
{
    entry.insert(QStringLiteral("last_read_id"), state.lastReadId);
    entry.insert(QStringLiteral("unread"), unread);
    entry.insert(QStringLiteral("muted"), state.muted);
    return entry;
}

QString groupName()
{
    // 48 random bits: a group name is never guessed, and never taken twice in practice (a
    // clash is refused by createPrivate and answered as a failure).
    const quint64 bits = QRandomGenerator::system()->generate64() & 0xFFFF'FFFF'FFFFull;
    return QStringLiteral("g.%1").arg(bits, 12, 16, QLatin1Char('0'));
}

} // namespace

void PersonalChannel::notify(ChannelContext &context, const QString &display, const QString &event,
                             const QJsonObject &payload)
{
    context.publish(Broadcast::create(Message::broadcast(topics::user(display), event, payload)));
}

std::optional<AccountDirectory::Account> PersonalChannel::registered(AccountDirectory &accounts,
                                                                     const QString &nick)
{
    if (nick.isEmpty())
        return std::nullopt;
    auto account = accounts.accountByKeys(NicknamePolicy::keys(nick).keys());
    if (!account || account->display.toCaseFolded() != nick.toCaseFolded())
        return std::nullopt;
    return account;
}

QJsonObject PersonalChannel::roomEntry(const Conversations::PrivateRoom &room)
{
    QJsonArray members;
    for (const Conversations::Member &m : room.members)
        members.append(m.display);
    QJsonObject entry{{QStringLiteral("topic"), topics::room(room.name)},
                      {QStringLiteral("name"), room.name},
                      {QStringLiteral("private"), true},
                      {QStringLiteral("group"), room.group},
                      {QStringLiteral("members"), members}};
    entry.insert(QStringLiteral("owner"),
                 room.ownerId ? QJsonValue(room.ownerDisplay) : QJsonValue(QJsonValue::Null));
    return entry;
}

JoinResult PersonalChannel::join(const QJsonValue &)
{
    AccountDirectory *accounts = context().accounts();
    const qint64 id = connectInfo().accountId;
    const auto account = accounts && id ? accounts->account(id) : std::nullopt;
    // Only the account's own sockets, and only under the exact spelling the server gives out.
    if (!account || !context().conversations() || topics::user(account->display) != topic())
        return JoinResult::refuse(QStringLiteral("forbidden"));
    m_display = account->display;
    QJsonArray rooms;
    for (const Conversations::PrivateRoom &room : context().conversations()->privateRoomsOf(id))
        rooms.append(roomEntry(room));
    return JoinResult::accept(QJsonObject{{QStringLiteral("user"), m_display},
                                          {QStringLiteral("topic"), topic()},
                                          {QStringLiteral("conversations"), conversationList()},
                                          {QStringLiteral("private_rooms"), rooms}});
}

QJsonArray PersonalChannel::conversationList()
{
    const qint64 id = connectInfo().accountId;
    Conversations &conversations = *context().conversations();
    AccountDirectory &accounts = *context().accounts();
    HistoryReader &history = context().history();
    QHash<QString, Conversations::ReadState> states = conversations.readStatesOf(id);
    const QString self = m_display.toCaseFolded();
    QJsonArray list;
    for (const HistoryReader::RoomRow &row : history.directRooms(self)) {
        const auto pair = directtopic::parse(directtopic::topicOf(row.name));
        if (!pair)
            continue;
        const QString &other = pair->first == self ? pair->second : pair->first;
        const auto account = registered(accounts, other);
        const Conversations::ReadState state = states.take(row.name);
        const int unread =
            history.countAfter(row.name, state.lastReadId, m_display, Conversations::MaxUnread);
        list.append(stateFields({{QStringLiteral("topic"), directtopic::topicOf(row.name)},
                                 {QStringLiteral("with"), account ? account->display : other},
                                 {QStringLiteral("last_id"), row.lastMessageId},
                                 {QStringLiteral("last_at"), row.lastActivityAt}},
                                state, unread));
    }
    // Rooms (and DMs without messages yet) the account has a marker or a mute setting for.
    for (auto it = states.cbegin(); it != states.cend(); ++it) {
        const QString &key = it.key();
        const bool direct = directtopic::isKey(key);
        // A private room the account left keeps its row, but is no conversation of it.
        if (!direct && !conversations.mayRead(key, id))
            continue;
        const auto row = history.room(key);
        QJsonObject entry{
            {QStringLiteral("topic"), direct ? directtopic::topicOf(key) : topics::room(key)},
            {QStringLiteral("last_id"), row ? row->lastMessageId : 0}};
        if (row)
            entry.insert(QStringLiteral("last_at"), row->lastActivityAt);
        const int unread =
            row ? history.countAfter(key, it->lastReadId, m_display, Conversations::MaxUnread) : 0;
        list.append(stateFields(entry, *it, unread));
    }
    return list;
}

HandleResult PersonalChannel::handleIn(const InboundEvent &in)
{
    if (in.event == events::OpenDm)
        return openDm(in.payload);
    if (in.event == events::CreateGroup)
        return createGroup(in);
    if (in.event == events::Search)
        // Everything this account may read; decided again for every page on the search thread.
        return searchrequest::handle(
            context(), in, topic(),
            Searcher::Scope::account(connectInfo().accountId, m_display.toCaseFolded()));
    return HandleResult::replyWith(ChannelReply::error(QStringLiteral("unknown event")));
}

HandleResult PersonalChannel::openDm(const QJsonValue &payload)
{
    const QString nick = payload.toObject().value(QLatin1String("user")).toString();
    const auto other = registered(*context().accounts(), nick);
    if (!other)
        return HandleResult::replyWith(ChannelReply::error(QStringLiteral("no such account")));
    if (other->id == connectInfo().accountId)
        return HandleResult::replyWith(ChannelReply::error(QStringLiteral("forbidden")));
    return HandleResult::replyWith(ChannelReply::ok(
        QJsonObject{{QStringLiteral("topic"), directtopic::of(m_display, other->display)},
                    {QStringLiteral("with"), other->display}}));
}

HandleResult PersonalChannel::createGroup(const InboundEvent &in)
{
    const QJsonValue users = in.payload.toObject().value(QLatin1String("users"));
    if (!users.isArray())
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("users must be a list of nicknames")));
    const qint64 self = connectInfo().accountId;
    Conversations::PrivateRoom room;
    room.name = groupName();
    room.ownerId = self;
    room.ownerDisplay = m_display;
    room.group = true;
    room.members.append({self, m_display});
    for (const QJsonValue &user : users.toArray()) {
        const auto account = registered(*context().accounts(), user.toString());
        if (!account)
            return HandleResult::replyWith(ChannelReply::error(QStringLiteral("no such account")));
        if (!room.hasMember(account->id))
            room.members.append({account->id, account->display});
    }
    const qsizetype others = room.members.size() - 1;
    if (others < 1 || others > MaxGroupMembers)
        return HandleResult::replyWith(ChannelReply::error(
            QStringLiteral("a group has 1 to %1 other members").arg(MaxGroupMembers)));
    ChannelContext *context = &this->context();
    const ReplyHandle handle = in.replyHandle;
    const bool created = context->conversations()->createPrivate(
        room, context->replyMailbox(), [context, handle, room](bool stored) {
            if (!stored) {
                context->completeReply(
                    handle, ChannelReply::error(QStringLiteral("could not create the group")));
                return;
            }
            const QJsonObject entry = roomEntry(room);
            for (const Conversations::Member &m : room.members)
                notify(*context, m.display, events::RoomInvited, entry);
            context->completeReply(
                handle,
                ChannelReply::ok(QJsonObject{{QStringLiteral("topic"), topics::room(room.name)}}));
        });
    if (!created)
        return HandleResult::replyWith(
            ChannelReply::error(QStringLiteral("could not create the group")));
    return HandleResult::deferReply();
}

} // namespace chatter::server
