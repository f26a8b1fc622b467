// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>

#include <atomic>
#include <queue>
#include <vector>

namespace chatter::server {

class BatchSender;

//! An event dispatcher for worker threads built on epoll.
//!
//! Qt's UNIX dispatcher (like GLib's) hands every registered socket to poll() on every turn of
//! the event loop, so a worker with N connections pays O(N) in the kernel for each wake-up:
//! with thousands of sockets that was half of the server's CPU. epoll keeps the interest list
//! in the kernel and returns only the ready sockets. Timers live in a min-heap, posted events
//! and cross-thread wake-ups go through an eventfd.
//! Told by an EpollEventDispatcher that its descriptor is readable (or hung up). What a
//! socket that exists by the thousands watches with: a QSocketNotifier is a QObject with its
//! private part, ~0.2 KiB per idle connection.
class ReadWatcher
{
public:
    virtual void readReady() = 0;

protected:
    ~ReadWatcher() = default;
};

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

    //! What one turn of the loop sends goes to the kernel in one submission of `batch` (the
    //! worker's): one for the posted events (every message a commit's results broadcast), one
    //! for the ready sockets and timers (a join's reply and its presence state become one
    //! send; a burst of joins one system call). Set before the thread runs.
    void setSocketBatch(BatchSender *batch) { m_socketBatch = batch; }

    //! Calls `watcher` while `fd` is readable, until unwatchRead(); the same descriptor may
    //! have a write notifier besides. Not for descriptors with a read QSocketNotifier.
    void watchRead(int fd, ReadWatcher *watcher);
    void unwatchRead(int fd);

private:
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        ReadWatcher *direct = nullptr; //!< watchRead(), in place of a read notifier
        bool inEpoll = false;
    };
    struct Timer
    {
        qint64 interval = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 deadline = 0;
        quint64 generation = 0;
    };
    struct HeapEntry
    {
        qint64 deadline;
        int timerId;
        quint64 generation;
        bool operator>(const HeapEntry &other) const { return deadline > other.deadline; }
    };

    void updateInterest(int fd);
    int nextTimeout() const;
    bool activateTimers();
    bool activateSockets(const std::vector<std::pair<int, quint32>> &ready);
    void schedule(int timerId, Timer &timer, qint64 deadline);

    BatchSender *m_socketBatch = nullptr;
    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<bool> m_interrupted{false};
    QHash<int, Watch> m_watches;
    QHash<int, Timer> m_timers;
    mutable std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> m_heap;
    quint64 m_generation = 0;
};

} // namespace chatter::server
