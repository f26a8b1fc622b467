// SPDX-License-Identifier: MIT
#include "chatmessage.h"

#include "messagemarkup.h"

#include <QJsonArray>

namespace chatter::client {

std::optional<ChatMessage> ChatMessage::fromJson(const QJsonObject &json)
{
    const QJsonValue id = json.value(QLatin1String("id"));
    const QJsonValue user = json.value(QLatin1String("user"));
    const QJsonValue body = json.value(QLatin1String("body"));
    if (!id.isDouble())
        return std::nullopt;
    ChatMessage m;
    m.id = qint64(id.toDouble());
    if (json.value(QLatin1String("deleted")).toBool()) {
        m.deleted = true;
        m.user = user.toString();
        m.at = QDateTime::fromString(json.value(QLatin1String("at")).toString(), Qt::ISODateWithMs);
        return m;
    }
    if (!user.isString() || !body.isString())
        return std::nullopt;
    m.user = user.toString();
    m.body = body.toString();
    m.at = QDateTime::fromString(json.value(QLatin1String("at")).toString(), Qt::ISODateWithMs);
    if (!m.at.isValid())
        m.at = QDateTime::currentDateTimeUtc();
    m.replyTo = qint64(json.value(QLatin1String("reply_to")).toDouble());
    const QJsonObject quote = json.value(QLatin1String("quote")).toObject();
    m.quoteUser = quote.value(QLatin1String("user")).toString();
    m.quoteBody = quote.value(QLatin1String("body")).toString();
    m.quoteDeleted = quote.value(QLatin1String("deleted")).toBool();
    if (const QJsonValue edited = json.value(QLatin1String("edited_at")); edited.isString())
        m.editedAt = QDateTime::fromString(edited.toString(), Qt::ISODateWithMs);
    m.reactions = reactionsFromJson(json.value(QLatin1String("reactions")).toObject());
    m.attachments = Attachment::listFromJson(json.value(QLatin1String("attachments")).toArray());
    return m;
}

QList<std::pair<QString, QStringList>> ChatMessage::reactionsFromJson(const QJsonObject &json)
{
    QList<std::pair<QString, QStringList>> reactions;
    for (auto it = json.begin(); it != json.end(); ++it) {
        QStringList users;
        for (const QJsonValue &user : it.value().toArray())
            users.append(user.toString());
        if (!users.isEmpty())
            reactions.append({it.key(), users});
    }
    return reactions;
}

ChatMessage ChatMessage::system(Kind kind, const QString &user, const QString &body)
{
    ChatMessage m;
    m.kind = kind;
    m.user = user;
    m.body = body;
    m.at = QDateTime::currentDateTimeUtc();
    return m;
}

ChatMessage ChatMessage::pendingOwn(const QString &user, const QString &body)
{
    ChatMessage m;
    m.user = user;
    m.body = body;
    m.at = QDateTime::currentDateTimeUtc();
    m.own = true;
    m.pending = true;
    return m;
}

bool ChatMessage::mentions(const QString &body, const QString &nickname)
{
    if (nickname.isEmpty())
        return false;
    // The server's rule (common/messagemarkup): `@nick` or `@here`, never a bare name.
    const QString me = nickname.toCaseFolded();
    for (const QString &name : markup::mentionedNames(body)) {
        const QString folded = name.toCaseFolded();
        if (folded == me || folded == QLatin1String("here"))
            return true;
    }
    return false;
}

} // namespace chatter::client
