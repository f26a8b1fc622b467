// SPDX-License-Identifier: MIT
#pragma once

#include "conversations.h"
#include "searcher.h"
#include "storelocation.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

//! What the search tests share: the database of the running test (m_location, a SQLite file or
//! a PostgreSQL database, set by useDatabase()), a connection of the test's own to write
//! messages and private rooms as the store would, and searches run through Searcher::runOnce.
//! The test classes tst_Search (both stores), tst_SearchSqlite and tst_SearchPostgres derive
//! from it; everything here lives on the test thread.
class SearchFixture
{
public:
    SearchFixture() = default;
    ~SearchFixture();
    SearchFixture(const SearchFixture &) = delete;
    SearchFixture &operator=(const SearchFixture &) = delete;

protected:
    bool postgres() const { return m_location.isPostgres(); }
    //! The next test's database: its connection is `writer-<name>`, no private rooms.
    void useDatabase(chatter::server::StoreLocation location, const QString &name);
    //! Closes and removes the test's own connection.
    void closeDatabase();
    //! The test's own connection, opened at the first use.
    QSqlDatabase open();
    //! A message as MessageStore writes it (on PostgreSQL with the folded nickname); its id.
    qint64 add(const QString &room, const QString &user, const QString &body);
    void exec(const QString &sql);
    //! The private rooms as `loaded`, in memory (SQLite's scope) and in the tables
    //! (PostgreSQL's), with an account row for each member.
    void setPrivateRooms(const chatter::server::Conversations::Loaded &loaded);
    chatter::Expected<chatter::server::Searcher::Result>
    run(const QString &text, chatter::server::Searcher::Scope scope, int limit, qint64 offset);
    //! The ids found; {-2} when the query was refused or the search failed.
    QList<qint64> ids(const QString &text,
                      chatter::server::Searcher::Scope scope =
                          chatter::server::Searcher::Scope::conversation(QStringLiteral("r")),
                      int limit = 50, qint64 offset = 0, bool *more = nullptr);

    chatter::server::StoreLocation m_location;
    QString m_name;
    chatter::server::Conversations m_conversations;
};
