// SPDX-License-Identifier: MIT
#pragma once

#include "loginthrottle.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>

namespace chatter::server {

class Mailbox;
class RedisConnection;

//! A LoginThrottle shared by the nodes of a cluster (docs/cluster.md, "Rate limits"): the same
//! buckets (`burst` tries refilling one every `refillSecs`, per address and per account), kept
//! in Redis and taken in one Lua script, so that a client cannot have each node's budget by
//! going round them. One node alone, or a node that cannot reach Redis, uses its own buckets
//! (the node's budget then; logged by the connection).
//!
//! Thread-safe. acquire()'s answer comes on the calling thread for a node alone, and on the
//! cluster thread in a cluster: callers continue from there (AccountApi's calls are).
class SharedThrottle
{
public:
    using Done = std::function<void(int waitSecs)>;

    SharedThrottle(QByteArray name, LoginThrottle::Limit perAddress,
                   LoginThrottle::Limit perAccount);

    //! Main thread, before the first request: from then on the buckets live in Redis under
    //! `<prefix>rl:<name>:…`, taken through `commands` on the thread of `clusterMailbox`.
    void useRedis(Mailbox *clusterMailbox, RedisConnection *commands, QByteArray prefix);
    //! Main thread, when the cluster stops: back to the node's own buckets.
    void stopRedis();

    //! Takes one try from both buckets (an empty `account` has none): `done(0)` when allowed,
    //! else `done(seconds until one is)`, and nothing is taken.
    void acquire(const QString &address, const QString &account, Done done);
    //! The try was a success: it does not count.
    void refund(const QString &address, const QString &account);

    LoginThrottle &local() { return m_local; }

    //! The script: KEYS the buckets, ARGV now (ms), then per key its burst and refill (ms per
    //! try). Answers 0 (taken) or the seconds to wait (nothing taken).
    static const QByteArray AcquireScript;
    //! KEYS the buckets, ARGV per key its burst: one try back, at most up to the burst.
    static const QByteArray RefundScript;

private:
    QList<QByteArray> keysOf(const QString &address, const QString &account) const;

    const QByteArray m_name;
    const LoginThrottle::Limit m_address;
    const LoginThrottle::Limit m_account;
    LoginThrottle m_local;
    std::atomic<Mailbox *> m_mailbox{nullptr};
    RedisConnection *m_commands = nullptr; //!< the cluster thread's; set with m_mailbox
    QByteArray m_prefix;
};

} // namespace chatter::server
