// SPDX-License-Identifier: MIT
#include "socketreadwatch.h"

#include <QAbstractEventDispatcher>

namespace chatter::server {

SocketReadWatch::SocketReadWatch(int descriptor, ReadWatcher &target, QObject *owner)
    : m_descriptor(descriptor), m_target(&target),
      m_epoll(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()))
{
    if (!m_epoll) {
        m_notifier = std::make_unique<DirectSocketNotifier>(
            descriptor, QSocketNotifier::Read, [this] { m_target->readReady(); }, owner);
        m_enabled = true;
        return;
    }
    setEnabled(true);
}

SocketReadWatch::~SocketReadWatch()
{
    setEnabled(false);
}

void SocketReadWatch::setEnabled(bool enabled)
{
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    if (m_notifier)
        m_notifier->setEnabled(enabled);
    else if (enabled)
        m_epoll->watchRead(m_descriptor, m_target);
    else
        m_epoll->unwatchRead(m_descriptor);
}

} // namespace chatter::server
