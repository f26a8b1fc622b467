// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QUuid>

#include <functional>
#include <optional>

class QHttpServerRequest;
class QHttpServerResponder;

namespace chatter::server {

class Worker;

//! `/socket/longpoll` on one worker. Any worker may receive a request (keep-alive connections
//! are spread over workers), but a session lives on one worker, named in its signed token, so
//! requests are forwarded there and the answer comes back to the worker holding the HTTP
//! responder. Every answer is HTTP 200 with the real status in the JSON body (§7.1).
class LongPollEndpoint final : public QObject
{
    Q_OBJECT
public:
    LongPollEndpoint(Worker &worker, QByteArray secret);

    //! Entry point from QHttpServer, on the receiving worker.
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    struct Request
    {
        QByteArray method;
        QString query;
        QString origin;
        QString host;
        QString authToken;
        QByteArray contentType;
        QByteArray body;
        QHostAddress peerAddress;
        quint16 peerPort = 0;
    };
    using Reply = std::function<void(const QJsonObject &body)>;

    //! On the session's worker: a GET (creating a session when `sessionId` is unknown), a POST,
    //! or a DELETE (the client is leaving: the session ends now).
    void handleGet(quint64 sessionId, const Request &request, const Reply &reply);
    void handlePost(quint64 sessionId, const Request &request, const Reply &reply);
    void handleDelete(quint64 sessionId, const Reply &reply);

    //! `<worker>.<session>.<mac>`; in a cluster `<node>.<worker>.<session>.<mac>`, so that any
    //! node can send a request to the session's node (LongPollRouter).
    QString makeToken(quint64 sessionId) const;
    struct Target
    {
        QUuid node; //!< null: this node's (or no cluster)
        int worker = 0;
        quint64 session = 0;
    };
    //! The session a token whose signature checks out names.
    std::optional<Target> parseToken(const QString &token) const;

private:
    Worker &m_worker;
    QByteArray m_secret;
};

} // namespace chatter::server
