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

} // namespace

OriginPolicy::OriginPolicy(QStringList allowed, const QStringList &publicHosts)
{
    for (const QString &raw : publicHosts) {
        const QUrl url(QStringLiteral("//") + raw.trimmed());
        Entry entry;
        entry.host = url.host().toLower();
        entry.port = url.port(-1);
        if (url.isValid() && !entry.host.isEmpty() && entry.port != -1)
            m_public.append(entry);
    }
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

bool OriginPolicy::allows(const QString &origin, const QString &requestHost,
                          const QString &scheme) const
{
    if (origin.isEmpty() || m_any)
        return true;
    const QUrl url(origin);
    const QString host = url.host().toLower();
    if (!url.isValid() || host.isEmpty())
        return false; // "null", file:// and friends
    const QString originScheme = url.scheme().toLower();
    const int port = url.port(defaultPort(originScheme));
    for (const Entry &entry : m_public) {
        if (host == entry.host && port == entry.port)
            return true;
    }
    if (m_entries.isEmpty()) {
        // Exactly where the request went ("[::1]:4000", "chat.lan:4000", "example"): another
        // port on the same host is another origin, possibly another program's page.
        const QUrl target(scheme + QStringLiteral("://") + requestHost);
        return originScheme == scheme && host == target.host().toLower() &&
               port == target.port(defaultPort(scheme));
    }
    for (const Entry &entry : m_entries) {
        const bool hostMatches = host == entry.host ||
                                 (entry.subdomains && host.endsWith(QLatin1Char('.') + entry.host));
        if (!hostMatches)
            continue;
        if (!entry.scheme.isEmpty() && entry.scheme != originScheme)
            continue;
        if (entry.port != -1 && entry.port != port)
            continue;
        return true;
    }
    return false;
}

} // namespace chatter::server
