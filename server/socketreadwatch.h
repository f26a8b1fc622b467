// SPDX-License-Identifier: MIT
#pragma once

#include "directsocketnotifier.h"
#include "epolleventdispatcher.h"

#include <functional>
#include <memory>

class QObject;

namespace chatter::server {

//! Watches one descriptor for input on the event dispatcher of the thread that creates it:
//! directly on an EpollEventDispatcher (the workers' own), through a QSocketNotifier on any
//! other. Enabled from the start, like a QSocketNotifier. Lives on its creator's thread.
class SocketReadWatch final : private ReadWatcher
{
public:
    SocketReadWatch(int descriptor, std::function<void()> onReadable, QObject *owner);
    ~SocketReadWatch();
    SocketReadWatch(const SocketReadWatch &) = delete;
    SocketReadWatch &operator=(const SocketReadWatch &) = delete;

    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }

private:
    void readReady() override { m_onReadable(); }

    int m_descriptor;
    std::function<void()> m_onReadable;
    EpollEventDispatcher *m_epoll = nullptr;
    std::unique_ptr<DirectSocketNotifier> m_notifier; //!< only without m_epoll
    bool m_enabled = false;
};

} // namespace chatter::server
