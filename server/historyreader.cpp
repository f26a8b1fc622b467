// SPDX-License-Identifier: MIT
#include "historyreader.h"

#include "logging.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace chatter::server {

HistoryReader::HistoryReader(QString path)
    : m_path(std::move(path)),
      m_connectionName(QStringLiteral("chatter-read-%1").arg(quintptr(this)))
{}

HistoryReader::~HistoryReader()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool HistoryReader::ensureOpen()
{
    if (QSqlDatabase::contains(m_connectionName))
        return QSqlDatabase::database(m_connectionName).isOpen();
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        qCCritical(lcChannel).noquote()
            << "cannot open history for reading:" << db.lastError().text();
        return false;
    }
    return true;
}

HistoryPage HistoryReader::query(const QString &sql, const QString &room, qint64 id, int limit,
                                 bool newestFirst)
{
    HistoryPage page;
    if (!ensureOpen())
        return page;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    q.setForwardOnly(true);
    q.prepare(sql);
    q.addBindValue(room);
    if (id >= 0)
        q.addBindValue(id);
    q.addBindValue(limit + 1); // one extra row tells whether there is more
    if (!q.exec()) {
        qCWarning(lcChannel).noquote() << "history query failed:" << q.lastError().text();
        return page;
    }
    while (q.next()) {
        page.messages.append(StoredMessage{q.value(0).toLongLong(), room, q.value(1).toString(),
                                           q.value(2).toString(), q.value(3).toString()});
    }
    if (page.messages.size() > limit) {
        page.more = true;
        page.messages.removeLast();
    }
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    return page;
}

HistoryPage HistoryReader::recent(const QString &room, int limit)
{
    return query(
        QStringLiteral(
            "SELECT id, user, body, at FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?"),
        room, -1, limit, true);
}

HistoryPage HistoryReader::after(const QString &room, qint64 lastSeenId, int limit)
{
    return query(QStringLiteral("SELECT id, user, body, at FROM messages WHERE room = ? AND id > ? "
                                "ORDER BY id ASC LIMIT ?"),
                 room, lastSeenId, limit, false);
}

HistoryPage HistoryReader::before(const QString &room, qint64 beforeId, int limit)
{
    return query(QStringLiteral("SELECT id, user, body, at FROM messages WHERE room = ? AND id < ? "
                                "ORDER BY id DESC LIMIT ?"),
                 room, beforeId, limit, true);
}

QList<HistoryReader::RoomRow> HistoryReader::rooms()
{
    QList<RoomRow> rows;
    if (!ensureOpen())
        return rows;
    QSqlQuery q(QSqlDatabase::database(m_connectionName));
    if (!q.exec(QStringLiteral(
            "SELECT name, last_message_id, last_activity_at, message_count FROM rooms")))
        return rows;
    while (q.next())
        rows.append({q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toString(),
                     q.value(3).toLongLong()});
    return rows;
}

} // namespace chatter::server
