// SPDX-License-Identifier: MIT
#pragma once

#include "backoff.h"

namespace chatter::client {

//! Timing of a PhoenixSocket and its channels. The defaults are phoenix.js's; tests shrink them.
struct SocketOptions
{
    //! A heartbeat goes out this long after the last one was answered (or after open), and
    //! the connection counts as dead when its reply takes this long again.
    int heartbeatIntervalMs = 30'000;
    //! Join, push and leave timeout.
    int timeoutMs = 10'000;
    Backoff reconnectAfter = Backoff::reconnect();
    Backoff rejoinAfter = Backoff::rejoin();
    //! After a rejoin, how long a member missing from a room counts as "still reconnecting":
    //! a server restart drops everyone and they come back over the next seconds, which is not
    //! news. Longer than the slowest reconnect step (5 s) plus a rejoin.
    int rejoinSettleMs = 12'000;
};

} // namespace chatter::client
