// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "latencyhistogram.h"
#include "mailbox.h"
#include "roomheads.h"
#include "sqldialect.h"
#include "storedmessage.h"
#include "storelocation.h"

#include <mutex>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

namespace chatter::server {

class FileContentStore;

//! The durable chat history, written by one thread: a SQLite file, or a PostgreSQL database
//! that several nodes may write (docs/cluster.md; SqlDialect holds what differs).
//!
//! Appends from every worker are grouped: whatever arrived while the previous transaction was
//! committing goes into the next one, so a burst costs one commit (and one fsync) instead of
//! one per message. Each append's callback runs on the caller's thread only after its
//! transaction committed, which is what lets the server acknowledge a message as durable.
//! On PostgreSQL each batch first locks its rooms' rows in sorted order, so a room's ids
//! increase in commit order whichever node commits (docs/cluster.md, "Message ids").
class MessageStore : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        StoreLocation location;
        bool fullSync = true;  //!< SQLite: fsync at every commit (survives power loss, not just
                               //!< crashes); PostgreSQL: always synchronous_commit = on
        int retainPerRoom = 0; //!< keep at most this many messages per room; 0: no limit
        int retainDays = 0;    //!< drop messages older than this; 0: keep for ever
        int pruneIntervalMs = 60'000;
        //! Uploaded files (docs/files-and-search.md): where their content lies (FileContent
        //! on disk, FileChunks in PostgreSQL; null: no files),
        //! and how long an upload no message refers to is kept. Empty root: no files.
        std::shared_ptr<const FileContentStore> files{};
        qint64 orphanFileMs = 3'600'000;
    };
    using Done = std::function<void(const StoredMessage &message, bool committed)>;
    using ChangeDone = std::function<void(const ChangeOutcome &outcome)>;

    explicit MessageStore(Options options);
    ~MessageStore() override;

    //! Opens and migrates the database. Call on the store's own thread.
    Expected<void> open();
    //! Thread-safe. `done` runs on `context`'s thread after the commit (or its failure).
    void append(StoredMessage message, Mailbox *context, Done done);
    //! Thread-safe. An edit, deletion or reaction change, in the same grouped commits as
    //! appends (in arrival order with them): its checks that must not race (the message is
    //! still there, the reaction limit) and its write, with the next change sequence value,
    //! happen in one transaction. `done` runs on `context`'s thread after the commit.
    void change(MessageChange change, Mailbox *context, ChangeDone done);
    //! Work for the store's thread.
    Mailbox &mailbox() { return *m_mailbox; }
    //! Thread-safe. Runs `job` on the store thread with its database, between message commits:
    //! the way to the other tables (accounts, sessions, bans, audit; docs/identity.md). A job
    //! whose result someone waits for posts it to their mailbox.
    void run(std::function<void(QSqlDatabase &db)> job);
    //! Thread-safe. Runs `job` on the store thread every `intervalMs`, between commits.
    void every(int intervalMs, std::function<void(QSqlDatabase &db)> job);
    //! Thread-safe. Runs retention now (also runs every pruneIntervalMs).
    void prune();

    const Options &options() const { return m_options; }
    const SqlDialect &dialect() const { return m_dialect; }
    //! The name of the store thread's database connection (QSqlDatabase::database()).
    QString connectionName() const { return m_connectionName; }
    qint64 committedBatches() const { return m_batches.load(); }
    //! Messages stored since the start (any thread).
    qint64 committedMessages() const { return m_messages.load(std::memory_order_relaxed); }
    //! Batches whose transaction failed (rolled back; their senders got an error).
    qint64 failedBatches() const { return m_failedBatches.load(std::memory_order_relaxed); }
    //! False from a failed batch until a batch commits or the connection is opened again.
    bool lastBatchCommitted() const { return m_lastBatchOk.load(std::memory_order_relaxed); }
    //! How long each batch's transaction took, from its start to its COMMIT (any thread).
    const LatencyHistogram &commitLatency() const { return m_commitLatency; }
    //! Appends and changes waiting for the next commit (any thread; takes the incoming lock).
    qsizetype queuedRequests();
    //! Thread-safe. A round trip through the store thread: an empty transaction on the
    //! writer's connection (a lost PostgreSQL connection is opened again, with its backoff).
    //! `done` runs on `context`'s thread with the outcome; nothing runs if it is gone.
    void probe(Mailbox *context, std::function<void(const Expected<void> &outcome)> done);
    //! Each conversation's newest committed message and change, loaded by open() and moved by
    //! every commit before its results go out. Thread-safe.
    const RoomHeads &heads() const { return m_heads; }

private:
    //! A change request and, once written, its outcome.
    struct PendingChange
    {
        MessageChange request;
        ChangeDone done;
        ChangeOutcome outcome;
    };
    //! An append, or a change when `change` is set (appends stay as light as they were).
    struct Pending
    {
        StoredMessage message;
        QPointer<Mailbox> context;
        Done done;
        std::shared_ptr<PendingChange> change{};
    };
    //! One context's results (a worker's), handed over in commit order and run a slice per
    //! event-loop turn: a commit of a thousand messages to a thousand recipients each would
    //! otherwise hold that worker's loop (its reads, heartbeats, other rooms) for seconds.
    struct Results
    {
        QPointer<Mailbox> context;
        struct Result
        {
            Done done;
            StoredMessage message;
            bool committed;
            std::shared_ptr<PendingChange> change{};
        };
        std::mutex mutex;
        std::deque<Result> queue;
        bool draining = false; //!< a drain is posted to the context and will empty the queue
    };
    static void drain(const std::shared_ptr<Results> &results);
    static void postDrain(const std::shared_ptr<Results> &results);
    void scheduleFlush();
    //! Store thread: probe()'s empty transaction.
    Expected<void> probeNow();
    void flush();
    bool writeBatch(QList<Pending> &batch);
    //! The heads as the database has them, once at open().
    Expected<void> loadHeads(QSqlDatabase &db);
    //! The statements every batch uses, prepared on `db` (again after a reconnect).
    Expected<void> prepareStatements(QSqlDatabase &db);
    void dropStatements();
    //! After a failed batch (PostgreSQL): reopens a connection that no longer answers.
    void reconnectIfDown();
    //! Checks and writes one change inside the batch's transaction; false on an SQL error.
    bool writeChange(PendingChange &change);
    bool prepareChangeQueries(QSqlDatabase &db);
    //! The row of each room of a batch, locked (PostgreSQL), created when missing.
    struct LockedRoom
    {
        qint64 lastMessageId = 0;
        qint64 lastChangeSeq = 0;
    };
    bool lockRooms(const QList<Pending> &batch, QHash<QString, LockedRoom> &rooms);
    void pruneNow();
    //! Removes the files no message refers to any more (and uploads never attached, after
    //! the grace period): their rows are marked in a transaction, then content and thumbnails
    //! that no remaining row refers to are deleted.
    void removeUnreferencedFiles(QSqlDatabase &db);
    //! Writes a message's attachment rows in the batch's transaction.
    bool writeAttachments(const StoredMessage &message);

    static constexpr qint64 MinFlushGapMs = 1;

    Options m_options;
    SqlDialect m_dialect;
    std::unique_ptr<QSqlQuery> m_insert;
    //! SQLite: one upsert per room and batch. PostgreSQL: lock (and create) the row first,
    //! update it last.
    std::unique_ptr<QSqlQuery> m_upsertRoom;
    std::unique_ptr<QSqlQuery> m_lockRoom;
    std::unique_ptr<QSqlQuery> m_createRoom;
    std::unique_ptr<QSqlQuery> m_insertFile; //!< prepared on the first message with attachments
    std::unique_ptr<QSqlQuery> m_markAttached;
    //! Prepared on the first change: servers that never see one pay nothing for them.
    struct ChangeQueries;
    std::unique_ptr<ChangeQueries> m_changeQueries;
    QElapsedTimer m_sinceFlush;
    QElapsedTimer m_reconnectTimer; //!< since the last reconnect attempt
    qint64 m_reconnectBackoffMs = 0;
    QString m_connectionName;
    std::mutex m_incomingMutex;
    QList<Pending> m_incoming; //!< appended by workers, committed on the store thread
    bool m_flushArmed = false; //!< a commit is scheduled and will take m_incoming

    QHash<Mailbox *, std::shared_ptr<Results>> m_results; //!< store thread only
    Mailbox *m_mailbox = nullptr;
    QTimer *m_pruneTimer = nullptr;
    std::atomic<qint64> m_batches{0};
    std::atomic<qint64> m_messages{0};
    std::atomic<qint64> m_failedBatches{0};
    std::atomic<bool> m_lastBatchOk{true};
    LatencyHistogram m_commitLatency;
    RoomHeads m_heads;
};

} // namespace chatter::server
