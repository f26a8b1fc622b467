// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

#include <deque>
#include <functional>
#include <mutex>

namespace chatter::server {

//! Jobs for one thread, posted from any thread: how the engine's threads hand work to each
//! other. Jobs wait in a list under a std::mutex and run in the order posted; the first job
//! after a quiet spell wakes the owner's thread with a plain queued slot call.
//!
//! Why not QMetaObject::invokeMethod with a lambda: that lambda lives in an object that Qt
//! allocates on one thread and may free on the other, synchronised inside libQt6Core, which
//! Debian does not build with ThreadSanitizer; every cross-thread call then looked like a race.
//! Here all shared memory is behind a lock TSan sees. Lives on its owner's thread (a child).
class Mailbox : public QObject
{
    Q_OBJECT
public:
    explicit Mailbox(QObject *owner);

    //! Any thread. `job` runs on this mailbox's thread, after the jobs posted before it.
    void post(std::function<void()> job);
    //! Any thread but this mailbox's: runs `job` there and waits until it has run.
    void run(const std::function<void()> &job);
    //! Jobs waiting to run (any thread): a queue depth for /metrics.
    qsizetype pending();

private:
    Q_INVOKABLE void drain();

    std::mutex m_mutex;
    std::deque<std::function<void()>> m_jobs;
    bool m_wakeQueued = false; //!< a drain() is on its way; guarded by m_mutex
};

} // namespace chatter::server
