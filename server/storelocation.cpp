// SPDX-License-Identifier: MIT
#include "storelocation.h"

#include <QUrl>

namespace chatter::server {

StoreLocation StoreLocation::sqlite(QString file)
{
    StoreLocation location;
    location.path = std::move(file);
    return location;
}

Expected<StoreLocation> StoreLocation::parse(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() ||
        (url.scheme() != QLatin1String("postgresql") && url.scheme() != QLatin1String("postgres")))
        return failure(
            QStringLiteral("expected postgresql://user[:password]@host[:port]/db, got %1")
                .arg(text));
    if (url.hasQuery() || url.hasFragment())
        return failure(QStringLiteral("no ?options or #fragment are accepted in %1").arg(text));
    StoreLocation location;
    location.kind = Kind::PostgreSQL;
    location.user = url.userName(QUrl::FullyDecoded);
    location.password = url.password(QUrl::FullyDecoded);
    location.host = url.host(QUrl::FullyDecoded);
    location.port = url.port(5432);
    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    location.database = path;
    if (location.user.isEmpty() || location.host.isEmpty() || location.database.isEmpty() ||
        location.database.contains(QLatin1Char('/')))
        return failure(
            QStringLiteral("expected postgresql://user[:password]@host[:port]/db, got %1")
                .arg(location.display()));
    return location;
}

QString StoreLocation::display() const
{
    if (kind == Kind::SQLite)
        return path;
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(user);
    url.setHost(host);
    url.setPort(port);
    url.setPath(QLatin1Char('/') + database);
    return url.toString();
}

} // namespace chatter::server
