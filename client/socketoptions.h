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
};

} // namespace chatter::client
