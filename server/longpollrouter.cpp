// SPDX-License-Identifier: MIT
#include "longpollrouter.h"

#include "clusterinbox.h"
#include "engine.h"
#include "logging.h"
#include "worker.h"

namespace chatter::server {
namespace {

QJsonObject gone()
{
    return {{QStringLiteral("status"), 410}};
}

QString methodName(LongPollRouter::Method method)
{
    switch (method) {
    case LongPollRouter::Method::Post:
        return QStringLiteral("POST");
    case LongPollRouter::Method::Delete:
        return QStringLiteral("DELETE");
    case LongPollRouter::Method::Get:
        break;
    }
    return QStringLiteral("GET");
}

} // namespace

LongPollRouter::LongPollRouter(Engine &engine, ClusterInbox &inbox, int holdMs, QObject *parent)
    : QObject(parent), m_engine(engine), m_inbox(inbox), m_holdMs(holdMs)
{
    m_inbox.handle(QStringLiteral("lp"),
                   [this](const QJsonObject &message, const ClusterInbox::Answer &answer) {
                       run(message, answer);
                   });
}

LongPollRouter::~LongPollRouter() = default;

const QUuid &LongPollRouter::nodeId() const
{
    return m_inbox.nodeId();
}

void LongPollRouter::forward(const QUuid &node, int worker, quint64 session, Method method,
                             const LongPollEndpoint::Request &request,
                             LongPollEndpoint::Reply reply)
{
    // The request as JSON text: it crosses Redis once, and the body is at most the long-poll
    // limit (8 MiB), base64 inside.
    QJsonObject message{{QStringLiteral("m"), methodName(method)},
                        {QStringLiteral("w"), worker},
                        {QStringLiteral("s"), QString::number(session)},
                        {QStringLiteral("q"), request.query},
                        {QStringLiteral("o"), request.origin},
                        {QStringLiteral("h"), request.host},
                        {QStringLiteral("a"), request.authToken},
                        {QStringLiteral("ct"), QString::fromLatin1(request.contentType)},
                        {QStringLiteral("b"), QString::fromLatin1(request.body.toBase64())},
                        {QStringLiteral("pa"), request.peerAddress.toString()},
                        {QStringLiteral("pp"), request.peerPort}};
    // A GET is held on the owner for up to the hold time; 2 s more for the way there and
    // back, then the client starts over.
    m_inbox.ask(node, QStringLiteral("lp"), std::move(message), m_holdMs + 2000,
                [reply = std::move(reply)](const std::optional<QJsonObject> &body) {
                    if (!body)
                        qCInfo(lcCluster)
                            << "a long-poll request forwarded to another node got no answer";
                    reply(body ? *body : gone());
                });
}

void LongPollRouter::run(const QJsonObject &message,
                         const std::function<void(const QJsonObject &)> &answer)
{
    Worker *owner = m_engine.worker(message.value(QLatin1String("w")).toInt(-1));
    // The answer's body is the HTTP answer's JSON.
    const LongPollEndpoint::Reply reply = answer;
    if (!owner) {
        reply(gone());
        return;
    }
    LongPollEndpoint::Request request;
    request.query = message.value(QLatin1String("q")).toString();
    request.origin = message.value(QLatin1String("o")).toString();
    request.host = message.value(QLatin1String("h")).toString();
    request.authToken = message.value(QLatin1String("a")).toString();
    request.contentType = message.value(QLatin1String("ct")).toString().toLatin1();
    request.body = QByteArray::fromBase64(message.value(QLatin1String("b")).toString().toLatin1());
    request.peerAddress = QHostAddress(message.value(QLatin1String("pa")).toString());
    request.peerPort = quint16(message.value(QLatin1String("pp")).toInt());
    const quint64 session = message.value(QLatin1String("s")).toString().toULongLong();
    const QString method = message.value(QLatin1String("m")).toString();
    // The answer goes back from whichever thread the session's worker replies on.
    owner->mailbox().post([owner, session, request, reply, method] {
        if (method == QLatin1String("GET"))
            owner->longPoll().handleGet(session, request, reply);
        else if (method == QLatin1String("POST"))
            owner->longPoll().handlePost(session, request, reply);
        else
            owner->longPoll().handleDelete(session, reply);
    });
}

} // namespace chatter::server
