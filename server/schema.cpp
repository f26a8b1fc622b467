// SPDX-License-Identifier: MIT
#include "schema.h"

#include <QFile>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace chatter::server::schema {
namespace {

Expected<void> exec(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return {};
    return failure(QStringLiteral("%1: %2").arg(sql.left(60), query.lastError().text()));
}

int userVersion(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("PRAGMA user_version")) && query.next())
        return query.value(0).toInt();
    return -1;
}

// Each step takes the schema from version N-1 to N. Append only: shipped steps never change.
const QList<QStringList> &steps()
{
    static const QList<QStringList> all{
        // 1: messages
        {QStringLiteral(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, "
            "user TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL)")},
        // 2: per-room index for history pages, and the room directory
        {QStringLiteral("CREATE INDEX messages_room_id ON messages (room, id)"),
         QStringLiteral("CREATE TABLE rooms (name TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
                        "last_message_id INTEGER NOT NULL DEFAULT 0, last_activity_at TEXT, "
                        "message_count INTEGER NOT NULL DEFAULT 0)"),
         QStringLiteral(
             "INSERT INTO rooms (name, created_at, last_message_id, last_activity_at, "
             "message_count) "
             "SELECT room, MIN(at), MAX(id), MAX(at), COUNT(*) FROM messages GROUP BY room")},
        // 3: accounts and sessions (docs/identity.md). A nickname has one or two look-alike
        // keys (NicknamePolicy); a key belongs to one account, whichever column it came from.
        // Passwords only as Argon2id strings, session tokens only as SHA-256.
        {QStringLiteral(
             "CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, display TEXT NOT NULL, "
             "password_hash TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'member' "
             "CHECK (role IN ('member', 'admin')), created_at TEXT NOT NULL, last_seen_at TEXT)"),
         QStringLiteral("CREATE TABLE account_keys (key TEXT PRIMARY KEY, "
                        "account_id INTEGER NOT NULL REFERENCES accounts (id))"),
         QStringLiteral("CREATE INDEX account_keys_account ON account_keys (account_id)"),
         QStringLiteral(
             "CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, "
             "account_id INTEGER REFERENCES accounts (id), "
             "kind TEXT NOT NULL CHECK (kind IN ('account', 'guest')), display TEXT NOT NULL, "
             "keys TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT NOT NULL)"),
         QStringLiteral("CREATE INDEX sessions_account ON sessions (account_id)")},
        // 4: stored bans (by account, by nickname keys, by address) and the audit log
        {QStringLiteral(
             "CREATE TABLE bans (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, "
             "keys TEXT NOT NULL DEFAULT '', account_id INTEGER, address TEXT, "
             "reason TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL, "
             "created_at TEXT NOT NULL, until TEXT, lifted_at TEXT)"),
         QStringLiteral(
             "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
             "actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '', "
             "address TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '')"),
         QStringLiteral("CREATE INDEX audit_at ON audit (at)")},
        // 5: replies, edits, deletions, reactions and the change sequence
        // (docs/conversations.md). `author` says who may edit and delete (RoomChannel::authorKey;
        // '' for older messages: only admins). A deleted message keeps its row with an empty
        // body, so that pages and backfill keep their place. `changes` holds each message's
        // latest change only (MessageStore replaces its row), so it is never longer than
        // `messages`.
        {QStringLiteral("ALTER TABLE messages ADD COLUMN reply_to INTEGER"),
         QStringLiteral("ALTER TABLE messages ADD COLUMN edited_at TEXT"),
         QStringLiteral("ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0"),
         QStringLiteral("ALTER TABLE messages ADD COLUMN author TEXT NOT NULL DEFAULT ''"),
         QStringLiteral("CREATE TABLE reactions (message_id INTEGER NOT NULL, emoji TEXT NOT NULL, "
                        "user TEXT NOT NULL, PRIMARY KEY (message_id, emoji, user)) WITHOUT ROWID"),
         QStringLiteral("CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                        "room TEXT NOT NULL, message_id INTEGER NOT NULL)"),
         QStringLiteral("CREATE INDEX changes_room_seq ON changes (room, seq)"),
         QStringLiteral("CREATE INDEX changes_message ON changes (message_id)")},
        // 6: conversations (docs/conversations.md): each account's read marker and mute
        // setting per conversation (a room name or a DM's key), private rooms (and group
        // conversations) with their owner, and their members.
        {QStringLiteral(
             "CREATE TABLE read_state (account_id INTEGER NOT NULL REFERENCES accounts (id), "
             "conversation TEXT NOT NULL, last_read_id INTEGER NOT NULL DEFAULT 0, "
             "muted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (account_id, conversation))"),
         QStringLiteral("CREATE TABLE private_rooms (name TEXT PRIMARY KEY, "
                        "owner_id INTEGER REFERENCES accounts (id), "
                        "is_group INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)"),
         QStringLiteral(
             "CREATE TABLE room_members (room TEXT NOT NULL REFERENCES private_rooms (name), "
             "account_id INTEGER NOT NULL REFERENCES accounts (id), added_at TEXT NOT NULL, "
             "PRIMARY KEY (room, account_id))"),
         QStringLiteral("CREATE INDEX room_members_account ON room_members (account_id)")},
        // 7: files (docs/files-and-search.md). One row per upload (its own random id); the
        // content is stored once per sha256 under <data-dir>/files. `uploader` is the author
        // key of RoomChannel::authorKey. `attached`: 0 never attached (removed after a grace
        // period), 1 attached, 2 a message referring to it was deleted or pruned (the retention
        // pass looks at it again); only rows other than 1 are in `files_candidates`, so the
        // pass reads candidates, not every file. `removed`: its content is gone, the row stays
        // for the 24-hour upload quota. `message_files` lists a message's attachments in order.
        {QStringLiteral(
             "CREATE TABLE files (id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, name TEXT NOT NULL, "
             "type TEXT NOT NULL, size INTEGER NOT NULL, width INTEGER, height INTEGER, "
             "thumb_type TEXT, thumb_width INTEGER, thumb_height INTEGER, "
             "uploader TEXT NOT NULL, created_at TEXT NOT NULL, "
             "attached INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0)"),
         QStringLiteral("CREATE INDEX files_sha256 ON files (sha256)"),
         QStringLiteral("CREATE INDEX files_uploader_created ON files (uploader, created_at)"),
         QStringLiteral("CREATE INDEX files_candidates ON files (attached, created_at) "
                        "WHERE removed = 0 AND attached <> 1"),
         QStringLiteral("CREATE TABLE message_files (message_id INTEGER NOT NULL, "
                        "file_id TEXT NOT NULL, position INTEGER NOT NULL, "
                        "PRIMARY KEY (message_id, position)) WITHOUT ROWID"),
         QStringLiteral("CREATE INDEX message_files_file ON message_files (file_id)")},
        // 8: full-text search (docs/files-and-search.md): an FTS5 index over messages.body
        // that stores no text of its own (external content), kept current by triggers in the
        // messages' own transactions, and filled from the history there is.
        QStringList{
            QStringLiteral("CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', "
                           "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")} +
            searchTriggers() +
            QStringList{
                QStringLiteral("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")},
    };
    return all;
}

//! The statements of an SQL script, in order: split at a `;` that ends a line, except inside
//! a `$$` function body; `--` comment lines dropped. Enough for postgresql-schema.sql, whose
//! statements are run one at a time so that a failure names its statement (QPSQL runs a
//! multi-statement text but reports only the first statement's result).
QStringList scriptStatements(const QString &script)
{
    QStringList statements;
    QString current;
    bool inBody = false;
    for (const QString &line : script.split(QLatin1Char('\n'))) {
        const QString trimmed = line.trimmed();
        if (!inBody && (trimmed.isEmpty() || trimmed.startsWith(QLatin1String("--"))))
            continue;
        current += line + QLatin1Char('\n');
        if (line.count(QLatin1String("$$")) % 2 == 1)
            inBody = !inBody;
        if (!inBody && trimmed.endsWith(QLatin1Char(';'))) {
            statements.append(current.trimmed());
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements.append(current.trimmed());
    return statements;
}

// pg_advisory_lock key of schema changes: 0x63686174746572 = 'chatter' (the schema file takes
// the same one for its own transaction; advisory locks nest within a session).
constexpr qint64 SchemaLockKey = 27980790469256562;

bool isPostgres(const QSqlDatabase &db)
{
    return db.driverName() == QLatin1String("QPSQL");
}

//! PostgreSQL starts at version 8 from server/sql/postgresql-schema.sql, embedded as a
//! resource (docs/cluster.md, "The store interface split"); later steps will be appended to
//! both lists under the same numbers. Two nodes starting at once: the second waits on the
//! advisory lock and then finds the schema there.
Expected<void> migratePostgres(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(SchemaLockKey)))
        return failure(query.lastError().text());
    const auto unlock = qScopeGuard([&db] {
        QSqlQuery(db).exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(SchemaLockKey));
    });
    if (!query.exec(QStringLiteral(
            "SELECT to_regclass('cluster') IS NOT NULL, (SELECT COUNT(*) FROM pg_tables "
            "WHERE schemaname = current_schema())")) ||
        !query.next())
        return failure(query.lastError().text());
    const bool created = query.value(0).toBool();
    const qint64 tables = query.value(1).toLongLong();
    query.finish();
    if (!created) {
        if (tables > 0)
            return failure(QStringLiteral(
                "the database has tables but no Chatter schema (no table `cluster`)"));
        QFile file(QStringLiteral(":/sql/postgresql-schema.sql"));
        if (!file.open(QIODevice::ReadOnly))
            return failure(QStringLiteral("the PostgreSQL schema is missing from this build"));
        // The script holds its own BEGIN ... COMMIT.
        for (const QString &sql : scriptStatements(QString::fromUtf8(file.readAll()))) {
            if (!query.exec(sql)) {
                const QString error = query.lastError().text();
                // The failed statement left the script's transaction aborted.
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                return failure(
                    QStringLiteral("creating the schema: %1: %2").arg(sql.left(80), error));
            }
        }
    }
    if (!query.exec(QStringLiteral("SELECT schema_version FROM cluster")) || !query.next())
        return failure(
            QStringLiteral("cannot read the schema version: %1").arg(query.lastError().text()));
    const int version = query.value(0).toInt();
    if (version > CurrentVersion)
        return failure(
            QStringLiteral("the database has schema version %1, newer than this server's %2")
                .arg(version)
                .arg(CurrentVersion));
    if (version < CurrentVersion)
        return failure(QStringLiteral("the database has schema version %1; PostgreSQL "
                                      "databases start at %2")
                           .arg(version)
                           .arg(CurrentVersion));
    return {};
}

} // namespace

const QStringList &searchTriggers()
{
    // A deleted message keeps its row with an empty body: the update takes its words out. Every
    // row is in the index (a deleted one with no words), as 'rebuild' puts it there, so the
    // deletes below always remove what was inserted; FTS5 needs exactly that of an external
    // content table.
    static const QStringList all{
        QStringLiteral("CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
                       "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END"),
        QStringLiteral("CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
                       "INSERT INTO messages_fts (messages_fts, rowid, body) "
                       "VALUES ('delete', old.id, old.body); END"),
        QStringLiteral("CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted ON "
                       "messages BEGIN "
                       "INSERT INTO messages_fts (messages_fts, rowid, body) "
                       "VALUES ('delete', old.id, old.body); "
                       "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END"),
    };
    return all;
}

Expected<bool> setSearch(QSqlDatabase &db, bool on)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND "
                                   "name LIKE 'messages_fts_%'")) ||
        !query.next())
        return failure(query.lastError().text());
    const bool maintained = query.value(0).toInt() == searchTriggers().size();
    if (maintained == on)
        return false;
    if (!db.transaction())
        return failure(db.lastError().text());
    QStringList statements;
    if (on) {
        // Off for a while: whatever changed since is only in `messages`.
        statements = searchTriggers();
        statements << QStringLiteral("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    } else {
        // No index is kept up to date, so none is kept at all: it would keep the words of
        // messages deleted meanwhile.
        for (const QString &name :
             {QStringLiteral("insert"), QStringLiteral("delete"), QStringLiteral("update")})
            statements << QStringLiteral("DROP TRIGGER IF EXISTS messages_fts_%1").arg(name);
        statements << QStringLiteral(
            "INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')");
    }
    for (const QString &sql : statements) {
        if (auto done = exec(db, sql); !done) {
            db.rollback();
            return failure(done.error());
        }
    }
    if (!db.commit()) {
        const QString error = db.lastError().text();
        db.rollback();
        return failure(error);
    }
    return true;
}

Expected<void> configure(QSqlDatabase &db, bool fullSync)
{
    for (const QString &sql :
         {QStringLiteral("PRAGMA journal_mode=WAL"), QStringLiteral("PRAGMA busy_timeout=5000"),
          fullSync ? QStringLiteral("PRAGMA synchronous=FULL")
                   : QStringLiteral("PRAGMA synchronous=NORMAL")}) {
        if (auto done = exec(db, sql); !done)
            return done;
    }
    return {};
}

Expected<void> migrate(QSqlDatabase &db)
{
    if (isPostgres(db))
        return migratePostgres(db);
    int version = userVersion(db);
    if (version < 0)
        return failure(
            QStringLiteral("cannot read the schema version: %1").arg(db.lastError().text()));
    if (version > CurrentVersion) {
        return failure(
            QStringLiteral("the database has schema version %1, newer than this server's %2")
                .arg(version)
                .arg(CurrentVersion));
    }
    for (; version < CurrentVersion; ++version) {
        if (!db.transaction())
            return failure(db.lastError().text());
        for (const QString &sql : steps().at(version)) {
            if (auto done = exec(db, sql); !done) {
                db.rollback();
                return done;
            }
        }
        auto done = exec(db, QStringLiteral("PRAGMA user_version=%1").arg(version + 1));
        if (done && !db.commit())
            done = failure(db.lastError().text());
        if (!done) {
            db.rollback();
            return done;
        }
    }
    return {};
}

} // namespace chatter::server::schema
