// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "storelocation.h"

#include <QSqlDatabase>
#include <QString>

namespace chatter::server {

//! What differs between the two stores (docs/cluster.md, "The store interface split"): the Qt
//! driver and how a connection is opened, the session settings of each role, the few
//! statements whose text differs (docs/cluster-sql-inventory.md, rows marked **pg**) and what
//! each store can do. Everything else is one SQL text for both. A plain value: any thread may
//! hold a copy and open its own connections with it.
class SqlDialect
{
public:
    //! Who a connection is for; each gets its own session settings.
    enum class Role
    {
        Writer,  //!< the store thread: the grouped commits, accounts, retention
        Reader,  //!< a worker's history reads
        Search,  //!< the search thread (Searcher): read-only, longer queries
        Admin,   //!< the command line
        Listener //!< ChangeFeed: LISTENs for what other writers changed, nothing else
    };

    explicit SqlDialect(StoreLocation location);
    //! The dialect of an open connection (for code handed one by MessageStore::run): its
    //! statements and capabilities, not its location.
    static SqlDialect of(const QSqlDatabase &db);

    const StoreLocation &location() const { return m_location; }
    bool isPostgres() const { return m_location.isPostgres(); }
    QString driverName() const;

    //! Adds connection `name` (QSqlDatabase::addDatabase), opens it and applies the role's
    //! settings: SQLite's PRAGMAs (WAL, busy timeout, `synchronous` from `fullSync`) or, on
    //! PostgreSQL, `SET synchronous_commit = on` and timeouts for writers (an `ok` never
    //! depends on the server's default), a read-only session for readers and the search
    //! thread. On failure the
    //! connection is closed (the caller still removes it by name).
    Expected<QSqlDatabase> open(const QString &name, Role role, bool fullSync = true) const;

    // Capabilities.
    //! Each batch locks its rooms' rows, in sorted order, before it takes ids (PostgreSQL:
    //! several writers; docs/cluster.md, "Message ids"). SQLite has one writer: ids are in
    //! commit order by construction.
    bool locksRooms() const { return isPostgres(); }
    //! Inserts hand back their ids with `RETURNING` (QPSQL's lastInsertId() is a second round
    //! trip, `SELECT lastval()`, and wrong after a table without a sequence: inventory H10).
    bool returnsIds() const { return isPostgres(); }

    // Statements whose text differs (inventory ids in brackets).
    //! [MS1] Binds room, user, body, at, reply_to, author (and on PostgreSQL user_folded);
    //! returns the id with RETURNING where returnsIds().
    QString insertMessage() const;
    //! [MS15] Binds room, message id.
    QString insertChange() const;
    //! [HR14] DMs naming one side: binds first, first, second, second, first, first (see
    //! HistoryReader::directRooms). PostgreSQL's substr() has no negative start (H2).
    QString directRooms() const;
    //! [CV2] The order of a private room's members as they were added.
    QString membersInOrder() const;
    //! Binds account, conversation, marker: stores a read marker that never goes back, whatever
    //! memory (another node's, a moment behind) believed it was.
    QString upsertReadMarker() const;

private:
    StoreLocation m_location;
};

} // namespace chatter::server
