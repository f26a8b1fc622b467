// SPDX-License-Identifier: MIT
#include "metricscollector.h"

#include "clusterbus.h"
#include "connectionlimiter.h"
#include "engine.h"
#include "mailbox.h"
#include "messagestore.h"
#include "refusalcounts.h"
#include "roomdirectory.h"
#include "worker.h"

#include <QPointer>

#include <memory>
#include <mutex>

namespace chatter::server {
namespace {

struct Gathering
{
    std::mutex mutex;
    MetricsSample sample; //!< under `mutex` once the workers have it
    int remaining = 0;
    QPointer<Mailbox> replyTo;
    std::function<void(const MetricsSample &)> done;
};

void finish(const std::shared_ptr<Gathering> &gathering)
{
    if (Mailbox *replyTo = gathering->replyTo.data()) {
        replyTo->post([gathering] {
            // Read last, on the answering thread: the descriptors a scrape itself holds are
            // the same either way.
            gathering->sample.process = ProcessStats::read();
            gathering->done(gathering->sample);
        });
    }
}

void addWorkerPart(MetricsSample &into, const MetricsSample &part)
{
    into.webSocketConnections += part.webSocketConnections;
    into.longPollConnections += part.longPollConnections;
    into.joins += part.joins;
    into.rateLimited += part.rateLimited;
    into.messagesIn += part.messagesIn;
    into.messagesOut += part.messagesOut;
    into.bytesIn += part.bytesIn;
    into.bytesOut += part.bytesOut;
    into.workersAnswered += part.workersAnswered;
}

} // namespace

void collectMetrics(Engine &engine, Mailbox *replyTo,
                    std::function<void(const MetricsSample &sample)> done)
{
    auto gathering = std::make_shared<Gathering>();
    gathering->replyTo = replyTo;
    gathering->done = std::move(done);
    // What any thread may read, filled before a worker sees the gathering.
    MetricsSample &s = gathering->sample;
    ConnectionLimiter &limits = engine.limits();
    s.longPollSessions = limits.count(ConnectionLimiter::Kind::LongPollSession);
    s.refused.append({"total_limit", limits.refusedAtTotal()});
    s.refused.append({"address_limit", limits.refusedAtAddress()});
    for (int reason = 0; reason < int(RefusalReason::Count); ++reason) {
        const auto r = RefusalReason(reason);
        s.refused.append({RefusalCounts::label(r), engine.refusals().count(r)});
    }
    s.rooms = engine.directory().rooms().size();
    s.engineMailbox = engine.mailbox().pending();
    MessageStore &store = engine.store();
    s.storeQueue = store.queuedRequests();
    s.storeMailbox = store.mailbox().pending();
    s.storedMessages = store.committedMessages();
    s.commits = store.committedBatches();
    s.failedCommits = store.failedBatches();
    s.commitLatency = store.commitLatency().snapshot();
    s.clustered = !engine.config().redis.isEmpty();
    if (const ClusterBus *bus = engine.clusterBus())
        s.redisHealthy = bus->healthy();

    const int workers = engine.isStopping() ? 0 : engine.workerCount();
    for (int i = 0; i < workers; ++i)
        s.workerMailboxes.append(engine.worker(i)->mailbox().pending());
    gathering->remaining = workers;
    if (workers == 0) {
        finish(gathering);
        return;
    }
    for (int i = 0; i < workers; ++i) {
        Worker *worker = engine.worker(i);
        worker->mailbox().post([gathering, worker] {
            MetricsSample part;
            worker->addMetrics(&part);
            bool last = false;
            {
                std::scoped_lock locker(gathering->mutex);
                addWorkerPart(gathering->sample, part);
                last = --gathering->remaining == 0;
            }
            if (last)
                finish(gathering);
        });
    }
}

} // namespace chatter::server
