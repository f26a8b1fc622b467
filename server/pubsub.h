// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QString>
#include <QVarLengthArray>
#include <shared_mutex>

#include <memory>

namespace chatter::server {

class Broadcast;
class Worker;

//! Which workers hold subscribers of which topic. A broadcast crosses to each such worker once,
//! carrying the shared pre-encoded frames, never once per subscriber. Thread-safe.
class PubSub
{
public:
    //! Workers call these when their local subscriber count for a topic goes 0→1 and 1→0.
    void addWorker(const QString &topic, Worker *worker);
    void removeWorker(const QString &topic, Worker *worker);
    //! Delivers on `origin` synchronously (keeps the sender's own order) and queues a single
    //! call on every other worker that has subscribers.
    void publish(const std::shared_ptr<const Broadcast> &broadcast, Worker *origin);

private:
    mutable std::shared_mutex m_lock;
    QHash<QString, QVarLengthArray<Worker *, 4>> m_topics;
};

} // namespace chatter::server
