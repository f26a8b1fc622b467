// SPDX-License-Identifier: MIT
#include "attachment.h"

#include <QUrl>
#include <QUrlQuery>

namespace chatter::client {

QDateTime Attachment::expiresAt() const
{
    const QUrlQuery query(QUrl(url).query());
    bool ok = false;
    const qint64 exp = query.queryItemValue(QStringLiteral("exp")).toLongLong(&ok);
    return ok ? QDateTime::fromSecsSinceEpoch(exp, Qt::UTC) : QDateTime();
}

bool Attachment::isExpired(const QDateTime &now) const
{
    const QDateTime expires = expiresAt();
    return expires.isValid() && expires <= now;
}

std::optional<Attachment> Attachment::fromJson(const QJsonObject &json)
{
    Attachment a;
    a.id = json.value(QLatin1String("id")).toString();
    a.name = json.value(QLatin1String("name")).toString();
    a.url = json.value(QLatin1String("url")).toString();
    if (a.id.isEmpty() || a.name.isEmpty() || a.url.isEmpty())
        return std::nullopt;
    a.size = qint64(json.value(QLatin1String("size")).toDouble());
    a.type = json.value(QLatin1String("type")).toString(QStringLiteral("application/octet-stream"));
    a.width = json.value(QLatin1String("width")).toInt();
    a.height = json.value(QLatin1String("height")).toInt();
    a.thumbUrl = json.value(QLatin1String("thumb_url")).toString();
    a.thumbWidth = json.value(QLatin1String("thumb_width")).toInt();
    a.thumbHeight = json.value(QLatin1String("thumb_height")).toInt();
    return a;
}

QList<Attachment> Attachment::listFromJson(const QJsonArray &json)
{
    QList<Attachment> list;
    for (const QJsonValue &value : json) {
        if (auto attachment = fromJson(value.toObject()))
            list.append(*attachment);
    }
    return list;
}

} // namespace chatter::client
