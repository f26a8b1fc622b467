// SPDX-License-Identifier: MIT
#include "inviteqr.h"

#include "qrcode.h"

#include <QUrl>

namespace chatter::server::inviteqr {

Expected<QString> joinUrl(const QString &origin, const QString &host)
{
    if (host.isEmpty())
        return failure(QStringLiteral("the request has no Host header"));
    const QUrl url(origin, QUrl::StrictMode);
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return failure(QStringLiteral("the origin must be an http:// or https:// origin"));
    if (!url.userInfo().isEmpty() || !url.path().isEmpty() || url.hasQuery() || url.hasFragment())
        return failure(QStringLiteral("the origin must be scheme://host[:port] alone"));
    // Host names compare without case; the browser's origin and its Host header spell the port
    // the same way (both leave out the scheme's default).
    const QString authority = origin.mid(scheme.size() + 3);
    if (authority.compare(host, Qt::CaseInsensitive) != 0)
        return failure(QStringLiteral("the origin names another server than the Host header"));
    return origin + QLatin1Char('/');
}

Expected<QByteArray> svgFor(const QString &origin, const QString &host)
{
    const auto url = joinUrl(origin, host);
    if (!url)
        return failure(url.error());
    const auto code = QrCode::encode(*url);
    if (!code)
        return failure(code.error());
    return code->toSvg();
}

} // namespace chatter::server::inviteqr
