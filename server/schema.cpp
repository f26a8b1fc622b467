// SPDX-License-Identifier: MIT
#include "schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace chatter::server::schema {
namespace {

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = QStringLiteral("%1: %2").arg(sql.left(60), query.lastError().text());
    return false;
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
    };
    return all;
}

} // namespace

bool configure(QSqlDatabase &db, bool fullSync, QString *error)
{
    return exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), error) &&
           exec(db, QStringLiteral("PRAGMA busy_timeout=5000"), error) &&
           exec(db,
                fullSync ? QStringLiteral("PRAGMA synchronous=FULL")
                         : QStringLiteral("PRAGMA synchronous=NORMAL"),
                error);
}

bool migrate(QSqlDatabase &db, QString *error)
{
    int version = userVersion(db);
    if (version < 0) {
        *error = QStringLiteral("cannot read the schema version: %1").arg(db.lastError().text());
        return false;
    }
    if (version > CurrentVersion) {
        *error = QStringLiteral("the database has schema version %1, newer than this server's %2")
                     .arg(version)
                     .arg(CurrentVersion);
        return false;
    }
    for (; version < CurrentVersion; ++version) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        for (const QString &sql : steps().at(version)) {
            if (!exec(db, sql, error)) {
                db.rollback();
                return false;
            }
        }
        if (!exec(db, QStringLiteral("PRAGMA user_version=%1").arg(version + 1), error) ||
            !db.commit()) {
            db.rollback();
            return false;
        }
    }
    return true;
}

} // namespace chatter::server::schema
