// SPDX-License-Identifier: MIT
#pragma once

class QHttpServerResponder;

namespace chatter::server {

class Engine;
class Mailbox;

//! The answers of GET /metrics and GET /healthz, for whichever listener serves them (a
//! worker's HttpRoutes on the chat port, or MetricsListener on --metrics-address). Both are
//! answered later, on `here`'s thread (the one calling, which owns the responder), once the
//! workers or the store have answered; a client gone by then gets nothing.
namespace metricsendpoint {

void serveMetrics(Engine &engine, Mailbox *here, QHttpServerResponder &&responder);
void serveHealth(Engine &engine, Mailbox *here, QHttpServerResponder &&responder);

} // namespace metricsendpoint
} // namespace chatter::server
