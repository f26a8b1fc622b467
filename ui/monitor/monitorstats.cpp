// SPDX-License-Identifier: MIT
#include "monitorstats.h"

#include <QTimer>

#include <cstdio>

namespace chatter::monitor {

namespace {
constexpr int TickMs = 50;
}

MonitorStats::MonitorStats(QObject *parent) : QObject(parent)
{
    m_tick = new QTimer(this);
    m_tick->setTimerType(Qt::PreciseTimer);
    m_tick->setInterval(TickMs);
    connect(m_tick, &QTimer::timeout, this, &MonitorStats::tick);
    m_report = new QTimer(this);
    m_report->setInterval(1000);
    connect(m_report, &QTimer::timeout, this, &MonitorStats::report);
    m_sinceTick.start();
    m_tick->start();
    m_report->start();
}

void MonitorStats::noteUpdate(qint64 nanoseconds, qsizetype sockets, qsizetype rooms)
{
    m_updateMaxNs = std::max(m_updateMaxNs, nanoseconds);
    m_updateTotalNs += nanoseconds;
    ++m_updates;
    m_sockets = sockets;
    m_rooms = rooms;
}

void MonitorStats::tick()
{
    // How much later than scheduled this tick ran: the time the event loop was busy elsewhere.
    const qint64 late = m_sinceTick.nsecsElapsed() - qint64(TickMs) * 1'000'000;
    m_sinceTick.restart();
    m_maxLateNs = std::max(m_maxLateNs, late);
}

void MonitorStats::report()
{
    std::fprintf(stderr,
                 "monitor-stats sockets=%lld rooms=%lld tick_max_ms=%.1f update_max_ms=%.1f "
                 "update_avg_ms=%.1f updates=%d\n",
                 qlonglong(m_sockets), qlonglong(m_rooms), double(m_maxLateNs) / 1e6,
                 double(m_updateMaxNs) / 1e6,
                 m_updates ? double(m_updateTotalNs) / 1e6 / m_updates : 0.0, m_updates);
    std::fflush(stderr);
    m_maxLateNs = 0;
    m_updateMaxNs = 0;
    m_updateTotalNs = 0;
    m_updates = 0;
}

} // namespace chatter::monitor
