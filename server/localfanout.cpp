// SPDX-License-Identifier: MIT
#include "localfanout.h"

#include "batchsender.h"
#include "broadcast.h"
#include "channel.h"
#include "socketsession.h"
#include "subscription.h"

namespace chatter::server {

LocalFanout::LocalFanout(BatchSender &batch, TopicHeld topicHeld)
    : m_batch(batch), m_topicHeld(std::move(topicHeld))
{}

void LocalFanout::subscribe(Subscription &subscription)
{
    const QString &topic = subscription.channel->topic();
    Entries &entries = m_topics[topic];
    if (entries.isEmpty())
        m_topicHeld(topic, true);
    entries.append(Entry{&subscription, subscription.channel->id()});
}

void LocalFanout::unsubscribe(Subscription &subscription)
{
    const quint64 channelId = subscription.channel->id();
    if (m_deliveryDepth > 0)
        m_retired.insert(channelId);
    const QString &topic = subscription.channel->topic();
    auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return;
    it->removeIf([channelId](const Entry &entry) { return entry.channelId == channelId; });
    if (it->isEmpty()) {
        m_topics.erase(it);
        m_topicHeld(topic, false);
    }
}

void LocalFanout::deliver(const Broadcast &broadcast)
{
    // A copy: delivering may make subscribers leave mid-loop (a presence leave delivered from
    // inside this one, a channel crashing in handleOut); those are remembered as retired and
    // skipped by id, never touched.
    const auto found = m_topics.constFind(broadcast.message().topic);
    if (found == m_topics.cend())
        return;
    if (m_snapshots.size() <= size_t(m_deliveryDepth))
        m_snapshots.emplace_back();
    std::vector<Entry> &entries = m_snapshots[size_t(m_deliveryDepth)];
    entries.assign(found->cbegin(), found->cend());
    const quint64 excluded = broadcast.excludedChannel();
    ++m_deliveryDepth;
    m_batch.begin();
    for (const Entry &entry : entries) {
        if (entry.channelId == excluded)
            continue;
        if (!m_retired.isEmpty() && m_retired.contains(entry.channelId))
            continue;
        entry.subscription->session->deliverBroadcast(*entry.subscription, broadcast);
    }
    m_batch.end();
    entries.clear();
    if (--m_deliveryDepth == 0)
        m_retired.clear();
}

} // namespace chatter::server
