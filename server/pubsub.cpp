// SPDX-License-Identifier: MIT
#include "pubsub.h"

#include "broadcast.h"
#include "clusterbus.h"
#include "worker.h"

#include <QMetaObject>

#include <bit>

namespace chatter::server {

namespace {

quint64 bitOf(const Worker *worker)
{
    Q_ASSERT(worker->index() >= 0 && worker->index() < PubSub::MaxWorkers);
    return quint64(1) << worker->index();
}

} // namespace

void PubSub::setWorkers(std::span<Worker *const> workers)
{
    std::unique_lock locker(m_lock);
    m_workers.fill(nullptr);
    for (Worker *worker : workers) {
        Q_ASSERT(worker->index() >= 0 && worker->index() < MaxWorkers);
        m_workers[size_t(worker->index())] = worker;
    }
}

void PubSub::setBus(ClusterBus *bus)
{
    std::unique_lock locker(m_lock);
    m_bus = bus;
}

void PubSub::addWorker(const QString &topic, Worker *worker)
{
    std::unique_lock locker(m_lock);
    quint64 &mask = m_topics[topic];
    // Under the lock: the bus gets each topic's acquires and releases in the order they happen.
    if (mask == 0 && m_bus)
        m_bus->acquire(topic);
    mask |= bitOf(worker);
}

void PubSub::removeWorker(const QString &topic, Worker *worker)
{
    std::unique_lock locker(m_lock);
    auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return;
    *it &= ~bitOf(worker);
    if (*it == 0) {
        m_topics.erase(it);
        if (m_bus)
            m_bus->release(topic);
    }
}

void PubSub::publish(const std::shared_ptr<const Broadcast> &broadcast, Worker *origin)
{
    quint64 mask = 0;
    {
        std::shared_lock locker(m_lock);
        mask = m_topics.value(broadcast->message().topic);
    }
    for (; mask != 0; mask &= mask - 1) {
        Worker *worker = m_workers[size_t(std::countr_zero(mask))];
        if (worker == origin) {
            worker->deliver(broadcast);
        } else {
            worker->mailbox().post([worker, broadcast] { worker->deliver(broadcast); });
        }
    }
}

} // namespace chatter::server
