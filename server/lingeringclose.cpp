// SPDX-License-Identifier: MIT
#include "lingeringclose.h"

#include <QSocketNotifier>

#include <atomic>
#include <utility>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chatter::server {
namespace {

std::atomic<int> g_live{0};

} // namespace

int LingeringClose::liveCount()
{
    return g_live.load();
}

void LingeringClose::start(int descriptor, QObject *parent, int maxMs)
{
    if (descriptor >= 0)
        new LingeringClose(descriptor, parent, maxMs);
}

LingeringClose::LingeringClose(int descriptor, QObject *parent, int maxMs)
    : QObject(parent), m_descriptor(descriptor)
{
    ++g_live;
    ::shutdown(m_descriptor, SHUT_WR);
    ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
    m_notifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LingeringClose::drain);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &LingeringClose::finish);
    m_deadline.start(maxMs);
}

LingeringClose::~LingeringClose()
{
    --g_live;
    // The notifier before the descriptor: as a child it would outlive this body, and its
    // destructor unregisters a descriptor number that, once closed, another thread may reuse.
    delete std::exchange(m_notifier, nullptr);
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

void LingeringClose::drain()
{
    char buffer[16384];
    // A bounded number of reads per wake-up: a client still sending fast must not hold the
    // worker; the notifier fires again.
    for (int round = 0; round < 8; ++round) {
        const ssize_t n = ::read(m_descriptor, buffer, sizeof buffer);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        finish(); // EOF: the client has closed its side; or an error
        return;
    }
}

void LingeringClose::finish()
{
    if (m_notifier)
        m_notifier->setEnabled(false);
    m_deadline.stop();
    if (m_descriptor >= 0) {
        ::close(m_descriptor);
        m_descriptor = -1;
    }
    deleteLater();
}

} // namespace chatter::server
