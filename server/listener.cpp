// SPDX-License-Identifier: MIT
#include "listener.h"

#include "logging.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>

namespace chatter::server {
namespace {

//! Connections taken per wake-up: the notifier is level-triggered, so the rest wait for the
//! next turn of the event loop instead of starving the main thread's other work.
constexpr int MaxAcceptsPerWakeup = 64;
//! How long accepting rests when the process has no descriptor left for a new connection
//! (the kernel keeps the connection in the backlog meanwhile).
constexpr int OutOfDescriptorsPauseMs = 100;

} // namespace

Listener::Listener(Dispatch dispatch, QObject *parent)
    : QObject(parent), m_dispatch(std::move(dispatch))
{
    m_server.setMaxPendingConnections(0);
    m_retry = new QTimer(this);
    m_retry->setSingleShot(true);
    m_retry->setInterval(OutOfDescriptorsPauseMs);
    connect(m_retry, &QTimer::timeout, this, [this] {
        if (m_ready)
            m_ready->setEnabled(true);
    });
}

Listener::~Listener()
{
    close();
}

bool Listener::listen(const QHostAddress &address, quint16 port)
{
    if (!m_server.listen(address, port))
        return false;
    // QTcpServer would accept with its own notifier; it stays off, and this one reads instead.
    m_server.pauseAccepting();
    m_ready = new QSocketNotifier(m_server.socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_ready, &QSocketNotifier::activated, this, &Listener::acceptPending);
    return true;
}

void Listener::close()
{
    // The notifier goes before the descriptor it watches.
    delete m_ready;
    m_ready = nullptr;
    m_retry->stop();
    m_server.close();
}

void Listener::acceptPending()
{
    const int listening = int(m_server.socketDescriptor());
    for (int i = 0; i < MaxAcceptsPerWakeup; ++i) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        const int descriptor = ::accept4(listening, reinterpret_cast<sockaddr *>(&address), &length,
                                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (descriptor < 0) {
            const int error = errno;
            switch (error) {
            case EINTR:
            case ECONNABORTED: // the client gave up while waiting in the backlog
                continue;
            case EAGAIN:
#if EWOULDBLOCK != EAGAIN
            case EWOULDBLOCK:
#endif
                return;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                // Level-triggered: without a pause this would spin until a descriptor is free.
                qCWarning(lcNet) << "cannot accept a connection:" << std::strerror(error)
                                 << "- pausing accepting for" << OutOfDescriptorsPauseMs << "ms";
                m_ready->setEnabled(false);
                m_retry->start();
                return;
            case EBADF:
            case EINVAL: // not listening any more
                return;
            default:
                // Network errors already pending on the new connection (accept(2)): it is
                // gone; the next one may be fine.
                qCDebug(lcNet) << "accept failed:" << std::strerror(error);
                continue;
            }
        }
        quint16 port = 0;
        if (address.ss_family == AF_INET)
            port = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
        else if (address.ss_family == AF_INET6)
            port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
        m_dispatch(descriptor, QHostAddress(reinterpret_cast<const sockaddr *>(&address)), port);
    }
}

} // namespace chatter::server
