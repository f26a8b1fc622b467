// SPDX-License-Identifier: MIT
#include "httproutes.h"

#include "accountapi.h"
#include "bufferedinput.h"
#include "fileapi.h"
#include "httpfeeder.h"
#include "httpgate.h"
#include "inviteqr.h"
#include "logging.h"
#include "longpollendpoint.h"
#include "metricsendpoint.h"
#include "staticassets.h"
#include "worker.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonObject>
#include <QTcpSocket>
#include <QUrlQuery>

namespace chatter::server {

HttpRoutes::HttpRoutes(Worker &worker, const StaticAssets &assets, const QByteArray &longPollSecret)
    : QObject(&worker), m_worker(worker), m_assets(assets)
{
    m_feeder = new HttpFeeder(this);
    m_gate = new HttpGate(worker, this);
    m_http = new QHttpServer(this);
    m_longPoll = new LongPollEndpoint(worker, longPollSecret);
    m_http->route(QStringLiteral("/socket/longpoll"),
                  [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      m_longPoll->handle(request, std::move(responder));
                  });
    m_accounts = new AccountApi(worker, this);
    const std::pair<const char *, AccountApi::Endpoint> api[] = {
        {"/api/accounts", AccountApi::Endpoint::Accounts},
        {"/api/accounts/password", AccountApi::Endpoint::Password},
        {"/api/sessions", AccountApi::Endpoint::Sessions},
        {"/api/guests", AccountApi::Endpoint::Guests}};
    for (const auto &[path, endpoint] : api) {
        m_http->route(
            QString::fromLatin1(path),
            [this, endpoint](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                m_accounts->handle(endpoint, request, std::move(responder));
            });
    }
    m_files = new FileApi(worker, this);
    m_http->route(QStringLiteral("/api/files"),
                  [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      m_files->upload(request, std::move(responder));
                  });
    m_http->route(QStringLiteral("/files/"),
                  [this](const QUrl &, const QHttpServerRequest &request,
                         QHttpServerResponder &&responder) { m_files->serve(request, responder); });
    m_http->route(QStringLiteral("/healthz"), [this](const QHttpServerRequest &,
                                                     QHttpServerResponder &&responder) {
        metricsendpoint::serveHealth(m_worker.engine(), &m_worker.mailbox(), std::move(responder));
    });
    // The QR code of this server's address for the browser client's invite dialog.
    m_http->route(QStringLiteral("/invite.svg"),
                  [this](const QHttpServerRequest &request) { return serveInviteQr(request); });
    m_http->route(QStringLiteral("/metrics"), [this](const QHttpServerRequest &,
                                                     QHttpServerResponder &&responder) {
        // Off the chat port with TLS, --accounts required or --metrics-address
        // (docs/metrics.md): as if there were no such page.
        if (!m_worker.config().metricsOnPublicPort()) {
            responder.write(QByteArrayLiteral("Not found\n"),
                            QByteArrayLiteral("text/plain; charset=utf-8"),
                            QHttpServerResponder::StatusCode::NotFound);
            return;
        }
        metricsendpoint::serveMetrics(m_worker.engine(), &m_worker.mailbox(), std::move(responder));
    });
    // Everything that is not a socket, /healthz, /metrics or /invite.svg is the browser client,
    // or a 404.
    m_http->route(QStringLiteral("/"),
                  [this](const QHttpServerRequest &request) { return serveAsset(request); });
    m_http->route(
        QStringLiteral("/assets/"),
        [this](const QUrl &, const QHttpServerRequest &request) { return serveAsset(request); });
    m_feeder->attach(m_http);
}

void HttpRoutes::serve(QTcpSocket *socket)
{
    // The gate first: its readyRead slot must run before QHttpServer's reads the bytes.
    m_gate->watch(socket);
    m_feeder->feed(socket);
    rereadBufferedInput(socket);
}

QString HttpRoutes::hostOf(const QHttpServerRequest &request)
{
    for (const auto &[name, value] : request.headers()) {
        if (name.compare("host", Qt::CaseInsensitive) == 0)
            return QString::fromUtf8(value);
    }
    return {};
}

std::optional<QHttpServerResponse>
HttpRoutes::refuseUnknownHost(const QHttpServerRequest &request) const
{
    // The page of a DNS rebinding attack would load from here too: this says what to do
    // when the name is a real one.
    const QByteArray host = hostOf(request).toUtf8();
    if (m_worker.validator().hostAllowed(QString::fromUtf8(host)))
        return std::nullopt;
    return QHttpServerResponse(
        "text/plain; charset=utf-8",
        "This Chatter server does not know the name " + host +
            ".\nIf that name is meant to reach it, start the server with --public-host " +
            host.left(host.lastIndexOf(':') > host.lastIndexOf(']') ? host.lastIndexOf(':')
                                                                    : host.size()) +
            "\n",
        QHttpServerResponder::StatusCode::Forbidden);
}

QHttpServerResponse HttpRoutes::serveInviteQr(const QHttpServerRequest &request) const
{
    if (auto refused = refuseUnknownHost(request))
        return std::move(*refused);
    const QString origin =
        QUrlQuery(request.url()).queryItemValue(QStringLiteral("origin"), QUrl::FullyDecoded);
    const auto svg = inviteqr::svgFor(origin, hostOf(request));
    if (!svg) {
        qCInfo(lcNet).noquote() << "invite QR code refused:" << svg.error();
        return QHttpServerResponse("text/plain; charset=utf-8", svg.error().toUtf8() + '\n',
                                   QHttpServerResponder::StatusCode::BadRequest);
    }
    QHttpServerResponse response("image/svg+xml", *svg);
    response.setHeader("cache-control", "no-store");
    response.setHeader("x-content-type-options", "nosniff");
    // An image, never a document that runs anything, even when opened on its own.
    response.setHeader("content-security-policy", "default-src 'none'");
    return response;
}

QHttpServerResponse HttpRoutes::serveAsset(const QHttpServerRequest &request) const
{
    if (auto refused = refuseUnknownHost(request))
        return std::move(*refused);
    const auto asset = m_assets.find(request.url().path());
    if (!asset)
        return QHttpServerResponse(QHttpServerResponder::StatusCode::NotFound);
    for (const auto &[name, value] : request.headers()) {
        if (name.compare("if-none-match", Qt::CaseInsensitive) == 0 && value == asset->etag) {
            QHttpServerResponse notModified(QHttpServerResponder::StatusCode::NotModified);
            notModified.setHeader("etag", asset->etag);
            return notModified;
        }
    }
    QHttpServerResponse response(asset->contentType, asset->body);
    response.setHeader("etag", asset->etag);
    response.setHeader("cache-control", asset->cacheControl);
    response.setHeader("x-content-type-options", "nosniff");
    // A second line of defence behind rendering user text as text: no inline or foreign code.
    response.setHeader(
        "content-security-policy",
        "default-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'");
    response.setHeader("referrer-policy", "same-origin");
    return response;
}

} // namespace chatter::server
