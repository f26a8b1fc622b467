// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <atomic>
#include <deque>
#include <mutex>

namespace chatter::server {

//! Something that happened to a connection, for the log and the monitor window.
struct EngineEvent
{
    enum class Kind
    {
        Connect,
        Disconnect,
        Join,
        Leave,
        Refused,
        ProtocolError,
        SlowReader,
        Admin
    };
    QDateTime at;
    Kind kind = Kind::Connect;
    quint64 socket = 0;
    QString user;
    QString topic;
    QString text;

    static QString kindName(Kind kind);
};

//! A bounded, thread-safe queue of recent events. Workers append; one reader (the monitor)
//! takes them in batches at its own pace, so events never touch the GUI thread one by one.
//! Nothing is kept until a reader says it reads (`startReading()`): a headless server has no
//! monitor, and its log lines already carry every event, so holding the last `capacity`
//! events there would only cost memory (about 1.5 MB at the default) and the time to build them.
class EventLog
{
public:
    explicit EventLog(int capacity = 5000) : m_capacity(capacity) {}

    //! From now on events are kept for take(). Any thread.
    void startReading() { m_reading.store(true, std::memory_order_relaxed); }
    //! Whether record() keeps anything: callers skip building an event nobody will read.
    bool isRead() const { return m_reading.load(std::memory_order_relaxed); }

    void record(EngineEvent event);
    //! Everything recorded since the last call, oldest first; `dropped` counts what overflowed.
    QList<EngineEvent> take(qint64 *dropped = nullptr);

private:
    std::mutex m_mutex;
    std::deque<EngineEvent> m_events;
    qint64 m_dropped = 0;
    int m_capacity;
    std::atomic_bool m_reading = false;
};

} // namespace chatter::server
