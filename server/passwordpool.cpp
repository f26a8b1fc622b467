// SPDX-License-Identifier: MIT
#include "passwordpool.h"

#include <pthread.h>

namespace chatter::server {

PasswordPool::PasswordPool(int threads, const char *name)
{
    for (int i = 0; i < threads; ++i) {
        m_threads.emplace_back([this, name] {
            pthread_setname_np(pthread_self(), name);
            work();
        });
    }
}

PasswordPool::~PasswordPool()
{
    {
        std::scoped_lock locker(m_mutex);
        m_closing = true;
    }
    m_wake.notify_all();
    for (std::thread &thread : m_threads)
        thread.join();
}

void PasswordPool::start(std::function<void()> job)
{
    {
        std::scoped_lock locker(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void PasswordPool::waitForDone()
{
    std::unique_lock locker(m_mutex);
    m_idle.wait(locker, [this] { return m_jobs.empty() && m_running == 0; });
}

void PasswordPool::work()
{
    std::unique_lock locker(m_mutex);
    for (;;) {
        m_wake.wait(locker, [this] { return m_closing || !m_jobs.empty(); });
        if (m_jobs.empty())
            return; // closing, and nothing left to do
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        ++m_running;
        locker.unlock();
        job();
        job = nullptr; // its captures go here, on this thread, before the count says done
        locker.lock();
        if (--m_running == 0 && m_jobs.empty())
            m_idle.notify_all();
    }
}

} // namespace chatter::server
