// SPDX-License-Identifier: MIT
#include "rateallowance.h"

#include <algorithm>

namespace chatter::server {

bool RateAllowance::take(qint64 nowNs, double ratePerSecond, double burst)
{
    if (ratePerSecond <= 0 || burst < 1)
        return false;
    const double intervalNs = 1e9 / ratePerSecond;
    const qint64 from = std::max(m_fullAtNs, nowNs);
    // Each take moves the full time one interval later; more than burst − 1 intervals ahead
    // of now means burst takes are already in it.
    if (double(from - nowNs) > (burst - 1) * intervalNs)
        return false;
    m_fullAtNs = from + qint64(intervalNs);
    return true;
}

} // namespace chatter::server
