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
    if (m_tokens < 1)
        return false;
    m_tokens -= 1;
    return true;
}

} // namespace chatter::server
