// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "sqldialect.h"
#include "storedmessage.h"

#include <QElapsedTimer>
#include <QSqlQuery>
#include <QString>

#include <optional>
#include <unordered_map>

class QSqlQuery;
class QSqlDatabase;

namespace chatter::server {

class FileUrlSigner;
class RoomHeads;

//! Read access to the history for one thread (each worker has its own connection: SQLite's WAL
//! lets them read while the store writes; on PostgreSQL a read-only session). Reads see every
//! committed message.
class HistoryReader
{
public:
    //! `signer` signs the URLs of attachments (none without one: unit tests). With `heads`
    //! (the store's), reads that would find nothing newer than a conversation's head are
    //! answered without the database, and the change sequence comes from there.
    explicit HistoryReader(StoreLocation location, const FileUrlSigner *signer = nullptr,
                           const RoomHeads *heads = nullptr);
    ~HistoryReader();
    HistoryReader(const HistoryReader &) = delete;
    HistoryReader &operator=(const HistoryReader &) = delete;
    //! This reader's connection (QSqlDatabase::database(name)), on its thread: FileChunks
    //! reads a file's chunks on it while the file is served.
    const QString &connectionName() const { return m_connectionName; }
    //! The connection, opened (again) if need be; nullopt while the database cannot be reached.
    std::optional<QSqlDatabase> connection();

    //! Rooms here are conversation keys (topics.h): a room's name or a DM's `dm:<a>:<b>`.
    //! Pages carry each message's quote and reactions (one query each per page, not per
    //! message); deleted messages are `{id, deleted}` entries.
    //!
    //! The newest `limit` messages of a room.
    HistoryPage recent(const QString &room, int limit);
    //! Messages after `lastSeenId`, oldest first; `more` when over `limit`.
    HistoryPage after(const QString &room, qint64 lastSeenId, int limit);
    //! Messages before `beforeId`, for scrolling back.
    HistoryPage before(const QString &room, qint64 beforeId, int limit);

    //! One message by id, whatever its conversation (the caller compares `room`); with
    //! `author` and `deleted`, without quote and reactions. Empty when there is none.
    std::optional<StoredMessage> message(qint64 id);
    //! The newest change sequence value of a conversation; 0 if none. (With heads: the newest
    //! ever committed, also when retention has removed its row since.)
    qint64 changeSeq(const QString &room);
    //! The current objects of a conversation's messages with id <= `lastSeenId` changed after
    //! `afterSeq`, oldest change first; `more` when over `limit`.
    HistoryPage changes(const QString &room, qint64 lastSeenId, qint64 afterSeq, int limit);

    //! Rooms of the directory (DMs are not listed).
    struct RoomRow
    {
        QString name;
        qint64 lastMessageId = 0;
        QString lastActivityAt;
        qint64 messageCount = 0;
    };
    QList<RoomRow> rooms();

    // Conversations (docs/conversations.md).
    //! The row of one room or DM key, if it has had a message.
    std::optional<RoomRow> room(const QString &name);
    //! Every DM (key `dm:<a>:<b>`) with a message that names `folded` as one side.
    QList<RoomRow> directRooms(const QString &folded);
    //! Messages of `room` after `afterId` not written by `exceptUser`, at most `cap`.
    int countAfter(const QString &room, qint64 afterId, const QString &exceptUser, int cap);
    static int countAfter(QSqlDatabase &db, const QString &room, qint64 afterId,
                          const QString &exceptUser, int cap);

    // Files (docs/files-and-search.md).
    //! One upload's row (files that are not removed).
    struct FileRow
    {
        QString id;
        QByteArray sha256; //!< hex
        QString name;
        QString type;
        qint64 size = 0;
        int width = 0;
        int height = 0;
        QByteArray thumbType; //!< empty: no thumbnail
        int thumbWidth = 0;
        int thumbHeight = 0;
        QString uploader;
    };
    std::optional<FileRow> file(const QString &id);
    //! The uploads `ids`, in that order, each uploaded by `uploader` (an author key) and still
    //! there; else "no such file".
    Expected<QList<Attachment>> uploads(const QStringList &ids, const QString &uploader);
    //! An attachment with URLs signed now (none without a signer).
    static Attachment attachmentOf(const FileRow &row, const FileUrlSigner *signer);
    //! Bytes `uploader` uploaded at or after `since` (ISO-8601 UTC with ms), and the time of
    //! the oldest of those uploads (when the quota frees up again).
    struct UploadUse
    {
        qint64 bytes = 0;
        QString oldest;
    };
    UploadUse uploadedSince(const QString &uploader, const QString &since);
    static UploadUse uploadedSince(QSqlDatabase &db, const QString &uploader, const QString &since);

private:
    //! Adds each message's attachments (one range query per page, like reactions).
    void attachFiles(QList<StoredMessage> &messages);
    HistoryPage query(const QString &sql, const QString &room, qint64 id, int limit,
                      bool newestFirst);
    //! Reads the rows of a query over MessageColumns into `page` and adds their reactions.
    void readPage(QSqlQuery &q, const QString &room, HistoryPage &page);
    void attachReactions(QList<StoredMessage> &messages);
    bool ensureOpen();
    //! exec(), noting a failure: the next ensureOpen() then checks the connection.
    bool run(QSqlQuery &q);
    //! `sql` prepared on this reader's connection, once: a join reads four or five statements,
    //! and preparing each again cost more than running it (SQLite parses it, Qt sets it up).
    //! Callers bind every placeholder and exec; a StatementReset ends the read.
    QSqlQuery &statement(const QString &sql);
    static int countAfter(QSqlQuery &q, const QString &room, qint64 afterId,
                          const QString &exceptUser, int cap);

    SqlDialect m_dialect;
    QString m_connectionName;
    const FileUrlSigner *m_signer = nullptr;
    const RoomHeads *m_heads = nullptr;
    bool m_open = false;
    bool m_readFailed = false;
    QElapsedTimer m_failedAt; //!< since the last failed open
    static constexpr qint64 RetryMs = 1000;
    //! By SQL text; destroyed before the connection is removed.
    std::unordered_map<QString, QSqlQuery> m_statements;
    QSqlQuery m_unprepared; //!< a statement that did not prepare, for one failing exec()
};

} // namespace chatter::server
