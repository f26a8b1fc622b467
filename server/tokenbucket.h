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

private:
    double m_rate;
    double m_burst;
    double m_tokens;
    qint64 m_lastNs = -1;
};

} // namespace chatter::server
