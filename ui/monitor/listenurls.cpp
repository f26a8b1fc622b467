// SPDX-License-Identifier: MIT
#include "listenurls.h"

#include <QNetworkInterface>

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

QStringList listenUrls(const QHostAddress &bindAddress, quint16 port, bool secure)
{
    const bool anyV4 = bindAddress == QHostAddress::Any || bindAddress == QHostAddress::AnyIPv4;
    const bool anyV6 = bindAddress == QHostAddress::Any || bindAddress == QHostAddress::AnyIPv6;
    if (!anyV4 && !anyV6)
        return {urlFor(bindAddress, port, secure)};

    QStringList v4;
    QStringList v6;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &iface : interfaces) {
        const auto flags = iface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) ||
            !flags.testFlag(QNetworkInterface::IsRunning) ||
            flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &entry : iface.addressEntries()) {
            const QHostAddress ip = entry.ip();
            if (ip.isLoopback())
                continue;
            if (ip.protocol() == QAbstractSocket::IPv4Protocol && anyV4)
                v4.append(urlFor(ip, port, secure));
            // A link-local IPv6 address needs a zone id ("%eth0") that browsers do not accept in
            // a URL, so only addresses someone can actually type are offered.
            else if (ip.protocol() == QAbstractSocket::IPv6Protocol && anyV6 && !ip.isLinkLocal())
                v6.append(urlFor(ip, port, secure));
        }
    }
    QStringList urls = v4 + v6;
    urls.removeDuplicates();
    urls.append(urlFor(anyV4 ? QHostAddress(QHostAddress::LocalHost)
                             : QHostAddress(QHostAddress::LocalHostIPv6),
                       port, secure));
    return urls;
}

} // namespace chatter::monitor
