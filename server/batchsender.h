// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

#include <memory>
#include <vector>

struct io_uring;

namespace chatter::server {

//! Sends one broadcast to many sockets with one system call (io_uring) instead of one
//! `send()` per recipient.
//!
//! A fan-out is almost all kernel time; the part a server controls is the per-call overhead
//! (entry and exit, descriptor lookup), which one submission pays once for all recipients.
//! Sends are non-blocking (MSG_DONTWAIT), so the kernel completes every one of them inside
//! the submission and the results are known when it returns: a short write is handled by
//! the caller exactly like a short `send()`. Where io_uring is unavailable (old kernel,
//! disabled by policy) callers send directly.
class BatchSender
{
public:
    //! Told how a queued send went: bytes written (possibly fewer than queued) or -errno.
    class Client
    {
    public:
        virtual void batchedSendDone(const QByteArray &bytes, int result) = 0;

    protected:
        ~Client() = default;
    };

    explicit BatchSender(bool enabled = true);
    ~BatchSender();
    BatchSender(const BatchSender &) = delete;
    BatchSender &operator=(const BatchSender &) = delete;

    bool isAvailable() const { return m_ring != nullptr; }

    //! Between begin() and the matching end(), sends can be queued; the outermost end()
    //! submits them and reports every result before it returns. Nesting is allowed.
    void begin() { ++m_depth; }
    void end();
    bool isCollecting() const { return m_depth > 0 && m_ring; }

    //! Only while collecting. `bytes` is shared, not copied, until the submission. False when
    //! the send cannot be queued; the caller then sends it itself.
    bool queue(int descriptor, const QByteArray &bytes, Client *client);

private:
    void submit();

    struct Entry
    {
        Client *client;
        QByteArray bytes;
    };
    std::unique_ptr<io_uring> m_ring;
    std::vector<Entry> m_entries;
    std::vector<int> m_results;
    int m_depth = 0;
};

} // namespace chatter::server
