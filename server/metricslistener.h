// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QHostAddress>
#include <QObject>

class QHttpServer;
class QTcpServer;

namespace chatter::server {

class Engine;
class Mailbox;

//! --metrics-address: GET /metrics and GET /healthz on a listener of their own, away from the
//! chat port (anything else is 404). A plain QHttpServer on the engine's (main) thread, where
//! it and its answers live: a scrape every few seconds needs no worker. Meant for an address
//! only the monitoring system reaches (loopback, a management network): it has none of the
//! chat port's limits (HttpGate, connection caps).
class MetricsListener : public QObject
{
    Q_OBJECT
public:
    MetricsListener(Engine &engine, QObject *parent);

    //! Binds and listens; the reason when the address cannot be used.
    Expected<void> listen(const QHostAddress &address, quint16 port);
    quint16 port() const;

private:
    Engine &m_engine;
    Mailbox *m_mailbox = nullptr; //!< where the answers come back to (this thread)
    QTcpServer *m_server = nullptr;
    QHttpServer *m_http = nullptr;
};

} // namespace chatter::server
