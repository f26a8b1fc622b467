// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QtGlobal>

#include <array>
#include <atomic>

namespace chatter::server {

//! A Prometheus histogram of durations with fixed bounds (seconds). One thread observes (the
//! store thread, for its commits) and any thread reads: relaxed atomics, so a reader may see
//! a count a moment before its sum, which Prometheus tolerates.
class LatencyHistogram
{
public:
    //! Upper bounds in seconds: 100 µs (a SQLite commit without fsync) to 10 s.
    static constexpr std::array<double, 15> Bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                   0.005,  0.01,    0.025,  0.05,  0.1,
                                                   0.25,   0.5,     1.0,    2.5,   10.0};

    void observe(qint64 nanoseconds);

    struct Snapshot
    {
        QList<qint64> cumulative; //!< per bound, observations at or below it
        qint64 count = 0;         //!< all observations (the +Inf bucket)
        double sumSeconds = 0;
    };
    Snapshot snapshot() const;

private:
    std::array<std::atomic<qint64>, Bounds.size() + 1> m_buckets{}; //!< the last one: above all
    std::atomic<qint64> m_sumNs{0};
};

} // namespace chatter::server
