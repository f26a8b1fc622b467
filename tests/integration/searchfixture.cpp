// SPDX-License-Identifier: MIT
#include "searchfixture.h"

#include "sqldialect.h"

#include <QSqlQuery>
#include <QTest>

using namespace chatter::server;

SearchFixture::~SearchFixture()
{
    closeDatabase();
}

void SearchFixture::useDatabase(StoreLocation location, const QString &name)
{
    m_location = std::move(location);
    m_name = QStringLiteral("writer-%1").arg(name);
    m_conversations.attach(nullptr, {});
}

void SearchFixture::closeDatabase()
{
    if (m_name.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase SearchFixture::open()
{
    if (QSqlDatabase::contains(m_name))
        return QSqlDatabase::database(m_name);
    QSqlDatabase db = QSqlDatabase::addDatabase(SqlDialect(m_location).driverName(), m_name);
    if (postgres()) {
        db.setHostName(m_location.host);
        db.setPort(m_location.port);
        db.setUserName(m_location.user);
        db.setDatabaseName(m_location.database);
    } else {
        db.setDatabaseName(m_location.path);
    }
    db.open();
    return db;
}

void SearchFixture::exec(const QString &sql)
{
    QSqlDatabase db = open();
    QSqlQuery q(db);
    QVERIFY2(q.exec(sql), qPrintable(sql));
}

qint64 SearchFixture::add(const QString &room, const QString &user, const QString &body)
{
    // As MessageStore writes a message; on PostgreSQL with the folded nickname `from:` reads.
    QSqlDatabase db = open();
    QSqlQuery q(db);
    if (postgres())
        q.prepare(QStringLiteral("INSERT INTO messages (room, \"user\", body, at, user_folded) "
                                 "VALUES (?, ?, ?, '2026-12-05T09:00:00.000Z', ?) RETURNING id"));
    else
        q.prepare(QStringLiteral("INSERT INTO messages (room, \"user\", body, at) VALUES (?, ?, "
                                 "?, '2026-12-05T09:00:00.000Z')"));
    q.addBindValue(room);
    q.addBindValue(user);
    q.addBindValue(body);
    if (postgres())
        q.addBindValue(user.toCaseFolded());
    if (!q.exec())
        return -1;
    if (postgres())
        return q.next() ? q.value(0).toLongLong() : -1;
    return q.lastInsertId().toLongLong();
}

void SearchFixture::setPrivateRooms(const Conversations::Loaded &loaded)
{
    m_conversations.attach(nullptr, loaded);
    exec(QStringLiteral("DELETE FROM room_members"));
    exec(QStringLiteral("DELETE FROM private_rooms"));
    for (const Conversations::PrivateRoom &room : loaded.rooms) {
        QList<Conversations::Member> people = room.members;
        if (room.ownerId != 0)
            people.append({room.ownerId, room.ownerDisplay});
        for (const Conversations::Member &person : people)
            exec(QStringLiteral("INSERT INTO accounts (id, display, password_hash, created_at) "
                                "SELECT %1, '%2', 'x', 'x' WHERE NOT EXISTS "
                                "(SELECT 1 FROM accounts WHERE id = %1)")
                     .arg(person.accountId)
                     .arg(person.display));
        exec(QStringLiteral("INSERT INTO private_rooms (name, owner_id, created_at) "
                            "VALUES ('%1', %2, 'x')")
                 .arg(room.name,
                      room.ownerId ? QString::number(room.ownerId) : QStringLiteral("NULL")));
        for (const Conversations::Member &member : room.members)
            exec(QStringLiteral("INSERT INTO room_members (room, account_id, added_at) "
                                "VALUES ('%1', %2, 'x')")
                     .arg(room.name)
                     .arg(member.accountId));
    }
}

chatter::Expected<Searcher::Result> SearchFixture::run(const QString &text, Searcher::Scope scope,
                                                       int limit, qint64 offset)
{
    auto query = SearchQuery::parse(text);
    if (!query)
        return chatter::failure(query.error());
    Searcher::Request request;
    request.query = *query;
    request.scope = scope;
    request.limit = limit;
    request.offset = query->filtersOnly() ? 0 : offset;
    request.beforeId = query->filtersOnly() ? offset : 0;
    return Searcher::runOnce(m_location, &m_conversations, request);
}

QList<qint64> SearchFixture::ids(const QString &text, Searcher::Scope scope, int limit,
                                 qint64 offset, bool *more)
{
    const auto result = run(text, scope, limit, offset);
    if (!result)
        return {-2};
    QList<qint64> list;
    for (const Searcher::Hit &hit : result->hits)
        list.append(hit.id);
    if (more)
        *more = result->more;
    return list;
}
