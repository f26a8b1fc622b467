// SPDX-License-Identifier: MIT
#include "connectionlimiter.h"

namespace chatter::server {
namespace {

constexpr int RefusalLogIntervalMs = 1000;
//! Log states of addresses not refused lately are dropped beyond this many.
constexpr qsizetype MaxLogStates = 4096;

} // namespace

ConnectionLimiter::ConnectionLimiter(int maxTotal, int maxPerAddress)
    : m_maxTotal(maxTotal), m_maxPerAddress(maxPerAddress)
{}

QString ConnectionLimiter::addressKey(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4); // IPv4-mapped IPv6 counts as IPv4
    if (isV4)
        return QHostAddress(v4).toString();
    Q_IPV6ADDR bytes = peer.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

ConnectionLimiter::~ConnectionLimiter()
{
    // Workers drop their last tickets as their threads end, and the engine joins them before
    // destroying this. That join is a QThread::wait, which sanitizers cannot see through
    // (Qt is not instrumented); taking the lock once more states the order where they can.
    std::scoped_lock locker(m_mutex);
}

bool ConnectionLimiter::admit(Kind kind, const QHostAddress &peer, QString *why)
{
    const QString key = addressKey(peer);
    const int k = int(kind);
    std::scoped_lock locker(m_mutex);
    if (totalFull(k, why))
        return false;
    PerAddress &address = m_addresses[key];
    if (addressFull(address, k, key, why))
        return false;
    ++address.held[k];
    ++m_total[k];
    return true;
}

bool ConnectionLimiter::totalFull(int kind, QString *why)
{
    if (m_total[kind] < m_maxTotal)
        return false;
    ++m_refusedAtTotal;
    if (why)
        *why = QStringLiteral("server full (%1 in all)").arg(m_maxTotal);
    return true;
}

bool ConnectionLimiter::addressFull(const PerAddress &address, int kind, const QString &key,
                                    QString *why)
{
    if (address.held[kind] < m_maxPerAddress)
        return false;
    ++m_refusedAtAddress;
    if (why)
        *why = QStringLiteral("%1 already from %2").arg(m_maxPerAddress).arg(key);
    return true;
}

bool ConnectionLimiter::admitExempt(Kind kind, QString *why)
{
    const int k = int(kind);
    std::scoped_lock locker(m_mutex);
    if (totalFull(k, why))
        return false;
    ++m_total[k];
    return true;
}

void ConnectionLimiter::releaseExempt(Kind kind)
{
    std::scoped_lock locker(m_mutex);
    if (m_total[int(kind)] > 0)
        --m_total[int(kind)];
}

bool ConnectionLimiter::admitAddress(Kind kind, const QHostAddress &peer, QString *why)
{
    const QString key = addressKey(peer);
    const int k = int(kind);
    std::scoped_lock locker(m_mutex);
    PerAddress &address = m_addresses[key];
    if (addressFull(address, k, key, why))
        return false;
    ++address.held[k];
    return true;
}

void ConnectionLimiter::release(Kind kind, const QHostAddress &peer)
{
    const QString key = addressKey(peer);
    const int k = int(kind);
    std::scoped_lock locker(m_mutex);
    const auto it = m_addresses.find(key);
    if (it == m_addresses.end() || it->held[k] == 0)
        return;
    --it->held[k];
    --m_total[k];
    if (it->held[0] == 0 && it->held[1] == 0)
        m_addresses.erase(it);
}

bool ConnectionLimiter::shouldLogRefusal(const QHostAddress &peer, int *suppressed)
{
    const QString key = addressKey(peer);
    std::scoped_lock locker(m_mutex);
    if (m_logs.size() > MaxLogStates) {
        for (auto it = m_logs.begin(); it != m_logs.end();)
            it = it->quietUntil.hasExpired() ? m_logs.erase(it) : std::next(it);
    }
    LogState &state = m_logs[key];
    if (!state.quietUntil.hasExpired()) {
        ++state.suppressed;
        return false;
    }
    *suppressed = state.suppressed;
    state.suppressed = 0;
    state.quietUntil.setRemainingTime(RefusalLogIntervalMs);
    return true;
}

int ConnectionLimiter::count(Kind kind) const
{
    std::scoped_lock locker(m_mutex);
    return m_total[int(kind)];
}

int ConnectionLimiter::countFor(Kind kind, const QHostAddress &peer) const
{
    const QString key = addressKey(peer);
    std::scoped_lock locker(m_mutex);
    return m_addresses.value(key).held[int(kind)];
}

AdmissionTicket::AdmissionTicket(ConnectionLimiter &limiter, ConnectionLimiter::Kind kind,
                                 QHostAddress peer, QObject *holder)
    : QObject(holder), m_admission(limiter, kind, std::move(peer))
{}

} // namespace chatter::server
