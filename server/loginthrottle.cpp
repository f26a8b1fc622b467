// SPDX-License-Identifier: MIT
#include "loginthrottle.h"

#include <algorithm>
#include <cmath>

namespace chatter::server {
namespace {

constexpr qsizetype ForgetAbove = 10'000;

} // namespace

LoginThrottle::LoginThrottle(Limit perAddress, Limit perAccount)
    : m_address(perAddress), m_account(perAccount)
{}

double LoginThrottle::refill(Bucket &bucket, const Limit &limit, qint64 nowMs)
{
    if (bucket.atMs == 0) {
        bucket.tries = limit.burst;
    } else {
        const double gained = double(nowMs - bucket.atMs) / 1000.0 / limit.refillSecs;
        bucket.tries = std::min(limit.burst, bucket.tries + std::max(0.0, gained));
    }
    bucket.atMs = nowMs;
    return bucket.tries;
}

void LoginThrottle::forget(QHash<QString, Bucket> &buckets, const Limit &limit, qint64 nowMs)
{
    // Full buckets say nothing: dropped, so that many addresses cannot grow the table for good.
    if (buckets.size() < ForgetAbove)
        return;
    for (auto it = buckets.begin(); it != buckets.end();) {
        if (refill(*it, limit, nowMs) >= limit.burst)
            it = buckets.erase(it);
        else
            ++it;
    }
}

int LoginThrottle::acquire(const QString &address, const QString &account, qint64 nowMs)
{
    std::scoped_lock locker(m_mutex);
    forget(m_addresses, m_address, nowMs);
    forget(m_accounts, m_account, nowMs);
    Bucket &byAddress = m_addresses[address];
    double wait = 0;
    if (const double tries = refill(byAddress, m_address, nowMs); tries < 1)
        wait = (1 - tries) * m_address.refillSecs;
    Bucket *byAccount = nullptr;
    if (!account.isEmpty()) {
        byAccount = &m_accounts[account];
        if (const double tries = refill(*byAccount, m_account, nowMs); tries < 1)
            wait = std::max(wait, (1 - tries) * m_account.refillSecs);
    }
    if (wait > 0)
        return std::max(1, int(std::ceil(wait - 1e-6))); // 10.0000001 s is 10 s
    byAddress.tries -= 1;
    if (byAccount)
        byAccount->tries -= 1;
    return 0;
}

void LoginThrottle::refund(const QString &address, const QString &account)
{
    std::scoped_lock locker(m_mutex);
    if (auto it = m_addresses.find(address); it != m_addresses.end())
        it->tries = std::min(m_address.burst, it->tries + 1);
    if (auto it = m_accounts.find(account); !account.isEmpty() && it != m_accounts.end())
        it->tries = std::min(m_account.burst, it->tries + 1);
}

} // namespace chatter::server
