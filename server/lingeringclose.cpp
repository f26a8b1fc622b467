// SPDX-License-Identifier: MIT
#include "lingeringclose.h"

#include <QSocketNotifier>
#include <QTcpSocket>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chatter::server {

void LingeringClose::attach(QTcpSocket *socket, int maxMs)
{
    if (!socket || socket->socketDescriptor() < 0)
        return;
    const int descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0)
        return;
    new LingeringClose(descriptor, socket, maxMs);
}

LingeringClose::LingeringClose(int descriptor, QTcpSocket *socket, int maxMs)
    : m_descriptor(descriptor), m_maxMs(maxMs)
{
    // Qt may still hold the close frame in its buffer; FIN must wait until it has been written.
    if (socket->state() == QAbstractSocket::UnconnectedState) {
        QMetaObject::invokeMethod(this, &LingeringClose::startDraining, Qt::QueuedConnection);
    } else {
        connect(socket, &QAbstractSocket::disconnected, this, &LingeringClose::startDraining);
        connect(socket, &QObject::destroyed, this, &LingeringClose::startDraining);
    }
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &LingeringClose::finish);
    m_deadline.start(maxMs + 5000); // even if Qt never reports the disconnect
}

LingeringClose::~LingeringClose()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

void LingeringClose::startDraining()
{
    if (m_notifier || m_descriptor < 0)
        return;
    ::shutdown(m_descriptor, SHUT_WR);
    ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
    m_notifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LingeringClose::drain);
    m_deadline.start(m_maxMs);
    drain();
}

void LingeringClose::drain()
{
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(m_descriptor, buffer, sizeof buffer);
        if (n > 0)
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
    if (m_descriptor >= 0) {
        ::close(m_descriptor);
        m_descriptor = -1;
    }
    deleteLater();
}

} // namespace chatter::server
