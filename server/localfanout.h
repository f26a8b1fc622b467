// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <QVarLengthArray>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace chatter::server {

class BatchSender;
class Broadcast;
struct Subscription;

//! One worker's `topic → subscriptions` table and the delivery of broadcasts to them. Lives on
//! its worker's thread; PubSub hands it every broadcast of a topic it holds, once.
class LocalFanout
{
public:
    //! `topicHeld(topic, true)` when the first local subscription of a topic arrives,
    //! `topicHeld(topic, false)` when its last one leaves: the worker tells PubSub.
    using TopicHeld = std::function<void(const QString &topic, bool held)>;

    LocalFanout(BatchSender &batch, TopicHeld topicHeld);

    void subscribe(Subscription &subscription);
    void unsubscribe(Subscription &subscription);
    //! Hands `broadcast` to every local subscription of its topic but the excluded channel,
    //! with all their sends in one submission.
    void deliver(const Broadcast &broadcast);

private:
    struct Entry
    {
        Subscription *subscription;
        quint64 channelId; //!< readable after the subscription is gone
    };

    //! A topic's subscriptions, the first inline: with a topic per person (personal topics, DMs,
    //! a room each) most have one local subscriber, and a list cost ~60 bytes more per topic.
    using Entries = QVarLengthArray<Entry, 1>;

    BatchSender &m_batch;
    TopicHeld m_topicHeld;
    QHash<QString, Entries> m_topics;
    int m_deliveryDepth = 0; //!< nested deliver() calls in progress
    //! A copy of the topic's entries per nesting depth, reused so that a delivery allocates
    //! nothing once a topic of that size has been delivered to. A deque: a nested delivery
    //! adds a depth while the outer one holds a reference to its own.
    std::deque<std::vector<Entry>> m_snapshots;
    QSet<quint64> m_retired; //!< channels unsubscribed while a delivery was in progress
};

} // namespace chatter::server
