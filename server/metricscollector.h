// SPDX-License-Identifier: MIT
#pragma once

#include "metricssample.h"

#include <functional>

namespace chatter::server {

class Engine;
class Mailbox;

//! Gathers a MetricsSample for one scrape of /metrics. Nothing is counted twice or locked on
//! the message path: each worker adds its own plain counters (the ones the monitor reads) on
//! its own thread, through its mailbox; the engine's and the store's are atomics read from
//! here. `done` runs on `replyTo`'s thread once every worker has answered; nothing runs if
//! that mailbox is gone by then.
void collectMetrics(Engine &engine, Mailbox *replyTo,
                    std::function<void(const MetricsSample &sample)> done);

} // namespace chatter::server
