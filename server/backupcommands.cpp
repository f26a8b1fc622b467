// SPDX-License-Identifier: MIT
#include "backupcommands.h"

#include "datadircopy.h"
#include "serverconfig.h"
#include "sqlitebackup.h"
#include "storelocation.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTextStream>

#include <cstdio>

namespace chatter::server {
namespace {

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &message, int code = 1)
{
    err() << "chatter-server: " << message << Qt::endl;
    return code;
}

QString environment(const char *name)
{
    return QProcessEnvironment::systemEnvironment().value(QString::fromLatin1(name));
}

QString mebibytes(qint64 bytes)
{
    return QString::number(double(bytes) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB");
}

//! A backup of a database file is the file alone; any other name is a directory laid out like
//! a data directory.
bool namesDatabaseFile(const QString &path)
{
    return path.endsWith(QLatin1StringView(".db"));
}

//! A hidden name beside `path` for the work in progress, renamed to `path` only when complete.
QString partialName(const QString &path)
{
    const QFileInfo info(path);
    return info.dir().filePath(QStringLiteral(".%1.partial-%2")
                                   .arg(info.fileName())
                                   .arg(QCoreApplication::applicationPid()));
}

//! PostgreSQL keeps everything a restore needs (messages, accounts, files, the file-URL key)
//! in the database: pg_dump is the tool, and it knows the server's version better than this
//! program would. Only its command line is given: a password must not go through ours.
int postgresGuidance(const StoreLocation &location)
{
    const QString connection = QStringLiteral("--host %1 --port %2 --username %3 --dbname %4")
                                   .arg(location.host)
                                   .arg(location.port)
                                   .arg(location.user, location.database);
    QTextStream out(stderr);
    out << "chatter-server: backup copies the SQLite store of a data directory; this server "
           "keeps its data in PostgreSQL ("
        << location.display() << ").\n"
        << "Back it up with PostgreSQL's own tool, while the server runs (the password from "
           "~/.pgpass or PGPASSWORD):\n"
        << "  pg_dump --format=custom --file chatter.dump " << connection << "\n"
        << "and restore it into an empty database, the server stopped:\n"
        << "  pg_restore --no-owner --exit-on-error " << connection << " chatter.dump\n"
        << "Uploaded files and the file-URL key are in the database too; keep <data-dir>/tls/ "
           "as well if the server uses --tls-self-signed (docs/operations.md)."
        << Qt::endl;
    return 2;
}

int backup(const QString &dataDir, const QString &destination, int pagesPerStep)
{
    const QDir data(dataDir);
    const QString database = data.filePath(datadircopy::Database);
    const QString partial = partialName(destination);
    if (namesDatabaseFile(destination)) {
        auto copied = sqlitebackup::copy(database, partial, pagesPerStep);
        if (copied && !QFile::exists(partial))
            copied = failure(QStringLiteral("%1 vanished").arg(partial));
        if (copied && ::rename(QFile::encodeName(partial).constData(),
                               QFile::encodeName(destination).constData()) != 0)
            copied =
                failure(QStringLiteral("cannot rename %1 to %2: %3")
                            .arg(partial, destination, QString::fromLocal8Bit(strerror(errno))));
        if (!copied) {
            QFile::remove(partial);
            return fail(QStringLiteral("backup failed: %1").arg(copied.error()));
        }
        datadircopy::syncDirectory(QFileInfo(destination).path());
        QTextStream(stdout) << "backed up " << copied->messages << " messages ("
                            << mebibytes(copied->bytes) << ", schema version "
                            << copied->schemaVersion << ") to " << destination << Qt::endl;
        if (QFileInfo::exists(data.filePath(datadircopy::Files)))
            err() << "chatter-server: the database alone: keep " << dataDir << "/"
                  << datadircopy::FileUrlKey << " and " << dataDir << "/" << datadircopy::Files
                  << "/ too, or back up to a directory (a name not ending in .db)" << Qt::endl;
        return 0;
    }

    if (QFileInfo::exists(destination))
        return fail(
            QStringLiteral("%1 exists; a directory backup goes to a new name").arg(destination));
    const auto work = [&]() -> Expected<QString> {
        if (!QDir().mkpath(partial))
            return failure(QStringLiteral("cannot create %1").arg(partial));
        // The database first: every file its rows name was on disk before the row committed,
        // so copying the files after the snapshot finds them all.
        const auto copied = sqlitebackup::copy(
            database, QDir(partial).filePath(datadircopy::Database), pagesPerStep);
        if (!copied)
            return failure(copied.error());
        datadircopy::Totals files;
        if (const QString key = data.filePath(datadircopy::FileUrlKey); QFileInfo::exists(key)) {
            if (auto done =
                    datadircopy::copyFile(key, QDir(partial).filePath(datadircopy::FileUrlKey));
                !done)
                return failure(done.error());
        }
        for (const QString &tree : {datadircopy::Files, datadircopy::Tls}) {
            if (!QFileInfo::exists(data.filePath(tree)))
                continue;
            const auto totals =
                datadircopy::copyTree(data.filePath(tree), QDir(partial).filePath(tree), false);
            if (!totals)
                return failure(totals.error());
            if (tree == datadircopy::Files)
                files = *totals;
        }
        if (::rename(QFile::encodeName(partial).constData(),
                     QFile::encodeName(destination).constData()) != 0)
            return failure(QStringLiteral("cannot rename %1 to %2: %3")
                               .arg(partial, destination, QString::fromLocal8Bit(strerror(errno))));
        datadircopy::syncDirectory(QFileInfo(destination).path());
        return QStringLiteral("backed up %1 messages (%2, schema version %3) and %4 uploaded "
                              "files (%5) to %6")
            .arg(copied->messages)
            .arg(mebibytes(copied->bytes))
            .arg(copied->schemaVersion)
            .arg(files.files)
            .arg(mebibytes(files.bytes), destination);
    };
    const auto done = work();
    if (!done) {
        QDir(partial).removeRecursively();
        return fail(QStringLiteral("backup failed: %1").arg(done.error()));
    }
    QTextStream(stdout) << *done << Qt::endl;
    return 0;
}

//! Moves the database `file` and its WAL companions aside as `<file>.before-restore*`: the
//! names keep a database and its WAL a pair.
Expected<void> moveAside(const QString &file)
{
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        const QString from = file + suffix;
        if (!QFileInfo::exists(from))
            continue;
        const QString to = file + QStringLiteral(".before-restore") + suffix;
        if (::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) != 0)
            return failure(QStringLiteral("cannot move %1 aside: %2")
                               .arg(from, QString::fromLocal8Bit(strerror(errno))));
    }
    return {};
}

int restore(const QString &backupPath, const QString &dataDir, bool replace)
{
    const QFileInfo backupInfo(backupPath);
    const bool fromDirectory = backupInfo.isDir();
    const QString backupDatabase =
        fromDirectory ? QDir(backupPath).filePath(datadircopy::Database) : backupPath;
    const auto checked = sqlitebackup::verify(backupDatabase);
    if (!checked)
        return fail(
            QStringLiteral("%1 is not a usable backup: %2").arg(backupPath, checked.error()));
    if (!QDir().mkpath(dataDir))
        return fail(QStringLiteral("cannot create the data directory %1").arg(dataDir));
    const QDir data(dataDir);
    const QString target = data.filePath(datadircopy::Database);
    const auto running = sqlitebackup::inUse(target);
    if (!running)
        return fail(running.error());
    if (*running)
        return fail(
            QStringLiteral("a server has %1 open: stop it first, then restore").arg(target));
    // A WAL without its database counts too: SQLite would replay it into the restored file.
    if (QFileInfo::exists(target) || QFileInfo::exists(target + QStringLiteral("-wal"))) {
        if (!replace)
            return fail(QStringLiteral("%1 holds a database already; --replace moves it aside "
                                       "(as chatter.db.before-restore) and restores over it")
                            .arg(dataDir));
        if (auto moved = moveAside(target); !moved)
            return fail(moved.error());
    }
    // What is left is a stale index of no database (no connection holds it: checked above).
    QFile::remove(target + QStringLiteral("-shm"));
    const QString partial = partialName(target);
    auto copied = sqlitebackup::copy(backupDatabase, partial, 4096);
    if (copied && ::rename(QFile::encodeName(partial).constData(),
                           QFile::encodeName(target).constData()) != 0)
        copied = failure(QString::fromLocal8Bit(strerror(errno)));
    if (!copied) {
        QFile::remove(partial);
        return fail(QStringLiteral("restore failed: %1").arg(copied.error()));
    }
    datadircopy::Totals files;
    if (fromDirectory) {
        const QDir from(backupPath);
        if (const QString key = from.filePath(datadircopy::FileUrlKey); QFileInfo::exists(key)) {
            if (auto done = datadircopy::copyFile(key, data.filePath(datadircopy::FileUrlKey));
                !done)
                return fail(QStringLiteral("restore failed: %1").arg(done.error()));
        }
        for (const QString &tree : {datadircopy::Files, datadircopy::Tls}) {
            if (!QFileInfo::exists(from.filePath(tree)))
                continue;
            // Uploaded files are named by their content: one already there is the same file.
            const auto totals = datadircopy::copyTree(from.filePath(tree), data.filePath(tree),
                                                      tree == datadircopy::Files);
            if (!totals)
                return fail(QStringLiteral("restore failed: %1").arg(totals.error()));
            if (tree == datadircopy::Files)
                files = *totals;
        }
    }
    datadircopy::syncDirectory(dataDir);
    QTextStream(stdout) << "restored " << copied->messages << " messages ("
                        << mebibytes(copied->bytes) << ")"
                        << (fromDirectory
                                ? QStringLiteral(" and %1 uploaded files").arg(files.files)
                                : QString())
                        << " into " << dataDir << Qt::endl;
    return 0;
}

} // namespace

std::optional<int> runBackupCommand(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command != QLatin1StringView("backup") && command != QLatin1StringView("restore"))
        return std::nullopt;

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Chatter backups (docs/operations.md).\n"
        "  backup DEST        copy the data directory of a running (or stopped) server: DEST\n"
        "                     ending in .db is the database alone; any other DEST is a new\n"
        "                     directory with the database, file-url.key, files/ and tls/\n"
        "  restore BACKUP     put a backup (a .db file or a backup directory) into the data\n"
        "                     directory of a stopped server"));
    parser.addHelpOption();
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QStringLiteral("The server's data directory (default ~/.local/share/chatter-server) "
                       "[env: CHATTER_DATA_DIR]."),
        QStringLiteral("dir"));
    const QCommandLineOption database(
        QStringLiteral("database"),
        QStringLiteral("backup: a server on PostgreSQL; prints the pg_dump command to use "
                       "[env: CHATTER_DATABASE]."),
        QStringLiteral("url"));
    const QCommandLineOption pagesPerStep(
        QStringLiteral("pages-per-step"),
        QStringLiteral("backup: database pages copied between two short rests (default 1024)."),
        QStringLiteral("n"));
    const QCommandLineOption replace(
        QStringLiteral("replace"),
        QStringLiteral("restore: move a database already in the data directory aside "
                       "(chatter.db.before-restore) instead of refusing."));
    parser.addOptions({dataDir, database, pagesPerStep, replace});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("backup or restore"));
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QStringLiteral("backup: DEST; restore: BACKUP"));
    if (!parser.parse(arguments))
        return fail(parser.errorText(), 2);
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    const QStringList words = parser.positionalArguments();
    if (words.size() != 2)
        return fail(QStringLiteral("usage: chatter-server backup DEST [--data-dir DIR] | "
                                   "restore BACKUP --data-dir DIR [--replace]"),
                    2);
    int pages = 1024;
    if (parser.isSet(pagesPerStep)) {
        bool ok = false;
        pages = parser.value(pagesPerStep).toInt(&ok);
        if (!ok || pages < 1)
            return fail(QStringLiteral("--pages-per-step: expected a positive count"), 2);
    }
    const QString url =
        parser.isSet(database) ? parser.value(database) : environment("CHATTER_DATABASE");
    ServerConfig config;
    config.dataDir =
        parser.isSet(dataDir) ? parser.value(dataDir) : environment("CHATTER_DATA_DIR");

    if (command == QLatin1StringView("backup")) {
        if (parser.isSet(replace))
            return fail(QStringLiteral("--replace goes with restore"), 2);
        if (!url.isEmpty()) {
            const auto location = StoreLocation::parse(url);
            if (!location)
                return fail(QStringLiteral("--database: %1").arg(location.error()), 2);
            return postgresGuidance(*location);
        }
        return backup(config.effectiveDataDir(), words.at(1), pages);
    }
    // A restore names its target: guessing a default data directory to overwrite is too easy
    // to get wrong.
    if (config.dataDir.isEmpty())
        return fail(QStringLiteral("restore needs --data-dir DIR (or CHATTER_DATA_DIR)"), 2);
    if (!url.isEmpty())
        return fail(QStringLiteral("restore puts a SQLite backup into a data directory; a "
                                   "PostgreSQL dump goes back with pg_restore "
                                   "(chatter-server backup --database URL prints the command)"),
                    2);
    return restore(words.at(1), config.dataDir, parser.isSet(replace));
}

} // namespace chatter::server
