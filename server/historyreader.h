// SPDX-License-Identifier: MIT
#pragma once

#include "storedmessage.h"

#include <QString>

namespace chatter::server {

//! Read access to the history for one thread (each worker has its own SQLite connection; WAL
//! lets them read while the store writes). Reads see every committed message.
class HistoryReader
{
public:
    explicit HistoryReader(QString path);
    ~HistoryReader();
    HistoryReader(const HistoryReader &) = delete;
    HistoryReader &operator=(const HistoryReader &) = delete;

    //! The newest `limit` messages of a room.
    HistoryPage recent(const QString &room, int limit);
    //! Messages after `lastSeenId`, oldest first; `more` when over `limit`.
    HistoryPage after(const QString &room, qint64 lastSeenId, int limit);
    //! Messages before `beforeId`, for scrolling back.
    HistoryPage before(const QString &room, qint64 beforeId, int limit);

    struct RoomRow
    {
        QString name;
        qint64 lastMessageId = 0;
        QString lastActivityAt;
        qint64 messageCount = 0;
    };
    QList<RoomRow> rooms();

private:
    HistoryPage query(const QString &sql, const QString &room, qint64 id, int limit,
                      bool newestFirst);
    bool ensureOpen();

    QString m_path;
    QString m_connectionName;
};

} // namespace chatter::server
