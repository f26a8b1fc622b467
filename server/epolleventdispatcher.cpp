// SPDX-License-Identifier: MIT
#include "epolleventdispatcher.h"

#include "batchsender.h"
#include "monotonicclock.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <cerrno>
#include <optional>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace chatter::server {

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wake;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wake);
    ::close(m_epoll);
}

void EpollEventDispatcher::updateInterest(int fd)
{
    auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    Watch &watch = *it;
    epoll_event event{};
    event.data.fd = fd;
    if ((watch.read && watch.read->isEnabled()) || watch.direct)
        event.events |= EPOLLIN;
    if (watch.write && watch.write->isEnabled())
        event.events |= EPOLLOUT;
    if (watch.exception && watch.exception->isEnabled())
        event.events |= EPOLLPRI;
    if (!watch.read && !watch.write && !watch.exception && !watch.direct) {
        if (watch.inEpoll)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        m_watches.erase(it);
        return;
    }
    // A descriptor closed and reused behind our back is gone from epoll (ENOENT) or back in it.
    if (watch.inEpoll && epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) == 0)
        return;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) == 0 ||
        (errno == EEXIST && epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) == 0))
        watch.inEpoll = true;
}

void EpollEventDispatcher::watchRead(int fd, ReadWatcher *watcher)
{
    m_watches[fd].direct = watcher;
    updateInterest(fd);
}

void EpollEventDispatcher::unwatchRead(int fd)
{
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    it->direct = nullptr;
    updateInterest(fd);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Watch &watch = m_watches[fd];
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        watch.read = notifier;
        break;
    case QSocketNotifier::Write:
        watch.write = notifier;
        break;
    case QSocketNotifier::Exception:
        watch.exception = notifier;
        break;
    }
    updateInterest(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    if (it->read == notifier)
        it->read = nullptr;
    else if (it->write == notifier)
        it->write = nullptr;
    else if (it->exception == notifier)
        it->exception = nullptr;
    // setEnabled(false) unregisters and setEnabled(true) registers again, so a disabled
    // notifier never stays in the interest list.
    updateInterest(fd);
}

void EpollEventDispatcher::schedule(int timerId, Timer &timer, qint64 deadline)
{
    timer.deadline = deadline;
    timer.generation = ++m_generation;
    m_heap.push(HeapEntry{deadline, timerId, timer.generation});
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Timer &timer = m_timers[timerId];
    timer.interval = interval;
    timer.type = timerType;
    timer.object = object;
    schedule(timerId, timer, monotonicMs() + interval);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    // Its heap entries become stale and are skipped when they come up.
    return m_timers.remove(timerId) > 0;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object)
            list.append(TimerInfo(it.key(), int(it->interval), it->type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    return int(std::max<qint64>(0, it->deadline - monotonicMs()));
}

void EpollEventDispatcher::wakeUp()
{
    const quint64 one = 1;
    [[maybe_unused]] const auto written = ::write(m_wake, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted = true;
    wakeUp();
}

int EpollEventDispatcher::nextTimeout() const
{
    while (!m_heap.empty()) {
        const HeapEntry &top = m_heap.top();
        const auto it = m_timers.constFind(top.timerId);
        if (it == m_timers.cend() || it->generation != top.generation) {
            m_heap.pop(); // stale: the timer was stopped or rescheduled
            continue;
        }
        return int(std::clamp<qint64>(top.deadline - monotonicMs(), 0, 24 * 3600 * 1000));
    }
    return -1;
}

bool EpollEventDispatcher::activateTimers()
{
    const qint64 now = monotonicMs();
    // Take every due entry first and reschedule afterwards: a timer of interval 0 gets a new
    // deadline of `now`, and rescheduling it inside the loop would make it due for ever.
    std::vector<HeapEntry> due;
    while (!m_heap.empty() && m_heap.top().deadline <= now) {
        const HeapEntry top = m_heap.top();
        m_heap.pop();
        const auto it = m_timers.constFind(top.timerId);
        if (it != m_timers.cend() && it->generation == top.generation)
            due.push_back(top);
    }
    for (const HeapEntry &entry : due) {
        auto it = m_timers.find(entry.timerId);
        // Like Qt's precise timers: keep the cadence, but never try to catch up a backlog.
        schedule(entry.timerId, *it, std::max(entry.deadline + it->interval, now));
    }
    for (const HeapEntry &entry : due) {
        const auto it = m_timers.constFind(entry.timerId);
        if (it == m_timers.cend())
            continue; // stopped by an earlier timer of this turn
        QTimerEvent event(entry.timerId);
        QCoreApplication::sendEvent(it->object, &event);
    }
    return !due.empty();
}

bool EpollEventDispatcher::activateSockets(const std::vector<std::pair<int, quint32>> &ready)
{
    bool any = false;
    for (const auto &[fd, events] : ready) {
        // Looked up again before each notifier: the previous one may have closed the socket.
        auto notify = [&](QSocketNotifier *Watch::*slot, quint32 mask) {
            const auto it = m_watches.constFind(fd);
            if (it == m_watches.cend())
                return;
            QSocketNotifier *notifier = (*it).*slot;
            if (!notifier || !notifier->isEnabled() || !(events & mask))
                return;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            any = true;
        };
        notify(&Watch::read, EPOLLIN | EPOLLHUP | EPOLLERR);
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
            const auto it = m_watches.constFind(fd);
            if (it != m_watches.cend() && (*it).direct) {
                (*it).direct->readReady();
                any = true;
            }
        }
        notify(&Watch::write, EPOLLOUT | EPOLLHUP | EPOLLERR);
        notify(&Watch::exception, EPOLLPRI);
    }
    return any;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted = false;
    Q_EMIT awake();
    {
        std::optional<BatchSender::Scope> batch;
        if (m_socketBatch)
            batch.emplace(*m_socketBatch);
        QCoreApplication::sendPostedEvents();
    }
    if (m_interrupted)
        return false;

    // Posting an event (from any thread) calls wakeUp(), so blocking here never sleeps
    // through one.
    const bool wait = flags.testFlag(QEventLoop::WaitForMoreEvents);
    const int timeout = wait ? nextTimeout() : 0;
    if (wait)
        Q_EMIT aboutToBlock();
    epoll_event events[256];
    int count = epoll_wait(m_epoll, events, 256, timeout);
    if (count < 0)
        count = 0; // EINTR
    if (wait)
        Q_EMIT awake();

    std::vector<std::pair<int, quint32>> ready;
    ready.reserve(size_t(count));
    for (int i = 0; i < count; ++i) {
        if (int(events[i].data.fd) == m_wake) {
            quint64 value = 0;
            [[maybe_unused]] const auto read = ::read(m_wake, &value, sizeof value);
            continue;
        }
        const int fd = events[i].data.fd;
        const quint32 mask = events[i].events;
        ready.emplace_back(fd, mask);
    }
    bool processed = count > 0;
    std::optional<BatchSender::Scope> batch;
    if (m_socketBatch)
        batch.emplace(*m_socketBatch);
    if (!flags.testFlag(QEventLoop::ExcludeSocketNotifiers))
        processed |= activateSockets(ready);
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        processed |= activateTimers();
    return processed;
}

} // namespace chatter::server
