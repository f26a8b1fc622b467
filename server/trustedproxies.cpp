// SPDX-License-Identifier: MIT
#include "trustedproxies.h"

namespace chatter::server::trustedproxies {

bool parse(const QString &entry, Subnet *subnet, QString *error)
{
    const QString text = entry.trimmed();
    if (!text.contains(QLatin1Char('/'))) {
        QHostAddress address;
        if (!address.setAddress(text) || !address.scopeId().isEmpty()) {
            *error = QStringLiteral("%1 is not an address or a subnet").arg(text);
            return false;
        }
        *subnet = {address, address.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
        return true;
    }
    const Subnet parsed = QHostAddress::parseSubnet(text);
    if (parsed.first.isNull() || parsed.second < 0) {
        *error = QStringLiteral("%1 is not an address or a subnet").arg(text);
        return false;
    }
    *subnet = parsed;
    return true;
}

bool contains(const QList<Subnet> &subnets, const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    const QHostAddress address = isV4 ? QHostAddress(v4) : peer;
    for (const Subnet &subnet : subnets) {
        if (address.isInSubnet(subnet))
            return true;
    }
    return false;
}

} // namespace chatter::server::trustedproxies
