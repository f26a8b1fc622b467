// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QObject>

class QTimer;

namespace chatter::monitor {

//! Measures how responsive the GUI thread is, for benchmarks: a 50 ms timer notes how late
//! each tick fires, and the window reports how long each model update took. Once a second one
//! line goes to stderr:
//!   monitor-stats sockets=N rooms=R tick_max_ms=X update_max_ms=Y update_avg_ms=Z updates=K
class MonitorStats : public QObject
{
    Q_OBJECT
public:
    explicit MonitorStats(QObject *parent = nullptr);

    void noteUpdate(qint64 nanoseconds, qsizetype sockets, qsizetype rooms);

private:
    void tick();
    void report();

    QTimer *m_tick = nullptr;
    QTimer *m_report = nullptr;
    QElapsedTimer m_sinceTick;
    qint64 m_maxLateNs = 0;
    qint64 m_updateMaxNs = 0;
    qint64 m_updateTotalNs = 0;
    int m_updates = 0;
    qsizetype m_sockets = 0;
    qsizetype m_rooms = 0;
};

} // namespace chatter::monitor
