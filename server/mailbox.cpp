// SPDX-License-Identifier: MIT
#include "mailbox.h"

#include <algorithm>
#include <condition_variable>
#include <iterator>

namespace chatter::server {
namespace {

//! Jobs one drain() runs at most before it lets the thread's other events in.
constexpr int MaxJobsPerTurn = 256;

} // namespace

Mailbox::Mailbox(QObject *owner) : QObject(owner) {}

void Mailbox::post(std::function<void()> job)
{
    bool wake = false;
    {
        std::scoped_lock locker(m_mutex);
        m_jobs.push_back(std::move(job));
        wake = !std::exchange(m_wakeQueued, true);
    }
    if (wake)
        QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
}

void Mailbox::run(const std::function<void()> &job)
{
    std::mutex mutex;
    std::condition_variable ran;
    bool done = false;
    post([&] {
        job();
        std::scoped_lock locker(mutex);
        done = true;
        ran.notify_one();
    });
    std::unique_lock locker(mutex);
    ran.wait(locker, [&] { return done; });
}

void Mailbox::drain()
{
    // Only what is here now: jobs posted while these run (a job that reposts itself to leave
    // a turn for other work, say) wait for the next turn, behind the thread's other events.
    std::deque<std::function<void()>> batch;
    bool more = false;
    {
        std::scoped_lock locker(m_mutex);
        const auto count = std::min<size_t>(m_jobs.size(), MaxJobsPerTurn);
        std::move(m_jobs.begin(), m_jobs.begin() + qsizetype(count), std::back_inserter(batch));
        m_jobs.erase(m_jobs.begin(), m_jobs.begin() + qsizetype(count));
        more = !m_jobs.empty();
        m_wakeQueued = more;
    }
    if (more)
        QMetaObject::invokeMethod(this, "drain", Qt::QueuedConnection);
    for (std::function<void()> &job : batch)
        job();
}

qsizetype Mailbox::pending()
{
    std::scoped_lock locker(m_mutex);
    return qsizetype(m_jobs.size());
}

} // namespace chatter::server
