// SPDX-License-Identifier: MIT
#include "metricsendpoint.h"

#include "healthcheck.h"
#include "metricscollector.h"
#include "prometheustext.h"

#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

namespace chatter::server::metricsendpoint {
namespace {

struct HeldResponder
{
    QPointer<QTcpSocket> socket;
    QHttpServerResponder responder;
};

std::shared_ptr<HeldResponder> hold(QHttpServerResponder &&responder)
{
    QPointer<QTcpSocket> socket = responder.socket();
    return std::make_shared<HeldResponder>(HeldResponder{socket, std::move(responder)});
}

} // namespace

void serveMetrics(Engine &engine, Mailbox *here, QHttpServerResponder &&responder)
{
    auto held = hold(std::move(responder));
    collectMetrics(engine, here, [held](const MetricsSample &sample) {
        if (!held->socket)
            return; // the scraper gave up
        held->responder.write(
            prometheustext::format(sample),
            {{"content-type", prometheustext::ContentType}, {"cache-control", "no-store"}},
            QHttpServerResponder::StatusCode::Ok);
    });
}

void serveHealth(Engine &engine, Mailbox *here, QHttpServerResponder &&responder)
{
    auto held = hold(std::move(responder));
    checkHealth(engine, here, [held](const HealthReport &report) {
        if (!held->socket)
            return;
        held->responder.write(QJsonDocument(report.body).toJson(QJsonDocument::Compact),
                              {{"content-type", "application/json"}, {"cache-control", "no-store"}},
                              report.ready ? QHttpServerResponder::StatusCode::Ok
                                           : QHttpServerResponder::StatusCode::ServiceUnavailable);
    });
}

} // namespace chatter::server::metricsendpoint
