// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>

#include <functional>

namespace chatter::server {

class Engine;
class Mailbox;

//! GET /healthz (docs/metrics.md): whether this node should get new clients.
struct HealthReport
{
    bool ready = false; //!< 200 when ready, else 503
    QJsonObject body;
};

//! Checks the store (a round trip through its thread: an empty transaction on the writer's
//! connection, and the last batch committed) and, with --redis, the cluster (Redis reachable).
//! `done` runs on `replyTo`'s thread, which must be the calling thread: the store's answer, or
//! after `timeoutMs` a report that it did not answer.
void checkHealth(Engine &engine, Mailbox *replyTo, std::function<void(const HealthReport &)> done,
                 int timeoutMs = 2000);

} // namespace chatter::server
