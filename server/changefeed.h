// SPDX-License-Identifier: MIT
#pragma once

#include "changeset.h"
#include "sqldialect.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSqlDriver>
#include <QTimer>

namespace chatter::server {

//! Listens for `chatter_changed` on a PostgreSQL connection of its own and hands what other
//! writers (another node, the command line) changed to the engine as ChangeSets
//! (docs/cluster.md, "What nodes keep in memory, and how it stays true").
//!
//! Its own connection, not the store's: a connection that only listens is idle, so QPSQL's
//! socket notifier sees every notification as it comes, while the store's is busy with
//! commits. The node's own writes come back too (another backend, as PostgreSQL sees it); the
//! engine applies changes so that doing one twice changes nothing.
//!
//! Notifications are gathered for `gatherMs` and handed over together: a registration is
//! three (accounts, account_keys, sessions), a ban storm many. The connection is probed every
//! `probeMs`; a dead one is opened again (100 ms doubling to 2 s) and, since notifications sent
//! meanwhile are lost to it, the next set asks for everything to be read again.
//!
//! Lives on the store thread (its event loop runs the notifier and the timers).
class ChangeFeed : public QObject
{
    Q_OBJECT
public:
    static constexpr auto Channel = "chatter_changed";

    ChangeFeed(SqlDialect dialect, QString connectionName, int gatherMs = 20, int probeMs = 1000,
               QObject *parent = nullptr);
    ~ChangeFeed() override;

    //! Opens the connection and LISTENs; on failure it keeps trying in the background.
    Expected<void> start();
    bool listening() const { return m_listening; }

Q_SIGNALS:
    void changed(const ChangeSet &changes);

private:
    Expected<void> listen();
    void close();
    void onNotification(const QString &name, QSqlDriver::NotificationSource source,
                        const QVariant &payload);
    void deliver();
    void probe();

    const SqlDialect m_dialect;
    const QString m_connectionName;
    const int m_gatherMs;
    bool m_listening = false;
    ChangeSet m_pending;
    QTimer m_gather;
    QTimer m_probe;
    QElapsedTimer m_sinceAttempt;
    qint64 m_backoffMs = 0;
};

} // namespace chatter::server
