// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

#include <memory>
#include <vector>

struct io_uring;
struct io_uring_sqe;

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

    //! begin() … end() for a block.
    class Scope
    {
    public:
        explicit Scope(BatchSender &sender) : m_sender(sender) { m_sender.begin(); }
        ~Scope() { m_sender.end(); }
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

    private:
        BatchSender &m_sender;
    };

    //! A queued send, valid until its submission (submission number and index).
    using EntryId = qint64;

    //! Only while collecting. `bytes` is shared, not copied, until the submission. Returns
    //! the entry for append(), or -1 when the send cannot be queued; the caller then sends
    //! it itself.
    EntryId queue(int descriptor, const QByteArray &bytes, Client *client);
    //! Adds `bytes` to `client`'s queued `entry`, so that one send carries both (a sender's
    //! own copy of its message and the reply to it, say). False if that entry is not waiting
    //! in this batch any more; the caller then queues the bytes itself.
    bool append(EntryId entry, Client *client, const QByteArray &bytes);
    //! Drops `client`'s queued `entry` (its socket is about to be closed, or the client to be
    //! deleted: the descriptor's number may be reused before the submission). The client is
    //! not told about it any more.
    void cancel(EntryId entry, Client *client);

private:
    void submit();

    struct Entry
    {
        Client *client;
        QByteArray bytes;
        int descriptor;
        io_uring_sqe *sqe; //!< still in the submission queue, so it can be re-aimed
    };
    std::unique_ptr<io_uring> m_ring;
    std::vector<Entry> m_entries;
    std::vector<int> m_results;
    int m_depth = 0;
    qint64 m_queuedBytes = 0;  //!< of the entries waiting, each counted once per recipient
    quint32 m_submissions = 0; //!< tells an entry of an earlier submission from a current one
};

} // namespace chatter::server
