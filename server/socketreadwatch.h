// SPDX-License-Identifier: MIT
#pragma once

#include "directsocketnotifier.h"
#include "epolleventdispatcher.h"

#include <memory>

class QObject;

namespace chatter::server {

//! Watches one descriptor for input on the event dispatcher of the thread that creates it:
//! directly on an EpollEventDispatcher (the workers' own), through a QSocketNotifier on any
//! other. Enabled from the start, like a QSocketNotifier. Lives on its creator's thread.
class SocketReadWatch final
{
public:
    //! `target` is told when the descriptor is readable; it outlives the watch (it usually
    //! holds it: a pointer, not a std::function, because there is one watch per connection).
    SocketReadWatch(int descriptor, ReadWatcher &target, QObject *owner);
    ~SocketReadWatch();
    SocketReadWatch(const SocketReadWatch &) = delete;
    SocketReadWatch &operator=(const SocketReadWatch &) = delete;

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }

private:
    int m_descriptor;
    bool m_enabled = false;
    ReadWatcher *m_target;
    EpollEventDispatcher *m_epoll = nullptr;
    std::unique_ptr<DirectSocketNotifier> m_notifier; //!< only without m_epoll
};

} // namespace chatter::server
