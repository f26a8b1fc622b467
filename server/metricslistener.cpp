// SPDX-License-Identifier: MIT
#include "metricslistener.h"

#include "mailbox.h"
#include "metricsendpoint.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpServer>

namespace chatter::server {

MetricsListener::MetricsListener(Engine &engine, QObject *parent)
    : QObject(parent), m_engine(engine), m_mailbox(new Mailbox(this)),
      m_server(new QTcpServer(this)), m_http(new QHttpServer(this))
{
    m_http->route(QStringLiteral("/metrics"),
                  [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
                      metricsendpoint::serveMetrics(m_engine, m_mailbox, std::move(responder));
                  });
    m_http->route(QStringLiteral("/healthz"),
                  [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
                      metricsendpoint::serveHealth(m_engine, m_mailbox, std::move(responder));
                  });
}

Expected<void> MetricsListener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_server->listen(address, port))
        return failure(QStringLiteral("cannot listen on %1 port %2: %3")
                           .arg(address.toString())
                           .arg(port)
                           .arg(m_server->errorString()));
    m_http->bind(m_server);
    return {};
}

quint16 MetricsListener::port() const
{
    return m_server->serverPort();
}

} // namespace chatter::server
