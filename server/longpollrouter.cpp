// SPDX-License-Identifier: MIT
#include "longpollrouter.h"

#include "clusterbus.h"
#include "engine.h"
#include "logging.h"
#include "mailbox.h"
#include "worker.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QPointer>

namespace chatter::server {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

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

LongPollRouter::LongPollRouter(Engine &engine, ClusterBus &bus, QUuid node, int holdMs,
                               QObject *parent)
    : QObject(parent), m_engine(engine), m_bus(bus), m_node(node), m_holdMs(holdMs),
      m_mailbox(new Mailbox(this))
{
    m_expiry.setParent(this); // moves to the cluster thread with this object
    m_expiry.setInterval(250);
    connect(&m_expiry, &QTimer::timeout, this, &LongPollRouter::expire);
}

LongPollRouter::~LongPollRouter() = default;

void LongPollRouter::forward(const QUuid &node, int worker, quint64 session, Method method,
                             const LongPollEndpoint::Request &request,
                             LongPollEndpoint::Reply reply)
{
    // The request as JSON text: it crosses Redis once, and the body is at most the long-poll
    // limit (8 MiB), base64 inside.
    const QJsonObject message{{QStringLiteral("t"), QStringLiteral("req")},
                              {QStringLiteral("from"), m_node.toString(QUuid::WithoutBraces)},
                              {QStringLiteral("m"), methodName(method)},
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
    m_mailbox->post([this, node, message, reply = std::move(reply)]() mutable {
        if (m_stopped) {
            reply(gone());
            return;
        }
        const quint64 correlation = m_nextCorrelation++;
        QJsonObject withId = message;
        withId.insert(QStringLiteral("corr"), QString::number(correlation));
        // A GET is held on the owner for up to the hold time; 2 s more for the way there and
        // back, then the client starts over.
        m_waiting.insert(correlation, {std::move(reply), nowMs() + m_holdMs + 2000});
        if (!m_expiry.isActive())
            m_expiry.start();
        // Nobody subscribed to the owner's inbox: the node is gone (or Redis is away), so the
        // client hears 410 at once rather than after the hold.
        m_bus.publishCounted(
            m_bus.inboxOf(node), QJsonDocument(withId).toJson(QJsonDocument::Compact),
            [self = QPointer<LongPollRouter>(this), correlation](qint64 receivers) {
                if (receivers > 0 || !self)
                    return;
                if (auto waiting = self->m_waiting.take(correlation); waiting.reply) {
                    qCInfo(lcCluster) << "a long-poll request's node is gone";
                    waiting.reply(gone());
                }
            });
    });
}

void LongPollRouter::receive(const QByteArray &payload)
{
    if (m_stopped)
        return;
    const QJsonObject message = QJsonDocument::fromJson(payload).object();
    const QString type = message.value(QLatin1String("t")).toString();
    const quint64 correlation = message.value(QLatin1String("corr")).toString().toULongLong();
    if (type == QLatin1String("ans")) {
        if (auto waiting = m_waiting.take(correlation); waiting.reply)
            waiting.reply(message.value(QLatin1String("body")).toObject());
        return;
    }
    if (type != QLatin1String("req"))
        return;
    const QUuid from = QUuid::fromString(message.value(QLatin1String("from")).toString());
    Worker *owner = m_engine.worker(message.value(QLatin1String("w")).toInt(-1));
    if (from.isNull() || correlation == 0)
        return;
    if (!owner) {
        answer(from, correlation, gone());
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
    const LongPollEndpoint::Reply reply = [this, from, correlation](const QJsonObject &body) {
        m_mailbox->post([this, from, correlation, body] { answer(from, correlation, body); });
    };
    owner->mailbox().post([owner, session, request, reply, method] {
        if (method == QLatin1String("GET"))
            owner->longPoll().handleGet(session, request, reply);
        else if (method == QLatin1String("POST"))
            owner->longPoll().handlePost(session, request, reply);
        else
            owner->longPoll().handleDelete(session, reply);
    });
}

void LongPollRouter::answer(const QUuid &to, quint64 correlation, const QJsonObject &body)
{
    if (m_stopped)
        return;
    const QJsonObject message{{QStringLiteral("t"), QStringLiteral("ans")},
                              {QStringLiteral("corr"), QString::number(correlation)},
                              {QStringLiteral("body"), body}};
    m_bus.publishRaw(m_bus.inboxOf(to), QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void LongPollRouter::expire()
{
    const qint64 now = nowMs();
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (it->deadlineMs > now) {
            ++it;
            continue;
        }
        const LongPollEndpoint::Reply reply = std::move(it->reply);
        it = m_waiting.erase(it);
        qCInfo(lcCluster) << "a long-poll request forwarded to another node got no answer";
        reply(gone());
    }
    if (m_waiting.isEmpty())
        m_expiry.stop();
}

void LongPollRouter::stop()
{
    m_stopped = true;
    m_expiry.stop();
    const auto waiting = std::exchange(m_waiting, {});
    for (const Waiting &w : waiting)
        w.reply(gone());
}

} // namespace chatter::server
