// SPDX-License-Identifier: MIT
#include "chatvalidation.h"

#include <QRegularExpression>

namespace chatter::validation {

Expected<void> checkNickname(const QJsonValue &nickname)
{
    if (!nickname.isString())
        return failure(QStringLiteral("nickname missing"));
    const QString nick = nickname.toString();
    if (nick.isEmpty())
        return failure(QStringLiteral("nickname missing"));
    if (nick.size() > MaxNicknameLength)
        return failure(QStringLiteral("nickname too long"));
    static const QRegularExpression allowed(QStringLiteral(R"(^[\p{L}\p{N}_.\-]+$)"));
    if (!allowed.match(nick).hasMatch())
        return failure(QStringLiteral("invalid nickname"));
    // Server notices are sent as "system"; nobody may pose as it.
    if (nick.compare(QLatin1String("system"), Qt::CaseInsensitive) == 0)
        return failure(QStringLiteral("nickname reserved"));
    return {};
}

Expected<void> checkClientKind(const QJsonValue &client)
{
    if (client.isUndefined())
        return {};
    static const QStringList kinds{QStringLiteral("desktop"), QStringLiteral("web"),
                                   QStringLiteral("mobile"), QStringLiteral("bot")};
    if (!client.isString() || !kinds.contains(client.toString()))
        return failure(QStringLiteral("client must be desktop, web, mobile or bot"));
    return {};
}

Expected<void> checkRoomName(const QString &room)
{
    static const QRegularExpression allowed(QStringLiteral(R"(^[A-Za-z0-9._\-]{1,64}$)"));
    if (!allowed.match(room).hasMatch())
        return failure(QStringLiteral("invalid room name"));
    return {};
}

Expected<void> checkBody(const QJsonValue &body)
{
    if (body.isUndefined() || body.isNull())
        return failure(QStringLiteral("body missing"));
    if (!body.isString())
        return failure(QStringLiteral("body must be a string"));
    const QString text = body.toString();
    if (text.trimmed().isEmpty())
        return failure(QStringLiteral("body is empty"));
    if (text.size() > MaxBodyLength)
        return failure(QStringLiteral("body too long"));
    return {};
}

Expected<void> checkEmoji(const QJsonValue &emoji)
{
    const QString text = emoji.toString();
    if (!emoji.isString() || text.isEmpty() || text.size() > MaxEmojiLength)
        return failure(QStringLiteral("invalid emoji"));
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char32_t c = text.at(i).isHighSurrogate() && i + 1 < text.size()
                               ? QChar::surrogateToUcs4(text.at(i), text.at(i + 1))
                               : text.at(i).unicode();
        if (QChar::isSpace(c) || QChar::category(c) == QChar::Other_Control)
            return failure(QStringLiteral("invalid emoji"));
    }
    return {};
}

} // namespace chatter::validation
