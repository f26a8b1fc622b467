// SPDX-License-Identifier: MIT
#include "chatmessage.h"

#include <QRegularExpression>

namespace chatter::client {

std::optional<ChatMessage> ChatMessage::fromJson(const QJsonObject &json)
{
    const QJsonValue id = json.value(QLatin1String("id"));
    const QJsonValue user = json.value(QLatin1String("user"));
    const QJsonValue body = json.value(QLatin1String("body"));
    if (!id.isDouble() || !user.isString() || !body.isString())
        return std::nullopt;
    ChatMessage m;
    m.id = qint64(id.toDouble());
    m.user = user.toString();
    m.body = body.toString();
    m.at = QDateTime::fromString(json.value(QLatin1String("at")).toString(), Qt::ISODateWithMs);
    if (!m.at.isValid())
        m.at = QDateTime::currentDateTimeUtc();
    return m;
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
    // Nicknames may contain '.', '-' and '_', so "word" means: not next to a nick character.
    const QRegularExpression word(QStringLiteral(R"((?<![\p{L}\p{N}_.\-])%1(?![\p{L}\p{N}_\-]))")
                                      .arg(QRegularExpression::escape(nickname)),
                                  QRegularExpression::CaseInsensitiveOption);
    return word.match(body).hasMatch();
}

} // namespace chatter::client
