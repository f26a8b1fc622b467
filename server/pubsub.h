// SPDX-License-Identifier: MIT
#pragma once

#include "serverconfig.h"

#include <QHash>
#include <QString>
#include <shared_mutex>

#include <array>
#include <memory>
#include <span>

namespace chatter::server {

class Broadcast;
class ClusterBus;
class Worker;

//! Which workers hold subscribers of which topic. A broadcast crosses to each such worker once,
//! carrying the shared pre-encoded frames, never once per subscriber. Thread-safe.
class PubSub
{
public:
    //! A topic's workers are bits of one word: a server has a topic per person (personal
    //! topics, DMs, a room each), and a list of workers per topic cost ~50 bytes more.
    static constexpr int MaxWorkers = ServerConfig::MaxWorkers;

    //! Every worker, before the first subscription; `worker->index()` < MaxWorkers.
    void setWorkers(std::span<Worker *const> workers);
    //! In a cluster: told of each topic's first local subscribing worker and of its last
    //! (ClusterBus::acquire/release), so that the node subscribes on Redis only to topics it
    //! has subscribers of. Null (before the workers stop) ends that.
    void setBus(ClusterBus *bus);
    //! Workers call these when their local subscriber count for a topic goes 0→1 and 1→0.
    void addWorker(const QString &topic, Worker *worker);
    void removeWorker(const QString &topic, Worker *worker);
    //! Delivers on `origin` synchronously (keeps the sender's own order) and queues a single
    //! call on every other worker that has subscribers.
    void publish(const std::shared_ptr<const Broadcast> &broadcast, Worker *origin);

private:
    mutable std::shared_mutex m_lock;
    QHash<QString, quint64> m_topics;             //!< bit i: worker i holds subscribers
    std::array<Worker *, MaxWorkers> m_workers{}; //!< by index; fixed once workers start
    ClusterBus *m_bus = nullptr;                  //!< behind m_lock
};

} // namespace chatter::server
