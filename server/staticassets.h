// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

namespace chatter::server {

//! The browser client, compiled into the binary (qrc) so the server is one file to copy.
//! Each file is read once, with its content type and an ETag for conditional requests.
class StaticAssets
{
public:
    struct Asset
    {
        QByteArray body;
        QByteArray contentType;
        QByteArray etag;
        QByteArray cacheControl;
    };

    StaticAssets();
    //! `path` as requested: "/" or "/assets/app.js"; nothing for unknown paths.
    std::optional<Asset> find(const QString &path) const;

private:
    QHash<QString, Asset> m_assets;
};

} // namespace chatter::server
