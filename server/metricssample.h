// SPDX-License-Identifier: MIT
#pragma once

#include "latencyhistogram.h"
#include "processstats.h"

#include <QByteArray>
#include <QList>
#include <QPair>

namespace chatter::server {

//! Every number /metrics reports, gathered at one scrape (MetricsCollector): the workers'
//! parts are added on their own threads, the rest is read from counters any thread may read.
struct MetricsSample
{
    // From the workers (the same totals the monitor shows: closed connections included).
    qint64 webSocketConnections = 0;
    qint64 longPollConnections = 0;
    qint64 joins = 0;
    qint64 rateLimited = 0;
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    //! Jobs waiting in each worker's mailbox, by worker index.
    QList<qint64> workerMailboxes;
    //! Workers that answered (all of them, unless the engine is stopping).
    int workersAnswered = 0;

    // The engine's.
    qint64 longPollSessions = 0;
    //! `reason` label → refused connections.
    QList<QPair<QByteArray, qint64>> refused;
    qint64 rooms = 0;
    qint64 engineMailbox = 0;

    // The store's.
    qint64 storeQueue = 0;   //!< appends and changes waiting for the next commit
    qint64 storeMailbox = 0; //!< other store-thread jobs (accounts, bans, probes)
    qint64 storedMessages = 0;
    qint64 commits = 0;
    qint64 failedCommits = 0;
    LatencyHistogram::Snapshot commitLatency;

    // The cluster's (--redis).
    bool clustered = false;
    bool redisHealthy = false;

    ProcessStats process;
};

} // namespace chatter::server
