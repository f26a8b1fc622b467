// SPDX-License-Identifier: MIT
#include "originpolicy.h"

#include <QUrl>

namespace chatter::server {
namespace {

int defaultPort(const QString &scheme)
{
    if (scheme == QLatin1String("https") || scheme == QLatin1String("wss"))
        return 443;
    if (scheme == QLatin1String("http") || scheme == QLatin1String("ws"))
        return 80;
    return -1;
}

QString hostOfHostHeader(const QString &hostHeader)
{
    // "[::1]:4000", "localhost:4000", "example"
    const QUrl url(QStringLiteral("http://") + hostHeader);
    return url.host().toLower();
}

} // namespace

OriginPolicy::OriginPolicy(QStringList allowed)
{
    for (const QString &raw : allowed) {
        const QString text = raw.trimmed();
        if (text == QLatin1String("*")) {
            m_any = true;
            continue;
        }
        Entry entry;
        QString spec = text;
        if (spec.startsWith(QLatin1String("*."))) {
            entry.subdomains = true;
            spec = spec.mid(2);
        }
        const bool hasScheme = spec.contains(QLatin1String("://"));
        const QUrl url(hasScheme ? spec
                                 : QStringLiteral("//") +
                                       (spec.startsWith(QLatin1String("//")) ? spec.mid(2) : spec));
        entry.scheme = hasScheme ? url.scheme().toLower() : QString();
        entry.host = url.host().toLower();
        entry.port = url.port(hasScheme ? defaultPort(entry.scheme) : -1);
        if (!entry.host.isEmpty())
            m_entries.append(entry);
    }
}

bool OriginPolicy::allows(const QString &origin, const QString &requestHost) const
{
    if (origin.isEmpty() || m_any)
        return true;
    const QUrl url(origin);
    const QString host = url.host().toLower();
    if (!url.isValid() || host.isEmpty())
        return false; // "null", file:// and friends
    if (m_entries.isEmpty())
        return host == hostOfHostHeader(requestHost);
    const QString scheme = url.scheme().toLower();
    const int port = url.port(defaultPort(scheme));
    for (const Entry &entry : m_entries) {
        const bool hostMatches = host == entry.host ||
                                 (entry.subdomains && host.endsWith(QLatin1Char('.') + entry.host));
        if (!hostMatches)
            continue;
        if (!entry.scheme.isEmpty() && entry.scheme != scheme)
            continue;
        if (entry.port != -1 && entry.port != port)
            continue;
        return true;
    }
    return false;
}

} // namespace chatter::server
