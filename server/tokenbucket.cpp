// SPDX-License-Identifier: MIT
#include "tokenbucket.h"

#include <algorithm>

namespace chatter::server {

bool TokenBucket::take(qint64 nowNs)
{
    if (m_lastNs >= 0 && nowNs > m_lastNs)
        m_tokens = std::min(m_burst, m_tokens + double(nowNs - m_lastNs) * m_rate / 1e9);
    if (nowNs > m_lastNs)
        m_lastNs = nowNs;
    if (m_tokens >= 1) {
        m_tokens -= 1;
        return true;
    }
    if (m_credit >= 1 && nowNs <= m_creditUntilNs) {
        m_credit -= 1;
        return true;
    }
    return false;
}

void TokenBucket::pause(qint64 nowNs)
{
    if (m_pausedAtNs < 0)
        m_pausedAtNs = nowNs;
}

void TokenBucket::resume(qint64 nowNs)
{
    if (m_pausedAtNs < 0)
        return;
    const qint64 paused = std::max<qint64>(0, nowNs - m_pausedAtNs);
    m_pausedAtNs = -1;
    m_credit = double(paused) * m_rate / 1e9;
    m_creditUntilNs = nowNs + paused;
}

} // namespace chatter::server
