// SPDX-License-Identifier: MIT
#pragma once

#include "backoff.h"
#include "redisadapter.h"
#include "redislocation.h"
#include "redisreply.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <deque>
#include <functional>
#include <vector>

struct redisAsyncContext;

namespace chatter::server {

//! One connection to Redis through hiredis (docs/cluster.md, "Redis"), redialled by itself for
//! as long as it runs. Lives on one thread and is used only there: in the node the cluster
//! thread (ClusterLink), in tests the test's main thread.
//!
//! hiredis 0.14 has no timeouts of its own, so this class keeps them: an answer within
//! `connectTimeoutMs` of dialling (the TCP connect and the first reply: a port that accepts
//! but never answers counts as unreachable), a probe every `pingIntervalMs` once connected,
//! and a drop when a probe is unanswered after `pingTimeoutMs`. After a drop or a failed dial
//! it dials again after 100 ms, doubling to 2 s.
//!
//! Nothing is ever left unanswered: a command's callback gets the reply, or a
//! RedisReply::Failure when it could not be sent (not connected) or the connection dropped
//! before the answer. Callbacks may send further commands; they must not delete the
//! connection (use deleteLater()). Failures for commands refused at once arrive from the
//! event loop, never from inside command().
//!
//! Two roles, as the node uses two connections:
//! * Commands: command() sends any command (binary-safe arguments, pipelined); the probe is a
//!   `PING`; a `/db` in the URL is selected before anything else.
//! * Subscriber: subscribe()/unsubscribe() with a confirmation, message() for what arrives,
//!   and after every redial the wanted channels are subscribed again (subscribed() for each
//!   confirmation). Its probe is a `SUBSCRIBE` to a channel of its own: in subscribed mode
//!   Redis answers `PING` with a `pong` array that hiredis 0.14 looks up as a channel name and
//!   drops, leaving the PING's callback queued for ever.
class RedisConnection : public QObject
{
    Q_OBJECT
public:
    enum class Role
    {
        Commands,
        Subscriber
    };
    struct Timing
    {
        int connectTimeoutMs = 2000;
        int pingIntervalMs = 1000;
        int pingTimeoutMs = 3000;
        Backoff redial = Backoff({100, 200, 400, 800, 1600}, 2000);
    };
    using ReplyCallback = std::function<void(const RedisReply &)>;
    //! `ok` false: not confirmed (not connected, or the connection dropped first); `error` says
    //! why.
    using Confirmation = std::function<void(bool ok, const QString &error)>;

    RedisConnection(RedisLocation location, Role role, QObject *parent = nullptr);
    //! Drops the connection: pending callbacks get a failure, unconfirmed subscriptions false.
    ~RedisConnection() override;

    void setTiming(const Timing &timing) { m_timing = timing; }
    //! Dials; from then on redials by itself after every failure, until stop().
    void start();
    //! Drops the connection and does not dial again.
    void stop();
    bool isConnected() const { return m_state == State::Connected; }
    const RedisLocation &location() const { return m_location; }
    //! Why the last dial failed or the last connection dropped; empty before any.
    QString lastError() const { return m_lastError; }

    //! Commands role: sends `arguments` (the command and its arguments, each binary-safe).
    void command(const QList<QByteArray> &arguments, ReplyCallback done = {});

    //! Subscriber role: wants `channel` from now on (also after redials); `done` is told when
    //! Redis confirms this subscription.
    void subscribe(const QByteArray &channel, Confirmation done = {});
    //! Subscriber role: wants `channel` no more; `done` when Redis confirms (at once when not
    //! connected: there is no subscription to end).
    void unsubscribe(const QByteArray &channel, Confirmation done = {});
    //! The channels wanted (subscribed, or to be once connected).
    QSet<QByteArray> channels() const { return m_wanted; }

Q_SIGNALS:
    //! Redis answered on a new connection (the probe, and SELECT).
    void connected();
    //! A connection that was up dropped (`reason` says why); a redial is scheduled.
    void disconnected(const QString &reason);
    //! Subscriber: Redis confirmed `channel`, including every resubscription after a redial.
    void subscribed(const QByteArray &channel);
    //! Subscriber: a message published on a wanted channel.
    void message(const QByteArray &channel, const QByteArray &payload);

private:
    enum class State
    {
        Stopped,
        Waiting, //!< no context; a redial is scheduled
        Dialing, //!< a context, no answer yet
        Connected
    };
    //! One expected subscribe/unsubscribe confirmation of a channel, in the order sent.
    struct Expectation
    {
        bool subscribe = true;
        Confirmation done;
    };

    void dial();
    //! Ends the current context (if any) as failed with `reason`, and schedules a redial.
    void drop(const QString &reason);
    //! hiredis cleaned `context` up (an error it found, or a free).
    void contextClosed(redisAsyncContext *context);
    //! What every loss has in common: state, timers, unconfirmed subscriptions, signals.
    void lost(const QString &reason);
    void handshake();
    void sendProbe(bool handshake);
    void probeAnswered(const RedisReply &reply, quint64 generation, bool handshake);
    void checkProbe();
    //! Subscriber: the one callback of every channel, and of the probe channel.
    void subscriberReply(const RedisReply &reply);
    bool send(const QList<QByteArray> &arguments, void (*fn)(redisAsyncContext *, void *, void *),
              void *privdata);
    //! Runs `job` from the event loop (signals and refusals never come from inside hiredis or
    //! from inside the call that caused them).
    void later(std::function<void()> job);
    void runLater();

    static void commandReply(redisAsyncContext *context, void *reply, void *privdata);
    static void subscriptionReply(redisAsyncContext *context, void *reply, void *privdata);

    RedisLocation m_location;
    Role m_role;
    Timing m_timing;
    State m_state = State::Stopped;
    redisAsyncContext *m_context = nullptr;
    quint64 m_generation = 0; //!< one per context: answers of an older one are ignored
    int m_tries = 0;
    QString m_lastError;
    QByteArray m_probeChannel;
    bool m_probeOutstanding = false;
    QElapsedTimer m_probeSent;
    QTimer m_connectTimer;
    QTimer m_pingTimer;
    QTimer m_redialTimer;
    RedisAdapter m_adapter;
    QSet<QByteArray> m_wanted;
    QHash<QByteArray, std::deque<Expectation>> m_expected;
    std::vector<std::function<void()>> m_later;
    bool m_laterQueued = false;
};

} // namespace chatter::server
