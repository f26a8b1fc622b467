// SPDX-License-Identifier: MIT
#include "healthcheck.h"

#include "clusterbus.h"
#include "engine.h"
#include "mailbox.h"
#include "messagestore.h"
#include "storelocation.h"

#include <QJsonArray>
#include <QTimer>

#include <memory>

namespace chatter::server {
namespace {

//! What the store's check and its time-out share; touched on the replying thread only.
struct Pending
{
    bool answered = false;
    std::function<void(const HealthReport &)> done;
};

HealthReport report(Engine &engine, const Expected<void> &probed)
{
    MessageStore &store = engine.store();
    const bool committing = store.lastBatchCommitted();
    QStringList problems;
    QJsonObject storeState{{QStringLiteral("backend"), engine.storeLocation().isPostgres()
                                                           ? QStringLiteral("postgresql")
                                                           : QStringLiteral("sqlite")},
                           {QStringLiteral("last_commit"),
                            committing ? QStringLiteral("ok") : QStringLiteral("failed")},
                           {QStringLiteral("commits"), double(store.committedBatches())},
                           {QStringLiteral("failed_commits"), double(store.failedBatches())}};
    if (!probed) {
        storeState.insert(QStringLiteral("error"), probed.error());
        problems.append(QStringLiteral("store unavailable"));
    } else if (!committing) {
        storeState.insert(QStringLiteral("error"), QStringLiteral("the last commit failed"));
        problems.append(QStringLiteral("store not committing"));
    }
    storeState.insert(QStringLiteral("ready"), probed.has_value() && committing);

    HealthReport result;
    result.body.insert(QStringLiteral("store"), storeState);
    if (!engine.config().redis.isEmpty()) {
        // A node cut off from Redis still serves its own clients, but new ones belong on nodes
        // that reach the rest of the cluster (docs/cluster.md, "Failures").
        const ClusterBus *bus = engine.clusterBus();
        const bool reachable = bus && bus->healthy();
        result.body.insert(
            QStringLiteral("cluster"),
            QJsonObject{{QStringLiteral("ready"), reachable},
                        {QStringLiteral("redis"),
                         reachable ? QStringLiteral("reachable") : QStringLiteral("unreachable")}});
        if (!reachable)
            problems.append(QStringLiteral("redis unreachable"));
    }
    result.ready = problems.isEmpty();
    // `status` as before the store was checked: "ok", else what is wrong ("redis
    // unreachable" alone when only the cluster is).
    result.body.insert(QStringLiteral("status"),
                       result.ready ? QStringLiteral("ok") : problems.join(QStringLiteral("; ")));
    return result;
}

} // namespace

void checkHealth(Engine &engine, Mailbox *replyTo, std::function<void(const HealthReport &)> done,
                 int timeoutMs)
{
    auto pending = std::make_shared<Pending>();
    pending->done = std::move(done);
    Engine *e = &engine;
    engine.store().probe(replyTo, [e, pending](const Expected<void> &outcome) {
        if (!std::exchange(pending->answered, true))
            pending->done(report(*e, outcome));
    });
    QTimer::singleShot(timeoutMs, replyTo, [e, pending, timeoutMs] {
        if (!std::exchange(pending->answered, true))
            pending->done(report(
                *e,
                failure(QStringLiteral("the store did not answer within %1 ms").arg(timeoutMs))));
    });
}

} // namespace chatter::server
