// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

namespace chatter::server {

//! The request line and headers of one HTTP/1.1 request, enough to route it at the front door.
//! Bodies and everything else HTTP are left to QHttpServer; this only looks at the head.
struct RequestHead
{
    QByteArray method;
    QString path;
    QString query; //!< raw, still percent-encoded, without '?'
    QByteArray version;
    QHash<QByteArray, QByteArray> headers; //!< lower-case names; repeats joined with ", "
    qsizetype size = 0;                    //!< bytes up to and including the blank line

    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
    //! True when the comma-separated header contains `token` (case-insensitive).
    bool headerHasToken(const QByteArray &lowerName, const QByteArray &token) const;

    enum class Status
    {
        Complete,
        Incomplete,
        Invalid
    };
    //! Parses `buffer`; Incomplete means more bytes are needed for the blank line.
    static Status parse(const QByteArray &buffer, RequestHead *out);
};

} // namespace chatter::server
