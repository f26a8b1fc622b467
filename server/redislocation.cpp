// SPDX-License-Identifier: MIT
#include "redislocation.h"

#include <QUrl>
#include <QUrlQuery>

namespace chatter::server {

namespace {

constexpr auto Shape = "expected redis://host[:port][/db] or unix:///path[?db=n]";

//! A database number: decimal digits only, 0 … 1,000,000 (Redis's own limit is its
//! `databases` setting, which SELECT then checks).
bool parseDatabase(const QString &text, int *out)
{
    if (text.isEmpty() || text.size() > 7)
        return false;
    for (const QChar c : text)
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    *out = text.toInt();
    return *out <= 1'000'000;
}

} // namespace

Expected<RedisLocation> RedisLocation::parse(const QString &text)
{
    const auto refuse = [&text](const QString &why) {
        return failure(QStringLiteral("%1 (%2, got %3)").arg(why, QLatin1String(Shape), text));
    };
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return refuse(QStringLiteral("not a URL"));
    if (url.scheme() == QLatin1String("rediss"))
        return refuse(QStringLiteral("TLS to Redis is not supported"));
    if (url.scheme() != QLatin1String("redis") && url.scheme() != QLatin1String("unix"))
        return refuse(QStringLiteral("unknown scheme"));
    if (!url.userInfo().isEmpty())
        return refuse(QStringLiteral("a user or password is not supported (no AUTH yet)"));
    if (url.hasFragment())
        return refuse(QStringLiteral("no #fragment is accepted"));
    RedisLocation location;
    if (url.scheme() == QLatin1String("redis")) {
        location.host = url.host(QUrl::FullyDecoded);
        if (location.host.isEmpty())
            return refuse(QStringLiteral("no host"));
        location.port = url.port(6379);
        if (location.port <= 0)
            return refuse(QStringLiteral("bad port"));
        if (url.hasQuery())
            return refuse(QStringLiteral("no ?options are accepted on redis://"));
        QString path = url.path(QUrl::FullyDecoded);
        if (path.startsWith(QLatin1Char('/')))
            path.remove(0, 1);
        if (!path.isEmpty() && !parseDatabase(path, &location.database))
            return refuse(QStringLiteral("the path must be a database number"));
        return location;
    }
    // unix:///path[?db=n]
    location.kind = Kind::Unix;
    if (!url.host().isEmpty() || url.port() != -1)
        return refuse(QStringLiteral("a socket path has no host (three slashes: unix:///…)"));
    location.path = url.path(QUrl::FullyDecoded);
    if (location.path.size() < 2 || !location.path.startsWith(QLatin1Char('/')))
        return refuse(QStringLiteral("no socket path"));
    if (url.hasQuery()) {
        const QUrlQuery query(url);
        const auto items = query.queryItems(QUrl::FullyDecoded);
        if (items.size() != 1 || items.first().first != QLatin1String("db") ||
            !parseDatabase(items.first().second, &location.database))
            return refuse(QStringLiteral("the only option is db=<number>"));
    }
    return location;
}

QString RedisLocation::display() const
{
    if (kind == Kind::Unix)
        return QStringLiteral("unix://") + path +
               (database ? QStringLiteral("?db=%1").arg(database) : QString());
    QUrl url;
    url.setScheme(QStringLiteral("redis"));
    url.setHost(host);
    url.setPort(port);
    url.setPath(QLatin1Char('/') + QString::number(database));
    return url.toString();
}

} // namespace chatter::server
