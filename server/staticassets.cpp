// SPDX-License-Identifier: MIT
#include "staticassets.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>

namespace chatter::server {
namespace {

QByteArray contentTypeFor(const QString &name)
{
    static const QHash<QString, QByteArray> types{
        {QStringLiteral("html"), "text/html; charset=utf-8"},
        {QStringLiteral("js"), "text/javascript; charset=utf-8"},
        {QStringLiteral("mjs"), "text/javascript; charset=utf-8"},
        {QStringLiteral("css"), "text/css; charset=utf-8"},
        {QStringLiteral("svg"), "image/svg+xml"},
        {QStringLiteral("png"), "image/png"},
        {QStringLiteral("json"), "application/json"},
        {QStringLiteral("webmanifest"), "application/manifest+json"},
    };
    return types.value(name.section(QLatin1Char('.'), -1), "application/octet-stream");
}

} // namespace

StaticAssets::StaticAssets()
{
    QDirIterator it(QStringLiteral(":/web"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        Asset asset;
        asset.body = f.readAll();
        asset.contentType = contentTypeFor(file);
        asset.etag =
            '"' +
            QCryptographicHash::hash(asset.body, QCryptographicHash::Sha256).toHex().left(20) + '"';
        // Names do not change between releases, so browsers revalidate (cheaply, by ETag).
        asset.cacheControl = "no-cache";
        const QString relative = file.mid(QStringLiteral(":/web/").size());
        m_assets.insert(relative == QLatin1String("index.html")
                            ? QStringLiteral("/")
                            : QStringLiteral("/assets/") + relative,
                        asset);
    }
}

std::optional<StaticAssets::Asset> StaticAssets::find(const QString &path) const
{
    const auto it =
        m_assets.constFind(path == QLatin1String("/index.html") ? QStringLiteral("/") : path);
    if (it == m_assets.cend())
        return std::nullopt;
    return *it;
}

} // namespace chatter::server
