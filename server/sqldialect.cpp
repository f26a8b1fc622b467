// SPDX-License-Identifier: MIT
#include "sqldialect.h"

#include "schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace chatter::server {
namespace {

QStringList postgresSettings(SqlDialect::Role role)
{
    switch (role) {
    case SqlDialect::Role::Writer:
    case SqlDialect::Role::Admin:
        // An `ok` means committed and flushed whatever the server's default is; a writer
        // never waits for ever on a lock or holds one across an idle transaction.
        return {QStringLiteral("SET synchronous_commit = on"),
                QStringLiteral("SET lock_timeout = '5s'"),
                QStringLiteral("SET idle_in_transaction_session_timeout = '30s'"),
                QStringLiteral("SET statement_timeout = '10s'")};
    case SqlDialect::Role::Reader:
        return {QStringLiteral("SET default_transaction_read_only = on"),
                QStringLiteral("SET statement_timeout = '5s'")};
    case SqlDialect::Role::Listener:
        return {QStringLiteral("SET statement_timeout = '5s'")};
    case SqlDialect::Role::Search:
        // A query whose terms hold no word (`&|!`) makes PostgreSQL say so in a NOTICE, which
        // QPSQL would log as a warning for every such search: it finds nothing, as on SQLite.
        return {QStringLiteral("SET default_transaction_read_only = on"),
                QStringLiteral("SET statement_timeout = '10s'"),
                QStringLiteral("SET client_min_messages = warning")};
    }
    return {};
}

QString roleName(SqlDialect::Role role)
{
    switch (role) {
    case SqlDialect::Role::Writer:
        return QStringLiteral("store");
    case SqlDialect::Role::Reader:
        return QStringLiteral("read");
    case SqlDialect::Role::Search:
        return QStringLiteral("search");
    case SqlDialect::Role::Admin:
        return QStringLiteral("admin");
    case SqlDialect::Role::Listener:
        return QStringLiteral("listen");
    }
    return {};
}

} // namespace

SqlDialect::SqlDialect(StoreLocation location) : m_location(std::move(location)) {}

SqlDialect SqlDialect::of(const QSqlDatabase &db)
{
    StoreLocation location;
    if (db.driverName() == QLatin1String("QPSQL"))
        location.kind = StoreLocation::Kind::PostgreSQL;
    return SqlDialect(std::move(location));
}

QString SqlDialect::driverName() const
{
    return isPostgres() ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE");
}

Expected<QSqlDatabase> SqlDialect::open(const QString &name, Role role, bool fullSync) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(driverName(), name);
    if (!isPostgres()) {
        db.setDatabaseName(m_location.path);
        if (role == Role::Reader || role == Role::Search)
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            return failure(db.lastError().text());
        if (role == Role::Writer || role == Role::Admin) {
            if (auto configured = schema::configure(db, fullSync); !configured) {
                db.close();
                return failure(configured.error());
            }
        }
        return db;
    }
    db.setHostName(m_location.host);
    db.setPort(m_location.port);
    db.setUserName(m_location.user);
    db.setPassword(m_location.password);
    db.setDatabaseName(m_location.database);
    // QPSQL hands `;`-separated keys to libpq.
    db.setConnectOptions(
        QStringLiteral("connect_timeout=3;application_name=chatter-%1").arg(roleName(role)));
    if (!db.open())
        return failure(db.lastError().text());
    QSqlQuery query(db);
    for (const QString &sql : postgresSettings(role)) {
        if (!query.exec(sql)) {
            const QString error = QStringLiteral("%1: %2").arg(sql, query.lastError().text());
            query = QSqlQuery();
            db.close();
            return failure(error);
        }
    }
    return db;
}

QString SqlDialect::insertMessage() const
{
    if (isPostgres())
        return QStringLiteral(
            "INSERT INTO messages (room, \"user\", body, at, reply_to, author, user_folded) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
    return QStringLiteral("INSERT INTO messages (room, \"user\", body, at, reply_to, author) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
}

QString SqlDialect::insertChange() const
{
    if (isPostgres())
        return QStringLiteral("INSERT INTO changes (room, message_id) VALUES (?, ?) RETURNING seq");
    return QStringLiteral("INSERT INTO changes (room, message_id) VALUES (?, ?)");
}

QString SqlDialect::directRooms() const
{
    // Keys are `dm:<a>:<b>`: the name is either side. A range on the primary key for the
    // first side (COLLATE "C" on PostgreSQL, so the range is by code point: H8), and a scan
    // of the DM keys (never the rooms) for the second.
    if (isPostgres())
        return QStringLiteral(
            "SELECT name, last_message_id, last_activity_at, message_count FROM rooms "
            "WHERE name >= 'dm:' AND name < 'dm;' AND (substr(name, 1, length(?)) = ? OR "
            "(right(name, length(?)) = ? AND substr(name, 1, length(?)) <> ?)) "
            "ORDER BY last_message_id DESC");
    return QStringLiteral(
        "SELECT name, last_message_id, last_activity_at, message_count FROM rooms "
        "WHERE name >= 'dm:' AND name < 'dm;' AND (substr(name, 1, length(?)) = ? OR "
        "(substr(name, -length(?)) = ? AND substr(name, 1, length(?)) <> ?)) "
        "ORDER BY last_message_id DESC");
}

QString SqlDialect::membersInOrder() const
{
    return QStringLiteral("SELECT m.room, m.account_id, a.display FROM room_members m "
                          "JOIN accounts a ON a.id = m.account_id ORDER BY m.%1")
        .arg(isPostgres() ? QStringLiteral("seq") : QStringLiteral("rowid"));
}

QString SqlDialect::upsertReadMarker() const
{
    return QStringLiteral("INSERT INTO read_state (account_id, conversation, last_read_id, muted) "
                          "VALUES (?, ?, ?, 0) ON CONFLICT (account_id, conversation) "
                          "DO UPDATE SET last_read_id = %1(read_state.last_read_id, "
                          "excluded.last_read_id) RETURNING last_read_id")
        .arg(isPostgres() ? QStringLiteral("GREATEST") : QStringLiteral("MAX"));
}

} // namespace chatter::server
