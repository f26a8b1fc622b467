// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace chatter::client {

//! A file carried by a message, or what an upload answered (docs/files-and-search.md, "The
//! attachment object"). The URLs are as the server sent them: relative to its address and
//! signed until their `exp`; FileClient::resolve() makes them absolute.
struct Attachment
{
    QString id; //!< random, 22 characters of base64url
    QString name;
    qint64 size = 0;
    QString type;
    QString url;
    //! Images only (a verified PNG, JPEG, GIF or WebP); 0 otherwise.
    int width = 0;
    int height = 0;
    QString thumbUrl;
    int thumbWidth = 0;
    int thumbHeight = 0;

    //! An image the server verified, with a thumbnail to show inline.
    bool isImage() const { return type.startsWith(QLatin1String("image/")) && !thumbUrl.isEmpty(); }
    //! When `url` stops being accepted (its `exp`); invalid when the URL carries none.
    QDateTime expiresAt() const;
    //! Whether the signed URLs are past their `exp` at `now`: ask for the message again.
    bool isExpired(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    //! Parses one attachment object; nullopt without `id`, `name` or `url`.
    static std::optional<Attachment> fromJson(const QJsonObject &json);
    //! A message's `attachments` array in the server's order; malformed entries are skipped.
    static QList<Attachment> listFromJson(const QJsonArray &json);

    bool operator==(const Attachment &) const = default;
};

} // namespace chatter::client

Q_DECLARE_METATYPE(chatter::client::Attachment)
