// SPDX-License-Identifier: MIT
#include "processstats.h"

#include <QByteArray>
#include <QFile>
#include <QList>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

namespace chatter::server {
namespace {

QByteArray readProcFile(const char *path)
{
    QFile file(QString::fromLatin1(path));
    // /proc files report a size of 0: read until the end, not by size.
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return file.readAll();
}

qint64 countDescriptors()
{
    // opendir keeps one descriptor of its own open while counting; it is not counted.
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir)
        return -1;
    qint64 count = 0;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] != '.')
            ++count;
    }
    ::closedir(dir);
    return count - 1;
}

//! The system's boot time (seconds since the epoch), the zero of /proc/self/stat's start time.
qint64 bootTime()
{
    for (const QByteArray &line : readProcFile("/proc/stat").split('\n')) {
        if (line.startsWith("btime "))
            return line.mid(6).trimmed().toLongLong();
    }
    return -1;
}

} // namespace

ProcessStats ProcessStats::read()
{
    ProcessStats stats;
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    const QList<QByteArray> statm = readProcFile("/proc/self/statm").split(' ');
    if (statm.size() >= 2 && pageSize > 0) {
        stats.virtualBytes = statm[0].toLongLong() * pageSize;
        stats.residentBytes = statm[1].toLongLong() * pageSize;
    }
    stats.openDescriptors = countDescriptors();
    if (rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
        stats.maxDescriptors = qint64(limit.rlim_cur);
    // The command name (field 2) may hold spaces and parentheses: fields are counted after
    // its closing parenthesis, where field 3 (state) begins.
    const QByteArray stat = readProcFile("/proc/self/stat");
    const qsizetype close = stat.lastIndexOf(')');
    if (close > 0 && ticks > 0) {
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        // Fields 14 and 15 (utime, stime) and 22 (starttime), counted from field 3.
        if (fields.size() > 19) {
            stats.cpuSeconds =
                double(fields[11].toLongLong() + fields[12].toLongLong()) / double(ticks);
            if (const qint64 boot = bootTime(); boot > 0)
                stats.startTimeSeconds =
                    double(boot) + double(fields[19].toLongLong()) / double(ticks);
        }
    }
    return stats;
}

} // namespace chatter::server
