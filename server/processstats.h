// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace chatter::server {

//! What Prometheus' standard `process_*` metrics report, read from /proc/self (Linux). A
//! value that cannot be read is -1 and is left out of /metrics.
struct ProcessStats
{
    qint64 residentBytes = -1;
    qint64 virtualBytes = -1;
    qint64 openDescriptors = -1;
    qint64 maxDescriptors = -1;
    double cpuSeconds = -1;
    double startTimeSeconds = -1; //!< since the Unix epoch

    //! Reads them now (a few small /proc files and the descriptor directory): any thread.
    static ProcessStats read();
};

} // namespace chatter::server
