// SPDX-License-Identifier: MIT
#include "chatvalidation.h"

#include <QRegularExpression>

namespace chatter::validation {

QString checkNickname(const QJsonValue &nickname)
{
    if (!nickname.isString())
        return QStringLiteral("nickname missing");
    const QString nick = nickname.toString();
    if (nick.isEmpty())
        return QStringLiteral("nickname missing");
    if (nick.size() > MaxNicknameLength)
        return QStringLiteral("nickname too long");
    static const QRegularExpression allowed(QStringLiteral(R"(^[\p{L}\p{N}_.\-]+$)"));
    if (!allowed.match(nick).hasMatch())
        return QStringLiteral("invalid nickname");
    // Server notices are sent as "system"; nobody may pose as it.
    if (nick.compare(QLatin1String("system"), Qt::CaseInsensitive) == 0)
        return QStringLiteral("nickname reserved");
    return {};
}

QString checkRoomName(const QString &room)
{
    static const QRegularExpression allowed(QStringLiteral(R"(^[A-Za-z0-9._\-]{1,64}$)"));
    if (!allowed.match(room).hasMatch())
        return QStringLiteral("invalid room name");
    return {};
}

QString checkBody(const QJsonValue &body)
{
    if (body.isUndefined() || body.isNull())
        return QStringLiteral("body missing");
    if (!body.isString())
        return QStringLiteral("body must be a string");
    const QString text = body.toString();
    if (text.trimmed().isEmpty())
        return QStringLiteral("body is empty");
    if (text.size() > MaxBodyLength)
        return QStringLiteral("body too long");
    return {};
}

} // namespace chatter::validation
