// SPDX-License-Identifier: MIT
#include "batchsender.h"

#include "logging.h"

#include <liburing.h>

#include <cerrno>
#include <sys/socket.h>

namespace chatter::server {

namespace {

//! Submission queue entries; a larger broadcast is submitted in several parts.
constexpr unsigned RingEntries = 1024;
//! Bytes waiting in one submission before it goes without waiting for the end of the scope.
constexpr qint64 MaxQueuedBytes = 1 << 20;

} // namespace

BatchSender::BatchSender(bool enabled)
{
    if (!enabled)
        return;
    auto ring = std::make_unique<io_uring>();
    const int error = io_uring_queue_init(RingEntries, ring.get(), 0);
    if (error < 0) {
        qCInfo(lcNet).noquote() << "io_uring unavailable (" << strerror(-error)
                                << "): broadcasts use one send() per recipient";
        return;
    }
    m_ring = std::move(ring);
    m_entries.reserve(RingEntries);
    m_results.reserve(RingEntries);
}

BatchSender::~BatchSender()
{
    if (m_ring)
        io_uring_queue_exit(m_ring.get());
}

void BatchSender::end()
{
    if (--m_depth == 0)
        submit();
}

BatchSender::EntryId BatchSender::queue(int descriptor, const QByteArray &bytes, Client *client)
{
    if (!m_ring)
        return -1;
    // A long turn of the loop (hundreds of joins, each with a large room's presence state)
    // would hold every frame until its end; beyond this the waiting part goes now.
    if (m_queuedBytes >= MaxQueuedBytes)
        submit();
    if (!m_ring)
        return -1;
    io_uring_sqe *sqe = io_uring_get_sqe(m_ring.get());
    if (!sqe) {
        submit(); // the ring is full: this part goes now, the rest in the next one
        if (!m_ring)
            return -1;
        sqe = io_uring_get_sqe(m_ring.get());
        if (!sqe)
            return -1;
    }
    const size_t index = m_entries.size();
    io_uring_prep_send(sqe, descriptor, bytes.constData(), size_t(bytes.size()),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, index);
    m_entries.push_back(Entry{client, bytes, descriptor, sqe});
    m_queuedBytes += bytes.size();
    return EntryId(quint64(m_submissions) << 32 | index);
}

bool BatchSender::append(EntryId entry, Client *client, const QByteArray &bytes)
{
    const size_t index = size_t(entry & 0xffffffff);
    if (!isCollecting() || entry < 0 || quint32(quint64(entry) >> 32) != m_submissions ||
        index >= m_entries.size() || m_entries[index].client != client)
        return false;
    Entry &e = m_entries[index];
    e.bytes.append(bytes); // the shared frame is copied here, once, for this one socket
    m_queuedBytes += bytes.size();
    io_uring_prep_send(e.sqe, e.descriptor, e.bytes.constData(), size_t(e.bytes.size()),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    io_uring_sqe_set_data64(e.sqe, index);
    return true;
}

void BatchSender::cancel(EntryId entry, Client *client)
{
    const size_t index = size_t(entry & 0xffffffff);
    if (!isCollecting() || entry < 0 || quint32(quint64(entry) >> 32) != m_submissions ||
        index >= m_entries.size() || m_entries[index].client != client)
        return;
    io_uring_prep_nop(m_entries[index].sqe);
    io_uring_sqe_set_data64(m_entries[index].sqe, index);
    m_entries[index].client = nullptr;
}

void BatchSender::submit()
{
    if (m_entries.empty())
        return;
    ++m_submissions;
    m_queuedBytes = 0;
    const auto count = unsigned(m_entries.size());
    m_results.assign(count, -EIO);
    unsigned submitted = 0;
    for (int attempt = 0; submitted < count && attempt < 100; ++attempt) {
        const int n = io_uring_submit(m_ring.get());
        if (n > 0)
            submitted += unsigned(n);
        else if (n < 0 && n != -EINTR && n != -EAGAIN && n != -EBUSY)
            break;
    }
    // Non-blocking sends complete during the submission; waiting only covers the unexpected.
    unsigned reaped = 0;
    while (reaped < submitted) {
        io_uring_cqe *cqe = nullptr;
        const int error = io_uring_wait_cqe(m_ring.get(), &cqe);
        if (error == -EINTR)
            continue;
        if (error < 0)
            break;
        unsigned head;
        unsigned seen = 0;
        io_uring_for_each_cqe(m_ring.get(), head, cqe)
        {
            const quint64 index = io_uring_cqe_get_data64(cqe);
            if (index < count)
                m_results[index] = cqe->res;
            ++seen;
        }
        io_uring_cq_advance(m_ring.get(), seen);
        reaped += seen;
    }
    if (submitted < count) {
        // The ring cannot be trusted any more (the rest may still sit in it): stop using it.
        // The sends reported as failed close their connections, as a dead peer's would.
        qCCritical(lcNet) << "io_uring submission failed after" << submitted << "of" << count
                          << "sends; falling back to send()";
        io_uring_queue_exit(m_ring.get());
        m_ring.reset();
    }
    // Reported after the submission, in queue order: a client may write again from here
    // (a slow reader's close frame), which then goes straight out.
    std::vector<Entry> entries;
    entries.swap(m_entries);
    std::vector<int> results;
    results.swap(m_results);
    for (unsigned i = 0; i < count; ++i) {
        if (entries[i].client)
            entries[i].client->batchedSendDone(entries[i].bytes, results[i]);
    }
    entries.clear();
    if (m_entries.empty())
        m_entries.swap(entries); // keeps the capacity
    results.clear();
    if (m_results.empty())
        m_results.swap(results);
}

} // namespace chatter::server
