// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace chatter::server {

//! The flood limit of one socket: `ratePerSecond` tokens a second, at most `burst` saved up.
//!
//! Time comes from the caller in nanoseconds of a monotonic clock, so refills smaller than a
//! millisecond add up: a server catching up on a backlog handles one client's messages
//! microseconds apart, and rounding each gap down to whole milliseconds would starve the
//! bucket and refuse a client that never exceeded the rate.
class TokenBucket
{
public:
    TokenBucket(double ratePerSecond, double burst)
        : m_rate(ratePerSecond), m_burst(burst), m_tokens(burst)
    {}

    //! Takes one token at `nowNs`; false (and nothing taken) when none is left.
    bool take(qint64 nowNs);

    //! The server stopped reading this socket at `nowNs` (and resumes at a later one): what the
    //! client sent meanwhile at the allowed rate waits in TCP and then arrives in a burst. The
    //! paused time is credited, beyond the burst, for as long again after resuming, so that a
    //! client that kept to the rate is not refused for the server's own delay.
    void pause(qint64 nowNs);
    void resume(qint64 nowNs);

private:
    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_lastNs = -1;
    qint64 m_pausedAtNs = -1;
    double m_credit = 0;
    qint64 m_creditUntilNs = -1;
};

} // namespace chatter::server
