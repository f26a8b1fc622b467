// SPDX-License-Identifier: MIT
#include "listenurls.h"

#include <QNetworkInterface>

#include <algorithm>

namespace chatter::monitor {

QString urlFor(const QHostAddress &address, quint16 port, bool secure)
{
    QHostAddress plain = address;
    plain.setScopeId({});
    const QString host = plain.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(plain.toString())
                             : plain.toString();
    return QStringLiteral("%1://%2:%3/")
        .arg(secure ? QStringLiteral("https") : QStringLiteral("http"), host)
        .arg(port);
}

QList<ListenUrl> listenEndpoints(const QHostAddress &bindAddress, quint16 port, bool secure)
{
    const bool anyV4 = bindAddress == QHostAddress::Any || bindAddress == QHostAddress::AnyIPv4;
    const bool anyV6 = bindAddress == QHostAddress::Any || bindAddress == QHostAddress::AnyIPv6;
    if (!anyV4 && !anyV6)
        return {{QString(), urlFor(bindAddress, port, secure)}};

    QList<ListenUrl> v4;
    QList<ListenUrl> v6;
    QString loopbackName;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        const auto flags = iface.flags();
        if (flags.testFlag(QNetworkInterface::IsLoopBack) && loopbackName.isEmpty())
            loopbackName = iface.humanReadableName();
        if (!flags.testFlag(QNetworkInterface::IsUp) ||
            !flags.testFlag(QNetworkInterface::IsRunning) ||
            flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            const QHostAddress ip = entry.ip();
            if (ip.isLoopback())
                continue;
            if (ip.protocol() == QAbstractSocket::IPv4Protocol && anyV4)
                v4.append({iface.humanReadableName(), urlFor(ip, port, secure)});
            // A link-local IPv6 address needs a zone id ("%eth0") that browsers do not accept in
            // a URL, so only addresses someone can actually type are offered.
            else if (ip.protocol() == QAbstractSocket::IPv6Protocol && anyV6 && !ip.isLinkLocal())
                v6.append({iface.humanReadableName(), urlFor(ip, port, secure)});
        }
    }
    QList<ListenUrl> endpoints;
    for (const ListenUrl &endpoint : v4 + v6) {
        const bool seen = std::any_of(endpoints.cbegin(), endpoints.cend(),
                                      [&](const ListenUrl &e) { return e.url == endpoint.url; });
        if (!seen)
            endpoints.append(endpoint);
    }
    endpoints.append({loopbackName, urlFor(anyV4 ? QHostAddress(QHostAddress::LocalHost)
                                                 : QHostAddress(QHostAddress::LocalHostIPv6),
                                           port, secure)});
    return endpoints;
}

QStringList listenUrls(const QHostAddress &bindAddress, quint16 port, bool secure)
{
    QStringList urls;
    for (const ListenUrl &endpoint : listenEndpoints(bindAddress, port, secure))
        urls.append(endpoint.url);
    return urls;
}

} // namespace chatter::monitor
