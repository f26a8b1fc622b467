// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QString>

#include <optional>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponse;
class QTcpSocket;

namespace chatter::server {

class AccountApi;
class FileApi;
class HttpFeeder;
class HttpGate;
class LongPollEndpoint;
class StaticAssets;
class Worker;

//! Every plain-HTTP route of one worker: long-poll, the accounts API, files (FileApi), /healthz,
//! /metrics (when served on the chat port), the invite QR code (/invite.svg) and the embedded
//! browser client.
//! The front door hands it connections whose request is not a WebSocket upgrade; QHttpServer
//! parses and answers them, behind an HttpGate that bounds what each request may cost. Lives on the
//! worker's thread, as a child of the worker.
class HttpRoutes : public QObject
{
    Q_OBJECT
public:
    HttpRoutes(Worker &worker, const StaticAssets &assets, const QByteArray &longPollSecret);

    //! Takes over a connection whose first request head is complete and not an upgrade.
    void serve(QTcpSocket *socket);
    LongPollEndpoint &longPoll() { return *m_longPoll; }

private:
    QHttpServerResponse serveAsset(const QHttpServerRequest &request) const;
    QHttpServerResponse serveInviteQr(const QHttpServerRequest &request) const;
    //! A 403 that says how to allow the name, for a Host header that is not one of the server's.
    std::optional<QHttpServerResponse> refuseUnknownHost(const QHttpServerRequest &request) const;
    static QString hostOf(const QHttpServerRequest &request);

    Worker &m_worker;
    const StaticAssets &m_assets;
    HttpFeeder *m_feeder = nullptr;
    HttpGate *m_gate = nullptr;
    QHttpServer *m_http = nullptr;
    LongPollEndpoint *m_longPoll = nullptr;
    AccountApi *m_accounts = nullptr;
    FileApi *m_files = nullptr;
};

} // namespace chatter::server
