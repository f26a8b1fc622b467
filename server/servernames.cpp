// SPDX-License-Identifier: MIT
#include "servernames.h"

#include <QHostInfo>
#include <QNetworkInterface>
#include <QUrl>

namespace chatter::server {
namespace {

constexpr int RefreshAfterMissMs = 5'000;

QHostAddress withoutScope(QHostAddress address)
{
    address.setScopeId({});
    return address;
}

} // namespace

ServerNames::ServerNames(const QStringList &publicHosts)
{
    for (const QString &host : publicHosts) {
        const QString name = hostOf(host.trimmed());
        if (QHostAddress address; address.setAddress(name))
            m_publicAddresses.insert(withoutScope(address));
        else if (!name.isEmpty())
            m_public.insert(name);
    }
    std::scoped_lock locker(m_mutex);
    refreshLocked();
}

QString ServerNames::hostOf(const QString &hostHeader)
{
    const QUrl url(QStringLiteral("http://") + hostHeader.trimmed());
    QString host = url.host(QUrl::FullyDecoded).toLower();
    if (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    return host;
}

void ServerNames::refreshLocked() const
{
    m_names = m_public;
    m_names.insert(QStringLiteral("localhost"));
    const QString machine = QHostInfo::localHostName().toLower();
    if (!machine.isEmpty()) {
        m_names.insert(machine);
        m_names.insert(machine + QStringLiteral(".local"));
        const QString domain = QHostInfo::localDomainName().toLower();
        if (!domain.isEmpty())
            m_names.insert(machine + QLatin1Char('.') + domain);
    }
    m_addresses = m_publicAddresses;
    for (const QHostAddress &address : QNetworkInterface::allAddresses())
        m_addresses.insert(withoutScope(address));
    m_nextRefresh.setRemainingTime(RefreshAfterMissMs);
}

bool ServerNames::isOwnHost(const QString &hostHeader) const
{
    const QString host = hostOf(hostHeader);
    if (host.isEmpty())
        return false;
    QHostAddress address;
    const bool literal = address.setAddress(host);
    if (literal && address.isLoopback())
        return true;
    if (literal)
        address = withoutScope(address);
    std::scoped_lock locker(m_mutex);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (literal ? m_addresses.contains(address) : m_names.contains(host))
            return true;
        if (attempt == 0 && m_nextRefresh.hasExpired())
            refreshLocked();
        else
            break;
    }
    // An IPv4-mapped IPv6 literal names the IPv4 address.
    if (literal) {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (isV4 && address.protocol() == QAbstractSocket::IPv6Protocol)
            return m_addresses.contains(QHostAddress(v4)) || QHostAddress(v4).isLoopback();
    }
    return false;
}

QStringList ServerNames::names() const
{
    std::scoped_lock locker(m_mutex);
    QStringList all(m_names.cbegin(), m_names.cend());
    for (const QHostAddress &address : m_addresses)
        all.append(address.toString());
    all.sort();
    return all;
}

} // namespace chatter::server
