// SPDX-License-Identifier: MIT
#pragma once

#include <mutex>
#include <QDateTime>
#include <QList>
#include <QString>

#include <deque>

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
class EventLog
{
public:
    explicit EventLog(int capacity = 5000) : m_capacity(capacity) {}

    void record(EngineEvent event);
    //! Everything recorded since the last call, oldest first; `dropped` counts what overflowed.
    QList<EngineEvent> take(qint64 *dropped = nullptr);

private:
    std::mutex m_mutex;
    std::deque<EngineEvent> m_events;
    qint64 m_dropped = 0;
    int m_capacity;
};

} // namespace chatter::server
