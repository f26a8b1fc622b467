// SPDX-License-Identifier: MIT
#include "changefeed.h"

#include "logging.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace chatter::server {

ChangeFeed::ChangeFeed(SqlDialect dialect, QString connectionName, int gatherMs, int probeMs,
                       QObject *parent)
    : QObject(parent), m_dialect(std::move(dialect)), m_connectionName(std::move(connectionName)),
      m_gatherMs(gatherMs)
{
    m_gather.setSingleShot(true);
    connect(&m_gather, &QTimer::timeout, this, &ChangeFeed::deliver);
    m_probe.setInterval(probeMs);
    connect(&m_probe, &QTimer::timeout, this, &ChangeFeed::probe);
}

ChangeFeed::~ChangeFeed()
{
    close();
}

Expected<void> ChangeFeed::start()
{
    m_probe.start();
    return listen();
}

Expected<void> ChangeFeed::listen()
{
    m_sinceAttempt.start();
    QString error;
    {
        auto opened = m_dialect.open(m_connectionName, SqlDialect::Role::Listener);
        if (!opened) {
            error = opened.error();
        } else if (QSqlDriver *driver = opened->driver();
                   !driver->subscribeToNotification(QLatin1String(Channel))) {
            error = driver->lastError().text();
        } else {
            connect(driver, &QSqlDriver::notification, this, &ChangeFeed::onNotification);
            m_listening = true;
            return {};
        }
    }
    close();
    return failure(error);
}

void ChangeFeed::close()
{
    m_listening = false;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

void ChangeFeed::onNotification(const QString &name, QSqlDriver::NotificationSource,
                                const QVariant &payload)
{
    if (name != QLatin1String(Channel))
        return;
    const QString text = payload.toString();
    if (!m_pending.add(text)) {
        // A trigger this node does not know (a newer schema): read everything, to be safe.
        qCWarning(lcIdentity).noquote() << "change feed: unknown change" << text;
        m_pending.everything = true;
    }
    if (!m_gather.isActive())
        m_gather.start(m_gatherMs);
}

void ChangeFeed::deliver()
{
    if (m_pending.isEmpty())
        return;
    const ChangeSet changes = std::exchange(m_pending, ChangeSet());
    Q_EMIT changed(changes);
}

void ChangeFeed::probe()
{
    if (m_listening) {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        QSqlQuery query(db);
        // QPSQL hands notifications that arrived with the answer on (a queued check).
        if (query.exec(QStringLiteral("SELECT 1")))
            return;
        qCWarning(lcIdentity).noquote()
            << "change feed: PostgreSQL connection lost:" << query.lastError().text();
        query = QSqlQuery();
        close();
        m_backoffMs = 0;
    }
    if (m_sinceAttempt.isValid() && m_sinceAttempt.elapsed() < m_backoffMs)
        return;
    if (const auto listening = listen(); !listening) {
        m_backoffMs = std::clamp(m_backoffMs * 2, qint64(100), qint64(2000));
        qCWarning(lcIdentity).noquote() << "change feed: cannot listen:" << listening.error();
        return;
    }
    m_backoffMs = 0;
    qCInfo(lcIdentity).noquote() << "change feed: listening again; reading everything";
    // What changed while nobody listened is not known: all of it is read again.
    m_pending.everything = true;
    deliver();
}

} // namespace chatter::server
