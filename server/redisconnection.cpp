// SPDX-License-Identifier: MIT
#include "redisconnection.h"

#include "logging.h"

#include <QRandomGenerator>

#include <hiredis/async.h>

#include <memory>

namespace chatter::server {

namespace {

//! A SUBSCRIBE carries at most this many channels: a resubscription after a redial is several
//! commands rather than one unbounded one.
constexpr int SubscribeChunk = 512;

} // namespace

RedisConnection::RedisConnection(RedisLocation location, Role role, QObject *parent)
    : QObject(parent), m_location(std::move(location)), m_role(role)
{
    // Members and children both, so that moveToThread() takes them along.
    m_connectTimer.setParent(this);
    m_pingTimer.setParent(this);
    m_redialTimer.setParent(this);
    m_adapter.setParent(this);
    m_connectTimer.setSingleShot(true);
    m_redialTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        drop(QStringLiteral("no answer from %1 within %2 ms")
                 .arg(m_location.display())
                 .arg(m_timing.connectTimeoutMs));
    });
    connect(&m_pingTimer, &QTimer::timeout, this, &RedisConnection::checkProbe);
    connect(&m_redialTimer, &QTimer::timeout, this, &RedisConnection::dial);
    m_probeChannel =
        "chatter:probe:" + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
}

RedisConnection::~RedisConnection()
{
    stop();
    // Failures for commands refused just before: delivered, not lost with the object.
    runLater();
}

void RedisConnection::start()
{
    if (m_state != State::Stopped)
        return;
    m_state = State::Waiting;
    m_tries = 0;
    dial();
}

void RedisConnection::stop()
{
    if (m_state == State::Stopped)
        return;
    m_state = State::Stopped;
    m_redialTimer.stop();
    redisAsyncContext *context = std::exchange(m_context, nullptr);
    lost(QStringLiteral("the connection was closed"));
    if (context)
        redisAsyncFree(context); // pending callbacks get their failures now
}

void RedisConnection::dial()
{
    if (m_state != State::Waiting)
        return;
    ++m_generation;
    const QByteArray host = m_location.host.toUtf8();
    const QByteArray path = m_location.path.toLocal8Bit();
    // Non-blocking connect (a host name is resolved first, blocking: use addresses).
    redisAsyncContext *context = m_location.kind == RedisLocation::Kind::Tcp
                                     ? redisAsyncConnect(host.constData(), m_location.port)
                                     : redisAsyncConnectUnix(path.constData());
    if (!context || context->err) {
        const QString why =
            context ? QString::fromLocal8Bit(context->errstr) : QStringLiteral("out of memory");
        if (context)
            redisAsyncFree(context);
        m_state = State::Dialing;
        lost(QStringLiteral("cannot connect to %1: %2").arg(m_location.display(), why));
        return;
    }
    m_context = context;
    m_state = State::Dialing;
    context->data = this;
    // The adapter first: setting the connect callback asks for write interest at once.
    m_adapter.attach(context, [this](redisAsyncContext *closed) { contextClosed(closed); });
    redisAsyncSetConnectCallback(context, [](const redisAsyncContext *c, int status) {
        auto *self = static_cast<RedisConnection *>(c->data);
        // A failed connect is cleaned up by hiredis right after this (contextClosed).
        if (status == REDIS_OK && self && self->m_context == c)
            self->handshake();
    });
    m_connectTimer.start(m_timing.connectTimeoutMs);
}

void RedisConnection::drop(const QString &reason)
{
    redisAsyncContext *context = std::exchange(m_context, nullptr);
    lost(reason);
    // From inside a reply callback hiredis defers the free until the callback returns.
    if (context)
        redisAsyncFree(context);
}

void RedisConnection::contextClosed(redisAsyncContext *context)
{
    if (context != m_context)
        return; // dropped by this class: lost() has run
    m_context = nullptr;
    const QString why = context->c.err ? QString::fromLocal8Bit(context->c.errstr)
                                       : QStringLiteral("the connection was closed");
    lost(QStringLiteral("%1: %2").arg(m_location.display(), why));
}

void RedisConnection::lost(const QString &reason)
{
    const bool wasConnected = m_state == State::Connected;
    m_lastError = reason;
    m_connectTimer.stop();
    m_pingTimer.stop();
    m_probeOutstanding = false;
    // Subscriptions not yet confirmed are not: their callers hear so. An unsubscription ends
    // with the connection anyway.
    const auto expected = std::exchange(m_expected, {});
    for (const auto &queue : expected) {
        for (const Expectation &expectation : queue) {
            if (!expectation.done)
                continue;
            later([done = expectation.done, subscribe = expectation.subscribe, reason] {
                done(!subscribe, subscribe ? reason : QString());
            });
        }
    }
    if (m_state == State::Stopped)
        return;
    m_state = State::Waiting;
    if (wasConnected) {
        qCWarning(lcCluster).noquote() << "Redis connection lost:" << reason;
        // Not from inside hiredis, which is still freeing the context.
        QTimer::singleShot(0, this, [this, reason] { Q_EMIT disconnected(reason); });
    } else if (m_tries == 0) {
        qCWarning(lcCluster).noquote() << reason;
    }
    ++m_tries;
    m_redialTimer.start(m_timing.redial.delayMs(m_tries));
}

void RedisConnection::handshake()
{
    if (m_role == Role::Commands && m_location.database != 0) {
        auto *done = new ReplyCallback([this, generation = m_generation](const RedisReply &r) {
            if (generation == m_generation && r.type != RedisReply::Type::Failure && !r.ok())
                drop(QStringLiteral("SELECT %1: %2").arg(m_location.database).arg(r.errorString()));
        });
        if (!send({"SELECT", QByteArray::number(m_location.database)}, &commandReply, done))
            delete done;
    }
    sendProbe(true);
}

void RedisConnection::sendProbe(bool handshake)
{
    if (!m_context)
        return;
    m_probeOutstanding = true;
    m_probeSent.start();
    if (m_role == Role::Subscriber) {
        // Answered in subscriberReply().
        send({"SUBSCRIBE", m_probeChannel}, &subscriptionReply, this);
        return;
    }
    auto *done =
        new ReplyCallback([this, generation = m_generation, handshake](const RedisReply &reply) {
            probeAnswered(reply, generation, handshake);
        });
    if (!send({"PING"}, &commandReply, done))
        delete done;
}

void RedisConnection::probeAnswered(const RedisReply &reply, quint64 generation, bool handshake)
{
    if (generation != m_generation || reply.type == RedisReply::Type::Failure)
        return;
    if (!reply.ok()) {
        drop(QStringLiteral("%1 answered: %2").arg(m_location.display(), reply.errorString()));
        return;
    }
    m_probeOutstanding = false;
    if (!handshake || m_state != State::Dialing)
        return;
    m_state = State::Connected;
    m_connectTimer.stop();
    m_tries = 0;
    m_pingTimer.start(m_timing.pingIntervalMs);
    if (m_role == Role::Subscriber && !m_wanted.isEmpty()) {
        QList<QByteArray> command{"SUBSCRIBE"};
        for (const QByteArray &channel : std::as_const(m_wanted)) {
            m_expected[channel].push_back(Expectation{true, {}});
            command.append(channel);
            if (command.size() > SubscribeChunk) {
                send(command, &subscriptionReply, this);
                command = {"SUBSCRIBE"};
            }
        }
        if (command.size() > 1)
            send(command, &subscriptionReply, this);
    }
    qCInfo(lcCluster).noquote() << "connected to Redis at" << m_location.display()
                                << (m_role == Role::Subscriber ? "(subscriber)" : "(commands)");
    Q_EMIT connected();
}

void RedisConnection::checkProbe()
{
    if (m_state != State::Connected)
        return;
    if (!m_probeOutstanding) {
        sendProbe(false);
        return;
    }
    if (m_probeSent.elapsed() >= m_timing.pingTimeoutMs)
        drop(QStringLiteral("no answer from %1 to a PING within %2 ms")
                 .arg(m_location.display())
                 .arg(m_timing.pingTimeoutMs));
}

void RedisConnection::command(const QList<QByteArray> &arguments, ReplyCallback done)
{
    QString refused;
    if (m_role != Role::Commands)
        refused = QStringLiteral("a subscriber connection sends no commands");
    else if (m_state != State::Connected || !m_context)
        refused = QStringLiteral("not connected to Redis (%1)")
                      .arg(m_lastError.isEmpty() ? QStringLiteral("not started") : m_lastError);
    else if (arguments.isEmpty())
        refused = QStringLiteral("an empty command");
    if (refused.isEmpty()) {
        auto *pending = done ? new ReplyCallback(std::move(done)) : nullptr;
        if (send(arguments, pending ? &commandReply : nullptr, pending))
            return;
        done = pending ? std::move(*pending) : ReplyCallback();
        delete pending;
        refused = QStringLiteral("hiredis refused the command");
    }
    if (done)
        later([done = std::move(done), refused] { done(RedisReply::failure(refused)); });
}

void RedisConnection::subscribe(const QByteArray &channel, Confirmation done)
{
    if (m_role != Role::Subscriber) {
        if (done)
            later([done] { done(false, QStringLiteral("not a subscriber connection")); });
        return;
    }
    m_wanted.insert(channel);
    if (m_state != State::Connected || !m_context) {
        // Still wanted: subscribed once connected (then subscribed() says so).
        if (done)
            later([done, why = m_lastError] {
                done(false, QStringLiteral("not connected to Redis (%1)").arg(why));
            });
        return;
    }
    m_expected[channel].push_back(Expectation{true, std::move(done)});
    send({"SUBSCRIBE", channel}, &subscriptionReply, this);
}

void RedisConnection::unsubscribe(const QByteArray &channel, Confirmation done)
{
    const bool wasWanted = m_wanted.remove(channel);
    // Not wanted, or not connected: there is no subscription on Redis to end.
    if (m_role != Role::Subscriber || !wasWanted || m_state != State::Connected || !m_context) {
        if (done)
            later([done] { done(true, QString()); });
        return;
    }
    // hiredis keeps no callback for UNSUBSCRIBE: its confirmation comes to the channel's.
    m_expected[channel].push_back(Expectation{false, std::move(done)});
    send({"UNSUBSCRIBE", channel}, nullptr, nullptr);
}

void RedisConnection::subscriberReply(const RedisReply &reply)
{
    // ["message", channel, payload], ["subscribe" | "unsubscribe", channel, count]. Anything
    // else is not for this class (hiredis 0.14 may hand a callback a reply of another kind).
    if (reply.type != RedisReply::Type::Array || reply.elements.size() < 3 ||
        reply.elements[0].type != RedisReply::Type::String ||
        reply.elements[1].type != RedisReply::Type::String)
        return;
    const QByteArray &kind = reply.elements[0].text;
    const QByteArray &channel = reply.elements[1].text;
    if (kind == "message") {
        // Messages of a channel being unsubscribed still arrive until Redis confirms.
        if (m_wanted.contains(channel))
            Q_EMIT message(channel, reply.elements[2].text);
        return;
    }
    if (channel == m_probeChannel) {
        if (kind == "subscribe")
            probeAnswered(RedisReply{RedisReply::Type::Status, "OK", 0, {}}, m_generation,
                          m_state == State::Dialing);
        return;
    }
    if (kind != "subscribe" && kind != "unsubscribe")
        return;
    const auto it = m_expected.find(channel);
    if (it == m_expected.end() || it->empty())
        return;
    const Expectation expectation = std::move(it->front());
    it->pop_front();
    const bool settled = it->empty();
    if (settled)
        m_expected.erase(it);
    // The last confirmation of a wanted channel: it is subscribed now.
    if (expectation.subscribe && settled && m_wanted.contains(channel))
        Q_EMIT subscribed(channel);
    if (expectation.done)
        expectation.done(true, QString());
}

bool RedisConnection::send(const QList<QByteArray> &arguments,
                           void (*fn)(redisAsyncContext *, void *, void *), void *privdata)
{
    if (!m_context)
        return false;
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(arguments.size()));
    lengths.reserve(size_t(arguments.size()));
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    return redisAsyncCommandArgv(m_context, fn, privdata, int(argv.size()), argv.data(),
                                 lengths.data()) == REDIS_OK;
}

void RedisConnection::later(std::function<void()> job)
{
    m_later.push_back(std::move(job));
    if (!m_laterQueued) {
        m_laterQueued = true;
        QTimer::singleShot(0, this, &RedisConnection::runLater);
    }
}

void RedisConnection::runLater()
{
    m_laterQueued = false;
    // Jobs may queue more (a callback that retries at once): those wait for the next turn.
    const auto jobs = std::exchange(m_later, {});
    for (const auto &job : jobs)
        job();
}

void RedisConnection::commandReply(redisAsyncContext *context, void *reply, void *privdata)
{
    std::unique_ptr<ReplyCallback> done(static_cast<ReplyCallback *>(privdata));
    if (!done || !*done)
        return;
    if (reply) {
        (*done)(RedisReply::fromHiredis(reply));
        return;
    }
    // No reply: hiredis is freeing the context (dropped, or an error it found).
    const auto *self = static_cast<const RedisConnection *>(context->data);
    (*done)(
        RedisReply::failure(QStringLiteral("the connection to Redis dropped before the answer (%1)")
                                .arg(self ? self->m_lastError : QString())));
}

void RedisConnection::subscriptionReply(redisAsyncContext *, void *reply, void *privdata)
{
    // No reply: the context is being freed; lost() has told the waiting callers.
    if (reply)
        static_cast<RedisConnection *>(privdata)->subscriberReply(RedisReply::fromHiredis(reply));
}

} // namespace chatter::server
