// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace chatter::server {

//! A TokenBucket's limit without its pause credit, in one number (the "generic cell rate
//! algorithm"): the time at which the bucket would be full again. Rate and burst come from the
//! caller at each take, so a limit most sockets hold but rarely use (room creations) costs 8 bytes
//! each.
class RateAllowance
{
public:
    //! Takes one at `nowNs` (monotonic) if fewer than `burst` were taken in the last
    //! `burst / ratePerSecond` seconds' worth of refills; false (nothing taken) otherwise.
    bool take(qint64 nowNs, double ratePerSecond, double burst);

private:
    qint64 m_fullAtNs = 0; //!< before this the bucket is not full; 0: full from the start
};

} // namespace chatter::server
