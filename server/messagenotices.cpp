// SPDX-License-Identifier: MIT
#include "messagenotices.h"

#include "accountdirectory.h"
#include "channelcontext.h"
#include "conversations.h"
#include "events.h"
#include "historyreader.h"
#include "personalchannel.h"
#include "presencetracker.h"

#include <QJsonArray>
#include <QSet>

namespace chatter::server::notices {

void afterCommit(ChannelContext &context, const QString &topic, const StoredMessage &message,
                 qint64 author, const QString &otherSide, const QStringList &mentioned, bool here)
{
    AccountDirectory *accounts = context.accounts();
    Conversations *conversations = context.conversations();
    if (!accounts || !conversations)
        return;
    const QJsonObject notice{{QStringLiteral("topic"), topic},
                             {QStringLiteral("id"), message.id},
                             {QStringLiteral("user"), message.user},
                             {QStringLiteral("body"), message.body},
                             {QStringLiteral("at"), message.at}};
    const bool direct = !otherSide.isEmpty();
    if (direct) {
        // Both sides: the sender's other devices list a new DM too.
        PersonalChannel::notify(context, message.user, events::Dm, notice);
        PersonalChannel::notify(context, otherSide, events::Dm, notice);
        if (const auto other = PersonalChannel::registered(*accounts, otherSide)) {
            const qint64 marker = conversations->readState(other->id, message.room).lastReadId;
            PersonalChannel::notify(
                context, other->display, events::Unread,
                {{QStringLiteral("topic"), topic},
                 {QStringLiteral("count"),
                  context.history().countAfter(message.room, marker, other->display,
                                               Conversations::MaxUnread)},
                 {QStringLiteral("last_read_id"), marker}});
        }
    }
    const QString authorFolded = message.user.toCaseFolded();
    QSet<QString> notified; // case-folded nicknames: one mention per account and message
    for (const QString &name : mentioned) {
        const auto account = PersonalChannel::registered(*accounts, name);
        if (!account || account->id == author)
            continue;
        const QString folded = account->display.toCaseFolded();
        const bool mayRead = direct ? folded == otherSide.toCaseFolded()
                                    : conversations->mayRead(message.room, account->id);
        if (!mayRead || notified.contains(folded))
            continue;
        notified.insert(folded);
        PersonalChannel::notify(context, account->display, events::Mention, notice);
    }
    if (!here)
        return;
    // Every account present now, by its presence (a key is a nickname as displayed).
    const QJsonObject present = context.presence().list(topic);
    for (auto it = present.constBegin(); it != present.constEnd(); ++it) {
        const QJsonObject meta =
            it.value().toObject().value(QLatin1String("metas")).toArray().first().toObject();
        if (meta.value(QLatin1String("role")).toString() == QLatin1String("guest"))
            continue;
        const QString folded = it.key().toCaseFolded();
        if (folded == authorFolded || notified.contains(folded))
            continue;
        notified.insert(folded);
        PersonalChannel::notify(context, it.key(), events::Mention, notice);
    }
}

} // namespace chatter::server::notices
