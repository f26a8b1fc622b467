// SPDX-License-Identifier: MIT
#include "latencyhistogram.h"

#include <algorithm>

namespace chatter::server {

void LatencyHistogram::observe(qint64 nanoseconds)
{
    const double seconds = double(nanoseconds) / 1e9;
    const auto bucket = std::lower_bound(Bounds.cbegin(), Bounds.cend(), seconds) - Bounds.cbegin();
    m_buckets[size_t(bucket)].fetch_add(1, std::memory_order_relaxed);
    m_sumNs.fetch_add(nanoseconds, std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const
{
    Snapshot s;
    qint64 running = 0;
    for (size_t i = 0; i < Bounds.size(); ++i) {
        running += m_buckets[i].load(std::memory_order_relaxed);
        s.cumulative.append(running);
    }
    s.count = running + m_buckets[Bounds.size()].load(std::memory_order_relaxed);
    s.sumSeconds = double(m_sumNs.load(std::memory_order_relaxed)) / 1e9;
    return s;
}

} // namespace chatter::server
