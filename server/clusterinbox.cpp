// SPDX-License-Identifier: MIT
#include "clusterinbox.h"

#include "clusterbus.h"
#include "mailbox.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QPointer>

namespace chatter::server {
namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

ClusterInbox::ClusterInbox(ClusterBus &bus, QUuid node, QObject *parent)
    : QObject(parent), m_bus(bus), m_node(node), m_mailbox(new Mailbox(this))
{
    m_expiry.setParent(this); // moves to the cluster thread with this object
    m_expiry.setInterval(100);
    connect(&m_expiry, &QTimer::timeout, this, &ClusterInbox::expire);
}

ClusterInbox::~ClusterInbox() = default;

void ClusterInbox::handle(const QString &kind, Handler handler)
{
    m_handlers.insert(kind, std::move(handler));
}

void ClusterInbox::ask(const QUuid &node, const QString &kind, QJsonObject request, int timeoutMs,
                       std::function<void(const std::optional<QJsonObject> &)> done)
{
    m_mailbox->post([this, node, kind, request = std::move(request), timeoutMs,
                     done = std::move(done)]() mutable {
        if (m_stopped) {
            done(std::nullopt);
            return;
        }
        const quint64 correlation =
            expect(1, timeoutMs, [done = std::move(done)](const QList<QJsonObject> &bodies) {
                done(bodies.isEmpty() ? std::nullopt : std::optional(bodies.first()));
            });
        request.insert(QStringLiteral("t"), QStringLiteral("req"));
        request.insert(QStringLiteral("k"), kind);
        request.insert(QStringLiteral("corr"), QString::number(correlation));
        request.insert(QStringLiteral("from"), m_node.toString(QUuid::WithoutBraces));
        // Nobody subscribed to that inbox: the node is gone (or Redis is away), so the asker
        // hears so at once rather than after the timeout.
        m_bus.publishCounted(m_bus.inboxOf(node), compact(request),
                             [self = QPointer<ClusterInbox>(this), correlation](qint64 receivers) {
                                 if (receivers <= 0 && self)
                                     self->giveUp(correlation);
                             });
    });
}

quint64 ClusterInbox::expect(int expected, int timeoutMs, Answers done)
{
    const quint64 correlation = m_nextCorrelation++;
    if (m_stopped || expected <= 0) {
        done({});
        return correlation;
    }
    m_waiting.insert(correlation, {expected, {}, nowMs() + timeoutMs, std::move(done)});
    if (!m_expiry.isActive())
        m_expiry.start();
    return correlation;
}

void ClusterInbox::answer(const QUuid &to, quint64 correlation, const QJsonObject &body)
{
    const QJsonObject message{{QStringLiteral("t"), QStringLiteral("ans")},
                              {QStringLiteral("corr"), QString::number(correlation)},
                              {QStringLiteral("body"), body}};
    // Through the cluster thread, where m_stopped is read.
    m_mailbox->post([this, to, payload = compact(message)]() mutable {
        if (!m_stopped)
            m_bus.publishRaw(m_bus.inboxOf(to), std::move(payload));
    });
}

ClusterInbox::Answer ClusterInbox::answerTo(const QUuid &to, quint64 correlation)
{
    return [this, to, correlation](const QJsonObject &body) { answer(to, correlation, body); };
}

void ClusterInbox::receive(const QByteArray &payload)
{
    if (m_stopped)
        return;
    const QJsonObject message = QJsonDocument::fromJson(payload).object();
    const QString type = message.value(QLatin1String("t")).toString();
    const quint64 correlation = message.value(QLatin1String("corr")).toString().toULongLong();
    if (type == QLatin1String("ans")) {
        auto it = m_waiting.find(correlation);
        if (it == m_waiting.end())
            return; // late, or never asked
        it->bodies.append(message.value(QLatin1String("body")).toObject());
        if (it->bodies.size() < it->expected)
            return;
        const Waiting done = m_waiting.take(correlation);
        done.done(done.bodies);
        return;
    }
    if (type != QLatin1String("req"))
        return;
    const QUuid from = QUuid::fromString(message.value(QLatin1String("from")).toString());
    const auto handler = m_handlers.constFind(message.value(QLatin1String("k")).toString());
    if (from.isNull() || correlation == 0 || handler == m_handlers.cend())
        return;
    (*handler)(message, answerTo(from, correlation));
}

void ClusterInbox::giveUp(quint64 correlation)
{
    if (auto it = m_waiting.find(correlation); it != m_waiting.end()) {
        const Waiting waiting = m_waiting.take(correlation);
        waiting.done(waiting.bodies);
    }
}

void ClusterInbox::expire()
{
    const qint64 now = nowMs();
    QList<Waiting> due;
    for (auto it = m_waiting.begin(); it != m_waiting.end();) {
        if (it->deadlineMs > now) {
            ++it;
            continue;
        }
        due.append(std::move(*it));
        it = m_waiting.erase(it);
    }
    if (m_waiting.isEmpty())
        m_expiry.stop();
    for (const Waiting &waiting : std::as_const(due))
        waiting.done(waiting.bodies);
}

void ClusterInbox::stop()
{
    m_stopped = true;
    m_expiry.stop();
    const auto waiting = std::exchange(m_waiting, {});
    for (const Waiting &w : waiting)
        w.done(w.bodies);
}

} // namespace chatter::server
