// SPDX-License-Identifier: MIT
#include "prometheustext.h"

#include <QCoreApplication>

namespace chatter::server::prometheustext {
namespace {

//! Writes metric families: a family's HELP and TYPE, then its samples.
class Writer
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += help;
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }
    void sample(const char *name, qint64 value, const QByteArray &labels = {})
    {
        line(name, labels, QByteArray::number(value));
    }
    void sample(const char *name, double value, const QByteArray &labels = {})
    {
        line(name, labels, QByteArray::number(value, 'f', 6));
    }
    //! One family of one sample.
    void single(const char *name, const char *type, const char *help, qint64 value)
    {
        family(name, type, help);
        sample(name, value);
    }
    QByteArray take() { return std::move(m_out); }

private:
    void line(const char *name, const QByteArray &labels, const QByteArray &value)
    {
        m_out += name;
        if (!labels.isEmpty())
            m_out += '{' + labels + '}';
        m_out += ' ';
        m_out += value;
        m_out += '\n';
    }
    QByteArray m_out;
};

//! A label value: the format escapes backslash, double quote and line feed.
QByteArray label(const char *name, const QByteArray &value)
{
    QByteArray escaped = value;
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return QByteArray(name) + "=\"" + escaped + '"';
}

void writeHistogram(Writer &w, const char *name, const char *help,
                    const LatencyHistogram::Snapshot &h)
{
    w.family(name, "histogram", help);
    const QByteArray bucket = QByteArray(name) + "_bucket";
    for (size_t i = 0; i < LatencyHistogram::Bounds.size(); ++i) {
        w.sample(bucket.constData(), h.cumulative.value(qsizetype(i)),
                 label("le", QByteArray::number(LatencyHistogram::Bounds[i], 'g', 6)));
    }
    w.sample(bucket.constData(), h.count, label("le", "+Inf"));
    w.sample((QByteArray(name) + "_sum").constData(), h.sumSeconds);
    w.sample((QByteArray(name) + "_count").constData(), h.count);
}

void writeProcess(Writer &w, const ProcessStats &p)
{
    if (p.cpuSeconds >= 0) {
        w.family("process_cpu_seconds_total", "counter",
                 "Total user and system CPU time spent in seconds.");
        w.sample("process_cpu_seconds_total", p.cpuSeconds);
    }
    if (p.residentBytes >= 0)
        w.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                 p.residentBytes);
    if (p.virtualBytes >= 0)
        w.single("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                 p.virtualBytes);
    if (p.openDescriptors >= 0)
        w.single("process_open_fds", "gauge", "Number of open file descriptors.",
                 p.openDescriptors);
    if (p.maxDescriptors >= 0)
        w.single("process_max_fds", "gauge", "Maximum number of open file descriptors.",
                 p.maxDescriptors);
    if (p.startTimeSeconds >= 0) {
        w.family("process_start_time_seconds", "gauge",
                 "Start time of the process since unix epoch in seconds.");
        w.sample("process_start_time_seconds", p.startTimeSeconds);
    }
}

} // namespace

QByteArray format(const MetricsSample &s)
{
    Writer w;
    w.family("chatter_info", "gauge", "The Chatter server's version (always 1).");
    w.sample("chatter_info", qint64(1),
             label("version", QCoreApplication::applicationVersion().toUtf8()));
    w.family("chatter_connections", "gauge", "Open client connections by transport.");
    w.sample("chatter_connections", s.webSocketConnections, label("transport", "websocket"));
    w.sample("chatter_connections", s.longPollConnections, label("transport", "longpoll"));
    w.single("chatter_longpoll_sessions", "gauge",
             "Long-poll sessions held (counted under --max-connections like connections).",
             s.longPollSessions);
    w.single("chatter_joins_total", "counter", "Channel joins accepted.", s.joins);
    w.single("chatter_messages_received_total", "counter",
             "Phoenix messages received from clients (heartbeats included).", s.messagesIn);
    w.single("chatter_messages_sent_total", "counter",
             "Phoenix messages sent to clients (replies, pushes and broadcasts).", s.messagesOut);
    w.single("chatter_received_bytes_total", "counter",
             "Bytes of Phoenix messages received from clients.", s.bytesIn);
    w.single("chatter_sent_bytes_total", "counter", "Bytes of Phoenix messages sent to clients.",
             s.bytesOut);
    w.single("chatter_messages_rate_limited_total", "counter",
             "Messages answered \"rate limited\" instead of handled (--max-messages-per-second).",
             s.rateLimited);
    w.family("chatter_refused_connections_total", "counter",
             "Connections, upgrades and long-poll sessions refused, by reason.");
    for (const auto &[reason, count] : s.refused)
        w.sample("chatter_refused_connections_total", count, label("reason", reason));
    w.single("chatter_rooms", "gauge", "Rooms that exist (members or stored messages).", s.rooms);

    writeHistogram(w, "chatter_store_commit_duration_seconds",
                   "Time from a batch's BEGIN to its COMMIT on the store thread.", s.commitLatency);
    w.single("chatter_store_commits_total", "counter", "Batches committed by the store.",
             s.commits);
    w.single("chatter_store_commit_failures_total", "counter",
             "Batches whose transaction failed and was rolled back.", s.failedCommits);
    w.single("chatter_store_messages_total", "counter", "Messages and changes committed.",
             s.storedMessages);
    w.single("chatter_store_pending_writes", "gauge",
             "Appends and changes waiting for the store's next commit.", s.storeQueue);
    w.family("chatter_mailbox_pending_jobs", "gauge",
             "Jobs waiting in a thread's mailbox (its queue of work from other threads).");
    w.sample("chatter_mailbox_pending_jobs", s.engineMailbox, label("thread", "main"));
    w.sample("chatter_mailbox_pending_jobs", s.storeMailbox, label("thread", "store"));
    for (qsizetype i = 0; i < s.workerMailboxes.size(); ++i) {
        w.sample("chatter_mailbox_pending_jobs", s.workerMailboxes[i],
                 label("thread", "worker-" + QByteArray::number(i)));
    }
    if (s.clustered)
        w.single("chatter_cluster_redis_up", "gauge",
                 "1 while this node reaches Redis (0 once it has been cut off for 2 s).",
                 s.redisHealthy ? 1 : 0);
    writeProcess(w, s.process);
    return w.take();
}

} // namespace chatter::server::prometheustext
