// SPDX-License-Identifier: MIT
#include "sqlitebackup.h"

#include "schema.h"

#include <QFile>

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace chatter::server::sqlitebackup {
namespace {

//! The byte of the shm file every open connection holds a shared lock on (SQLite's
//! os_unix.c: UNIX_SHM_DMS, after the 8 WAL locks that start at byte 120).
constexpr off_t ShmDeadManSwitch = 128;

//! How long the backup rests between steps: the server's commits (and their fsyncs) get the
//! disk in between, so a large copy does not hold up a busy room's replies.
constexpr auto RestBetweenSteps = std::chrono::milliseconds(2);

struct CloseDatabase
{
    void operator()(sqlite3 *db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

QString errorOf(sqlite3 *db)
{
    return QString::fromUtf8(sqlite3_errmsg(db));
}

Expected<Database> open(const QString &file, int flags)
{
    sqlite3 *raw = nullptr;
    const int rc = sqlite3_open_v2(QFile::encodeName(file).constData(), &raw, flags, nullptr);
    Database db(raw);
    if (rc != SQLITE_OK)
        return failure(QStringLiteral("%1: %2").arg(
            file, raw ? errorOf(raw) : QString::fromUtf8(sqlite3_errstr(rc))));
    // The server's own timeout (schema::configure): a checkpoint may hold a lock briefly.
    sqlite3_busy_timeout(db.get(), 5000);
    return db;
}

Expected<void> exec(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const QString text = message ? QString::fromUtf8(message) : errorOf(db);
        sqlite3_free(message);
        return failure(text);
    }
    return {};
}

//! The first column of the first row of `sql`, as text.
Expected<QString> scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK)
        return failure(errorOf(db));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> statement(raw, sqlite3_finalize);
    const int rc = sqlite3_step(raw);
    if (rc != SQLITE_ROW)
        return failure(rc == SQLITE_DONE ? QStringLiteral("no result") : errorOf(db));
    return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(raw, 0)));
}

Expected<Summary> check(sqlite3 *db)
{
    // quick_check: every page and record, without the index cross-checks of integrity_check
    // (which grow with the square of a large history).
    const auto verdict = scalar(db, "PRAGMA quick_check");
    if (!verdict)
        return failure(verdict.error());
    if (*verdict != QLatin1StringView("ok"))
        return failure(QStringLiteral("the copy fails SQLite's quick_check: %1").arg(*verdict));
    Summary summary;
    const auto version = scalar(db, "PRAGMA user_version");
    const auto pages = scalar(db, "PRAGMA page_count");
    const auto pageSize = scalar(db, "PRAGMA page_size");
    if (!version || !pages || !pageSize)
        return failure(errorOf(db));
    summary.schemaVersion = version->toInt();
    summary.pages = pages->toLongLong();
    summary.bytes = summary.pages * pageSize->toLongLong();
    if (summary.schemaVersion < 1)
        return failure(QStringLiteral("not a Chatter database (no schema version)"));
    if (summary.schemaVersion > schema::CurrentVersion)
        return failure(QStringLiteral("schema version %1 is newer than this build's %2")
                           .arg(summary.schemaVersion)
                           .arg(schema::CurrentVersion));
    const auto messages = scalar(db, "SELECT count(*) FROM messages");
    if (!messages)
        return failure(QStringLiteral("not a Chatter database: %1").arg(messages.error()));
    summary.messages = messages->toLongLong();
    return summary;
}

} // namespace

Expected<Summary> copy(const QString &source, const QString &destination, int pagesPerStep)
{
    if (!QFile::exists(source))
        return failure(QStringLiteral("no database at %1").arg(source));
    auto from = open(source, SQLITE_OPEN_READONLY);
    if (!from)
        return failure(from.error());
    QFile::remove(destination);
    auto to = open(destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!to)
        return failure(to.error());
    // One read transaction for the whole copy. Without it each step reads the newest commit,
    // and SQLite restarts the copy from page one whenever the server commits between two steps,
    // which on a busy server is forever. In WAL mode a reader never blocks the writer; the WAL
    // only cannot be checkpointed past this snapshot until the copy ends.
    if (auto begun = exec(from->get(), "BEGIN"); !begun)
        return failure(begun.error());
    if (auto read = scalar(from->get(), "SELECT count(*) FROM sqlite_schema"); !read)
        return failure(QStringLiteral("%1: %2").arg(source, read.error()));

    sqlite3_backup *backup = sqlite3_backup_init(to->get(), "main", from->get(), "main");
    if (!backup)
        return failure(errorOf(to->get()));
    int rc = SQLITE_OK;
    do {
        rc = sqlite3_backup_step(backup, pagesPerStep);
        if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            std::this_thread::sleep_for(RestBetweenSteps);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    (void)exec(from->get(), "COMMIT");
    if (rc != SQLITE_DONE)
        return failure(
            QStringLiteral("copying %1: %2").arg(source, QString::fromUtf8(sqlite3_errstr(rc))));
    // The source's WAL mode comes along with its pages; a backup is one self-contained file
    // (no -wal beside it). The server turns WAL on again when it opens a restored copy.
    if (auto single = exec(to->get(), "PRAGMA journal_mode=DELETE"); !single)
        return failure(single.error());
    return check(to->get());
}

Expected<Summary> verify(const QString &file)
{
    if (!QFile::exists(file))
        return failure(QStringLiteral("no database at %1").arg(file));
    auto db = open(file, SQLITE_OPEN_READONLY);
    if (!db)
        return failure(db.error());
    return check(db->get());
}

Expected<bool> inUse(const QString &file)
{
    const QByteArray shm = QFile::encodeName(file + QStringLiteral("-shm"));
    const int fd = ::open(shm.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT
                   ? Expected<bool>(false)
                   : failure(QStringLiteral("%1: %2").arg(QString::fromLocal8Bit(shm),
                                                          QString::fromLocal8Bit(strerror(errno))));
    struct flock probe
    {
    };
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = ShmDeadManSwitch;
    probe.l_len = 1;
    const int rc = ::fcntl(fd, F_GETLK, &probe);
    ::close(fd);
    if (rc != 0)
        return failure(QString::fromLocal8Bit(strerror(errno)));
    return probe.l_type != F_UNLCK;
}

} // namespace chatter::server::sqlitebackup
