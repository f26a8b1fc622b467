// SPDX-License-Identifier: MIT
#include "pubsub.h"

#include "broadcast.h"
#include "worker.h"

#include <QMetaObject>

namespace chatter::server {

void PubSub::addWorker(const QString &topic, Worker *worker)
{
    std::unique_lock locker(m_lock);
    auto &workers = m_topics[topic];
    if (!workers.contains(worker))
        workers.append(worker);
}

void PubSub::removeWorker(const QString &topic, Worker *worker)
{
    std::unique_lock locker(m_lock);
    auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return;
    it->removeAll(worker);
    if (it->isEmpty())
        m_topics.erase(it);
}

void PubSub::publish(const std::shared_ptr<const Broadcast> &broadcast, Worker *origin)
{
    QVarLengthArray<Worker *, 4> workers;
    {
        std::shared_lock locker(m_lock);
        workers = m_topics.value(broadcast->message().topic);
    }
    for (Worker *worker : workers) {
        if (worker == origin) {
            worker->deliver(broadcast);
        } else {
            worker->mailbox().post([worker, broadcast] { worker->deliver(broadcast); });
        }
    }
}

} // namespace chatter::server
