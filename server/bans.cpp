// SPDX-License-Identifier: MIT
#include "bans.h"

namespace chatter::server {
namespace {

QString addressKey(const QHostAddress &address)
{
    // An IPv4 client may show up as ::ffff:a.b.c.d on a dual-stack socket.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

} // namespace

void Bans::banNickname(const QString &nickname, QDateTime until)
{
    std::scoped_lock locker(m_mutex);
    m_nicknames.insert(nickname.toCaseFolded(), until);
}

void Bans::banAddress(const QHostAddress &address, QDateTime until)
{
    std::scoped_lock locker(m_mutex);
    m_addresses.insert(addressKey(address), until);
}

Expected<void> Bans::check(const QString &nickname, const QHostAddress &address) const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::scoped_lock locker(m_mutex);
    if (const auto it = m_nicknames.constFind(nickname.toCaseFolded());
        it != m_nicknames.cend() && *it > now)
        return failure(QStringLiteral("nickname banned until %1").arg(it->toString(Qt::ISODate)));
    if (const auto it = m_addresses.constFind(addressKey(address));
        it != m_addresses.cend() && *it > now)
        return failure(QStringLiteral("address banned until %1").arg(it->toString(Qt::ISODate)));
    return {};
}

} // namespace chatter::server
