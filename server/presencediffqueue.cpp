// SPDX-License-Identifier: MIT
#include "presencediffqueue.h"

#include <algorithm>

namespace chatter::server {

PresenceDiffQueue::PresenceDiffQueue(QObject *timerParent, int windowMs, Publish publish)
    : m_windowMs(windowMs), m_publish(std::move(publish))
{
    m_timer.setParent(timerParent);
    m_timer.setSingleShot(true);
    QObject::connect(&m_timer, &QTimer::timeout, timerParent, [this] { flushAll(); });
}

void PresenceDiffQueue::queue(const QString &topic, const PresenceDiff &diff)
{
    if (m_closed)
        return;
    m_buffer.add(topic, diff);
    if (m_timer.isActive())
        return;
    const qint64 sinceLast = m_flushed.isValid() ? m_flushed.elapsed() : m_windowMs;
    m_timer.start(int(std::max<qint64>(0, m_windowMs - sinceLast)));
}

void PresenceDiffQueue::flush(const QString &topic)
{
    if (m_buffer.contains(topic))
        m_publish(topic, m_buffer.take(topic));
}

void PresenceDiffQueue::flushAll()
{
    // Emptied meanwhile by broadcasts on its topics: the window has not restarted.
    if (m_buffer.isEmpty())
        return;
    m_flushed.start();
    QList<PresenceDiffBuffer::TopicDiff> diffs = m_buffer.take();
    for (PresenceDiffBuffer::TopicDiff &pending : diffs)
        m_publish(pending.topic, std::move(pending.diff));
}

} // namespace chatter::server
