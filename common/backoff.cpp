// SPDX-License-Identifier: MIT
#include "backoff.h"

#include <algorithm>

namespace chatter {

Backoff::Backoff(QList<int> stepsMs, int thenMs) : m_steps(std::move(stepsMs)), m_then(thenMs) {}

int Backoff::delayMs(int tries) const
{
    if (tries < 1)
        tries = 1;
    if (tries <= m_steps.size())
        return m_steps.at(tries - 1);
    return m_then;
}

Backoff Backoff::reconnect()
{
    return Backoff({10, 50, 100, 150, 200, 250, 500, 1000, 2000}, 5000);
}

Backoff Backoff::rejoin()
{
    return Backoff({1000, 2000, 5000}, 10000);
}

Backoff Backoff::scaledDown(int divisor) const
{
    divisor = std::max(divisor, 1);
    QList<int> steps;
    steps.reserve(m_steps.size());
    for (int step : m_steps)
        steps.append(std::max(step / divisor, 1));
    return Backoff(std::move(steps), std::max(m_then / divisor, 1));
}

} // namespace chatter
