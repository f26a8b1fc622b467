// SPDX-License-Identifier: MIT
#pragma once

#include <QList>

namespace chatter {

//! A retry schedule in phoenix.js style: a list of delays for the first tries, then one delay
//! for every later try. Clients use it for reconnects and rejoins; tests shrink it.
class Backoff
{
public:
    Backoff() = default;
    Backoff(QList<int> stepsMs, int thenMs);

    //! The delay before try number `tries` (1 is the first retry). phoenix.js indexes its
    //! list with `tries - 1`, so try 1 waits for the first entry.
    int delayMs(int tries) const;

    const QList<int> &steps() const { return m_steps; }
    int thenMs() const { return m_then; }

    //! phoenix.js `reconnectAfterMs`: 10, 50, 100, 150, 200, 250, 500, 1000, 2000, then 5000.
    static Backoff reconnect();
    //! phoenix.js `rejoinAfterMs`: 1000, 2000, 5000, then 10000.
    static Backoff rejoin();
    //! Every entry divided by `divisor` (at least 1 ms): the same shape, faster, for tests.
    Backoff scaledDown(int divisor) const;

private:
    QList<int> m_steps;
    int m_then = 0;
};

} // namespace chatter
