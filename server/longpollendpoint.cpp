// SPDX-License-Identifier: MIT
#include "longpollendpoint.h"

#include "apicall.h"
#include "clusterrelay.h"
#include "connectionlimiter.h"
#include "engine.h"
#include "logging.h"
#include "longpollrouter.h"
#include "longpollsession.h"
#include "secretcompare.h"
#include "worker.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QPointer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <memory>

namespace chatter::server {
namespace {

constexpr qsizetype MaxBodyBytes = 8 * 1024 * 1024;

struct HeldResponder
{
    QPointer<QTcpSocket> socket;
    QHttpServerResponder responder;
};

QJsonObject status(int code)
{
    return {{QStringLiteral("status"), code}};
}

//! Phoenix clients read only `status`; the reason is for pages that explain a refusal (a
//! missing access token, say), as a WebSocket client cannot read the body of a refused upgrade.
QJsonObject refusal(const QString &reason)
{
    return {{QStringLiteral("status"), 403}, {QStringLiteral("reason"), reason}};
}

} // namespace

LongPollEndpoint::LongPollEndpoint(Worker &worker, QByteArray secret)
    : QObject(&worker), m_worker(worker), m_secret(std::move(secret))
{}

QString LongPollEndpoint::makeToken(quint64 sessionId) const
{
    QByteArray data = QByteArray::number(m_worker.index()) + '.' + QByteArray::number(sessionId);
    if (const ClusterRelay *relay = m_worker.engine().clusterRelay())
        data.prepend(relay->nodeId().toByteArray(QUuid::WithoutBraces) + '.');
    const QByteArray mac =
        QMessageAuthenticationCode::hash(data, m_secret, QCryptographicHash::Sha256);
    return QString::fromLatin1(
        data + '.' + mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<LongPollEndpoint::Target> LongPollEndpoint::parseToken(const QString &token) const
{
    QList<QByteArray> parts = token.toLatin1().split('.');
    if (parts.size() != 3 && parts.size() != 4)
        return std::nullopt;
    const QByteArray mac = parts.takeLast();
    const QByteArray data = parts.join('.');
    const QByteArray expected =
        QMessageAuthenticationCode::hash(data, m_secret, QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    if (!secretsEqual(expected, mac))
        return std::nullopt;
    Target target;
    if (parts.size() == 3) {
        target.node = QUuid::fromString(QLatin1StringView(parts.takeFirst()));
        if (target.node.isNull())
            return std::nullopt;
    }
    bool okWorker = false;
    bool okId = false;
    target.worker = parts[0].toInt(&okWorker);
    target.session = parts[1].toULongLong(&okId);
    if (!okWorker || !okId)
        return std::nullopt;
    return target;
}

void LongPollEndpoint::handle(const QHttpServerRequest &httpRequest,
                              QHttpServerResponder &&responder)
{
    auto held =
        std::make_shared<HeldResponder>(HeldResponder{responder.socket(), std::move(responder)});
    const QByteArray origin = headerOf(httpRequest, "origin");

    const bool originAllowed = m_worker.validator().originAllowed(
        QString::fromUtf8(origin), QString::fromUtf8(headerOf(httpRequest, "host")));
    if (httpRequest.method() == QHttpServerRequest::Method::Options && originAllowed) {
        // CORS preflight (§7.4), after the origin check.
        held->responder.write(QByteArray(),
                              {{"access-control-allow-headers",
                                headerOf(httpRequest, "access-control-request-headers")},
                               {"access-control-allow-methods", "get, post, delete, options"},
                               {"access-control-max-age", "3600"},
                               {"access-control-allow-origin", "*"}},
                              QHttpServerResponder::StatusCode::Ok);
        return;
    }

    // Answers always travel back to this worker: the responder belongs to its thread.
    Worker *here = &m_worker;
    const Reply reply = [here, held](const QJsonObject &body) {
        here->mailbox().post([held, body] {
            if (!held->socket)
                return; // the client gave up on this request
            held->responder.write(QJsonDocument(body).toJson(QJsonDocument::Compact),
                                  {{"content-type", "application/json; charset=utf-8"},
                                   {"access-control-allow-origin", "*"},
                                   {"cache-control", "no-store"}},
                                  QHttpServerResponder::StatusCode::Ok);
        });
    };

    Request request;
    request.query = httpRequest.url().query(QUrl::FullyEncoded);
    request.origin = QString::fromUtf8(origin);
    request.host = QString::fromUtf8(headerOf(httpRequest, "host"));
    request.authToken = QString::fromUtf8(headerOf(httpRequest, "x-phoenix-authtoken"));
    request.contentType = headerOf(httpRequest, "content-type");
    request.peerAddress = held->socket ? held->socket->peerAddress() : QHostAddress();
    request.peerPort = held->socket ? held->socket->peerPort() : 0;

    // Origin first, for every method and whether or not a session exists (§7.2–7.4).
    if (!originAllowed) {
        m_worker.engine().refusals().add(RefusalReason::Origin);
        reply(refusal(QStringLiteral("origin %1 not allowed").arg(request.origin)));
        return;
    }
    const bool isGet = httpRequest.method() == QHttpServerRequest::Method::Get;
    const bool isPost = httpRequest.method() == QHttpServerRequest::Method::Post;
    const bool isDelete = httpRequest.method() == QHttpServerRequest::Method::Delete;
    if (!isGet && !isPost && !isDelete) {
        reply(status(400));
        return;
    }
    if (isPost) {
        if (httpRequest.body().size() > MaxBodyBytes) {
            reply(status(413));
            return;
        }
        request.body = httpRequest.body();
    }

    // The session token: the header (1.8.10+), else the last `token` in the query (1.8.12).
    QString token = QString::fromUtf8(headerOf(httpRequest, "x-phoenix-longpoll-token"));
    if (token.isEmpty()) {
        const QStringList tokens =
            httpRequest.query().allQueryItemValues(QStringLiteral("token"), QUrl::FullyDecoded);
        if (!tokens.isEmpty())
            token = tokens.last();
    }
    const auto target = parseToken(token);
    LongPollRouter *router = m_worker.engine().longPollRouter();
    if (target && !target->node.isNull() && router && target->node != router->nodeId()) {
        // Another node's session, behind a balancer that does not stick.
        using Method = LongPollRouter::Method;
        router->forward(target->node, target->worker, target->session,
                        isGet ? Method::Get : (isPost ? Method::Post : Method::Delete), request,
                        reply);
        return;
    }
    Worker *owner = target ? m_worker.engine().worker(target->worker) : nullptr;
    if (!owner) {
        if (isGet)
            handleGet(0, request, reply);
        else
            reply(status(410));
        return;
    }
    const quint64 sessionId = target->session;
    owner->mailbox().post([owner, sessionId, request, reply, isGet, isPost] {
        if (isGet)
            owner->longPoll().handleGet(sessionId, request, reply);
        else if (isPost)
            owner->longPoll().handlePost(sessionId, request, reply);
        else
            owner->longPoll().handleDelete(sessionId, reply);
    });
}

void LongPollEndpoint::handleGet(quint64 sessionId, const Request &request, const Reply &reply)
{
    if (auto *session = qobject_cast<LongPollSession *>(m_worker.connection(sessionId))) {
        if (!session->isClosing()) {
            session->poll(reply);
            return;
        }
    }
    // No session (first poll, expired, or from before a restart): connect anew.
    HandshakeValidator::Decision decision = m_worker.validator().validateConnect(
        request.query, request.origin, request.host,
        request.authToken.isEmpty() ? QString() : request.authToken, request.peerAddress);
    if (decision.status != 101) {
        m_worker.engine().refusals().add(decision.reason);
        ConnectInfo peer;
        peer.peerAddress = request.peerAddress;
        peer.peerPort = request.peerPort;
        m_worker.record(EngineEvent::Kind::Refused, peer, {},
                        QStringLiteral("long-poll: %1").arg(decision.logReason));
        reply(refusal(decision.logReason));
        return;
    }
    // Sessions are capped like connections: in all and per address.
    ConnectionLimiter &limits = m_worker.engine().limits();
    QString why;
    if (!limits.admit(ConnectionLimiter::Kind::LongPollSession, request.peerAddress, &why)) {
        m_worker.engine().noteRefused(request.peerAddress,
                                      QStringLiteral("long-poll session: ") + why);
        reply(status(500)); // phoenix.js closes and tries again after its backoff
        return;
    }
    ConnectInfo info = std::move(decision.info);
    info.id = m_worker.engine().nextConnectionId();
    info.transport = QStringLiteral("longpoll");
    info.peerAddress = request.peerAddress;
    info.peerPort = request.peerPort;
    info.connectedAt = QDateTime::currentDateTimeUtc();
    const QString token = makeToken(info.id);
    const QHostAddress peer = info.peerAddress;
    auto *session = new LongPollSession(std::move(info), token, m_worker);
    new AdmissionTicket(limits, ConnectionLimiter::Kind::LongPollSession, peer, session);
    m_worker.addConnection(session);
    reply(QJsonObject{{QStringLiteral("status"), 410},
                      {QStringLiteral("token"), token},
                      {QStringLiteral("messages"), QJsonArray()}});
}

void LongPollEndpoint::handleDelete(quint64 sessionId, const Reply &reply)
{
    // A long-poll client cannot be seen leaving: its requests just stop, and without a DELETE
    // its presence would stay until the session window (15 s) ran out. The browser client sends
    // one when its page closes.
    auto *session = qobject_cast<LongPollSession *>(m_worker.connection(sessionId));
    if (!session || session->isClosing()) {
        reply(status(410));
        return;
    }
    session->closeWith(1001, QStringLiteral("closed by the client"));
    reply(status(200));
}

void LongPollEndpoint::handlePost(quint64 sessionId, const Request &request, const Reply &reply)
{
    auto *session = qobject_cast<LongPollSession *>(m_worker.connection(sessionId));
    if (!session || session->isClosing()) {
        reply(status(410));
        return;
    }
    reply(status(session->post(request.contentType, request.body)));
}

} // namespace chatter::server
