// SPDX-License-Identifier: MIT
#include "qtavahipoll.h"

#include <QSocketNotifier>
#include <QTimer>

#include <avahi-common/timeval.h>

#include <algorithm>
#include <limits>
#include <memory>

// Avahi declares these two structures and leaves their definition to the poll's provider.

//! A watch on one descriptor. Avahi may free it (or change its events) from inside its own
//! callback, so a free during a callback is deferred until the callback has returned.
struct AvahiWatch
{
    int fd = -1;
    AvahiWatchCallback callback = nullptr;
    void *userdata = nullptr;
    std::unique_ptr<QSocketNotifier> readable;
    std::unique_ptr<QSocketNotifier> writable;
    AvahiWatchEvent lastEvent = AvahiWatchEvent(0);
    bool inCallback = false;
    bool freed = false;

    void setEvents(AvahiWatchEvent events)
    {
        readable->setEnabled(events & AVAHI_WATCH_IN);
        writable->setEnabled(events & AVAHI_WATCH_OUT);
    }

    void dispatch(AvahiWatchEvent event)
    {
        inCallback = true;
        lastEvent = event;
        callback(this, fd, event, userdata);
        inCallback = false;
        lastEvent = AvahiWatchEvent(0);
        if (freed)
            delete this;
    }
};

//! A one-shot wake-up at an absolute time (Avahi's clock is gettimeofday()).
struct AvahiTimeout
{
    AvahiTimeoutCallback callback = nullptr;
    void *userdata = nullptr;
    QTimer timer;
    bool inCallback = false;
    bool freed = false;

    void arm(const struct timeval *tv)
    {
        if (!tv) {
            timer.stop();
            return;
        }
        // avahi_age() is how long ago tv was: negative for a time still to come.
        const AvahiUsec remaining = -avahi_age(tv);
        const qint64 ms = remaining <= 0 ? 0 : (remaining + 999) / 1000;
        timer.start(int(std::min<qint64>(ms, std::numeric_limits<int>::max())));
    }

    void dispatch()
    {
        inCallback = true;
        callback(this, userdata);
        inCallback = false;
        if (freed)
            delete this;
    }
};

namespace chatter::discovery {
namespace {

AvahiWatch *watchNew(const AvahiPoll *, int fd, AvahiWatchEvent events, AvahiWatchCallback callback,
                     void *userdata)
{
    auto *watch = new AvahiWatch;
    watch->fd = fd;
    watch->callback = callback;
    watch->userdata = userdata;
    watch->readable = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    watch->writable = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    QObject::connect(watch->readable.get(), &QSocketNotifier::activated, watch->readable.get(),
                     [watch] { watch->dispatch(AVAHI_WATCH_IN); });
    QObject::connect(watch->writable.get(), &QSocketNotifier::activated, watch->writable.get(),
                     [watch] { watch->dispatch(AVAHI_WATCH_OUT); });
    watch->setEvents(events);
    return watch;
}

void watchUpdate(AvahiWatch *watch, AvahiWatchEvent events)
{
    watch->setEvents(events);
}

AvahiWatchEvent watchGetEvents(AvahiWatch *watch)
{
    return watch->lastEvent;
}

void watchFree(AvahiWatch *watch)
{
    if (watch->inCallback) {
        // The notifier that is calling back must outlive its own signal.
        watch->setEvents(AvahiWatchEvent(0));
        watch->freed = true;
        return;
    }
    delete watch;
}

AvahiTimeout *timeoutNew(const AvahiPoll *, const struct timeval *tv, AvahiTimeoutCallback callback,
                         void *userdata)
{
    auto *timeout = new AvahiTimeout;
    timeout->callback = callback;
    timeout->userdata = userdata;
    timeout->timer.setSingleShot(true);
    timeout->timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&timeout->timer, &QTimer::timeout, &timeout->timer,
                     [timeout] { timeout->dispatch(); });
    timeout->arm(tv);
    return timeout;
}

void timeoutUpdate(AvahiTimeout *timeout, const struct timeval *tv)
{
    timeout->arm(tv);
}

void timeoutFree(AvahiTimeout *timeout)
{
    if (timeout->inCallback) {
        timeout->timer.stop();
        timeout->freed = true;
        return;
    }
    delete timeout;
}

} // namespace

QtAvahiPoll::QtAvahiPoll()
    : m_api{this,       &watchNew,   &watchUpdate,   &watchGetEvents,
            &watchFree, &timeoutNew, &timeoutUpdate, &timeoutFree}
{}

} // namespace chatter::discovery
