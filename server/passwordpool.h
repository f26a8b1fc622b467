// SPDX-License-Identifier: MIT
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace chatter::server {

//! The threads that make and check Argon2id hashes (docs/identity.md): a few of its own, so
//! that a burst of logins costs at most that many cores and never holds an event loop.
//!
//! Plain std::thread with a std::mutex-guarded queue rather than a QThreadPool, for the reason
//! the project has Mailbox (docs/architecture.md): a job handed to Qt's pool is made on one
//! thread and freed on another, ordered by locks inside libQt6Core that ThreadSanitizer cannot
//! see. Jobs post their results to a mailbox. Thread-safe.
class PasswordPool
{
public:
    //! `name`: the threads' name (at most 15 characters). The file thread is one too
    //! (Engine::fileThread): the same queue, for uploads.
    explicit PasswordPool(int threads, const char *name = "chatter-passwd");
    //! Runs the jobs still queued, then joins the threads.
    ~PasswordPool();

    void start(std::function<void()> job);
    //! Returns once no job is queued or running.
    void waitForDone();

private:
    void work();

    std::mutex m_mutex;
    std::condition_variable m_wake; //!< a job was queued, or the pool is closing
    std::condition_variable m_idle; //!< the last job finished
    std::deque<std::function<void()>> m_jobs;
    int m_running = 0;
    bool m_closing = false;
    std::vector<std::thread> m_threads;
};

} // namespace chatter::server
