// SPDX-License-Identifier: MIT
#pragma once

#include <avahi-common/watch.h>

namespace chatter::discovery {

//! Avahi's main-loop abstraction (AvahiPoll) on the Qt event loop of the thread that creates it:
//! a watch is a pair of QSocketNotifiers, a timeout a single-shot QTimer. Avahi (libdbus
//! underneath) then runs entirely on that thread, so its callbacks never need a lock. The
//! Debian avahi-qt adapter exists for Qt 5 only, hence this one.
//!
//! Thread: everything (the poll, the client made with it, every callback) belongs to the
//! creating thread. Outlives every AvahiClient made with api().
class QtAvahiPoll
{
public:
    QtAvahiPoll();
    QtAvahiPoll(const QtAvahiPoll &) = delete;
    QtAvahiPoll &operator=(const QtAvahiPoll &) = delete;

    const AvahiPoll *api() const { return &m_api; }

private:
    AvahiPoll m_api;
};

} // namespace chatter::discovery
