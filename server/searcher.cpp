// SPDX-License-Identifier: MIT
#include "searcher.h"

#include "conversations.h"
#include "directtopic.h"
#include "logging.h"
#include "mailbox.h"
#include "sqldialect.h"
#include "topics.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <pthread.h>
#include <sqlite3.h>

#include <atomic>
#include <utility>

namespace chatter::server {

//! The search thread's connection, and on SQLite the SQL functions it gives it: `chatter_fold`
//! (nicknames compare case-folded, as everywhere in Chatter; SQLite's lower() knows ASCII
//! only) and `chatter_readable` (the scope of the search being run).
class Searcher::Connection
{
public:
    Connection(const StoreLocation &location, const Conversations *conversations)
        : m_name(QStringLiteral("chatter-search-%1").arg(s_next.fetch_add(1))), m_dialect(location),
          m_conversations(conversations)
    {
        if (m_dialect.isPostgres())
            return; // opened by the first search (ensureOpen), the scope and `from:` are SQL
        const auto opened = m_dialect.open(m_name, SqlDialect::Role::Search);
        if (!opened) {
            m_error = opened.error();
            return;
        }
        const QVariant handle = opened->driver()->handle();
        sqlite3 *sqlite = handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0
                              ? *static_cast<sqlite3 *const *>(handle.constData())
                              : nullptr;
        if (!sqlite ||
            sqlite3_create_function_v2(sqlite, "chatter_fold", 1,
                                       SQLITE_UTF16 | SQLITE_DETERMINISTIC, nullptr, &fold, nullptr,
                                       nullptr, nullptr) != SQLITE_OK ||
            sqlite3_create_function_v2(sqlite, "chatter_readable", 1, SQLITE_UTF16, this, &readable,
                                       nullptr, nullptr, nullptr) != SQLITE_OK)
            m_error = QStringLiteral("cannot add the search functions to SQLite");
    }

    ~Connection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            if (db.isOpen())
                db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

    Expected<Result> run(const Request &request);

private:
    struct Statement
    {
        QString sql;
        QVariantList values;
    };
    static constexpr int RetryMs = 1000;
    //! PostgreSQL: a connection whose server went away stays "open" in Qt and fails every
    //! statement (as HistoryReader's does). After a failed search it is probed; a dead one is
    //! closed and opened again, at most once a second (meanwhile searches fail at once).
    bool ensureOpen();
    static Statement sqliteStatement(const Request &request);
    static Statement postgresStatement(const Request &request);

    static QString text(sqlite3_value *value)
    {
        const void *data = sqlite3_value_text16(value);
        const int bytes = sqlite3_value_bytes16(value);
        return data ? QString::fromUtf16(static_cast<const char16_t *>(data), bytes / 2)
                    : QString();
    }

    static void fold(sqlite3_context *context, int, sqlite3_value **args)
    {
        const QString folded = text(args[0]).toCaseFolded();
        sqlite3_result_text16(context, folded.utf16(), int(folded.size() * 2), SQLITE_TRANSIENT);
    }

    static void readable(sqlite3_context *context, int, sqlite3_value **args)
    {
        auto *self = static_cast<Connection *>(sqlite3_user_data(context));
        sqlite3_result_int(context, self->mayRead(text(args[0])) ? 1 : 0);
    }

    //! The scope of the running search: the same rules as joining (RoomChannel::checkAccess).
    bool mayRead(const QString &room)
    {
        const auto known = m_readable.constFind(room);
        if (known != m_readable.cend())
            return *known;
        bool allowed = false;
        if (!m_scope) {
            allowed = false;
        } else if (topics::isDmKey(room)) {
            const auto pair = directtopic::parse(directtopic::topicOf(room));
            allowed = pair && !m_scope->folded.isEmpty() &&
                      (pair->first == m_scope->folded || pair->second == m_scope->folded);
        } else {
            allowed = !m_conversations || m_conversations->mayRead(room, m_scope->accountId);
        }
        m_readable.insert(room, allowed);
        return allowed;
    }

    static std::atomic<int> s_next;
    QString m_name;
    QString m_error;
    SqlDialect m_dialect;
    const Conversations *m_conversations;
    bool m_open = false;             //!< PostgreSQL: the connection is open (SQLite's opens once)
    bool m_failed = false;           //!< the last search failed: probe before the next
    QElapsedTimer m_failedAt;        //!< the last failed attempt to open (PostgreSQL)
    const Scope *m_scope = nullptr;  //!< while a search runs
    QHash<QString, bool> m_readable; //!< rooms already decided, for the running search
};

std::atomic<int> Searcher::Connection::s_next{0};

bool Searcher::Connection::ensureOpen()
{
    if (m_open && std::exchange(m_failed, false)) {
        bool answers = false;
        {
            QSqlQuery probe(QSqlDatabase::database(m_name, false));
            answers = probe.exec(QStringLiteral("SELECT 1"));
        }
        if (!answers) {
            qCWarning(lcChannel).noquote() << "search: connection to PostgreSQL lost";
            QSqlDatabase::database(m_name, false).close();
            m_open = false;
        }
    }
    if (m_open)
        return true;
    if (m_failedAt.isValid() && m_failedAt.elapsed() < RetryMs)
        return false;
    QSqlDatabase::removeDatabase(m_name); // what a failed attempt left
    if (const auto opened = m_dialect.open(m_name, SqlDialect::Role::Search); !opened) {
        qCWarning(lcChannel).noquote() << "search unavailable:" << opened.error();
        m_failedAt.start();
        return false;
    }
    return m_open = true;
}

namespace {

//! `in:` rooms and DMs as conditions on `m.room`, the same text on both stores.
void addPlaces(const SearchQuery &query, const Searcher::Scope &scope, QStringList &where,
               QVariantList &values)
{
    for (const SearchQuery::Place &place : query.in) {
        where.append(QStringLiteral("m.room = ?"));
        values.append(place.kind == SearchQuery::Place::Kind::Room
                          ? place.name
                          : directtopic::keyOf(directtopic::of(scope.folded, place.name)));
    }
}

} // namespace

Searcher::Connection::Statement Searcher::Connection::sqliteStatement(const Request &request)
{
    const SearchQuery &query = request.query;
    const Scope &scope = request.scope;
    QStringList where{QStringLiteral("m.deleted = 0")};
    QVariantList values;
    if (!query.filtersOnly()) {
        where.prepend(QStringLiteral("messages_fts MATCH ?"));
        values.append(query.match);
    }
    if (!scope.room.isEmpty()) {
        where.append(QStringLiteral("m.room = ?"));
        values.append(scope.room);
    } else {
        // Checked for every row, on every page: a cursor says where a page starts, never what
        // may be read.
        where.append(QStringLiteral("chatter_readable(m.room)"));
        addPlaces(query, scope, where, values);
    }
    for (const QString &nick : query.from) {
        where.append(QStringLiteral("chatter_fold(m.user) = ?"));
        values.append(nick);
    }
    QString sql;
    if (query.filtersOnly()) {
        if (request.beforeId > 0) {
            where.append(QStringLiteral("m.id < ?"));
            values.append(request.beforeId);
        }
        sql = QStringLiteral("SELECT m.id, m.room, m.user, m.at, m.body FROM messages m WHERE ") +
              where.join(QLatin1StringView(" AND ")) +
              QStringLiteral(" ORDER BY m.id DESC LIMIT ?");
        values.append(request.limit + 1);
    } else {
        sql = QStringLiteral("SELECT m.id, m.room, m.user, m.at, m.body, "
                             "snippet(messages_fts, 0, char(2), char(3), '%1', %2) "
                             "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid "
                             "WHERE ")
                  .arg(QChar(0x2026))
                  .arg(SearchSnippet::Words) +
              where.join(QLatin1StringView(" AND ")) +
              QStringLiteral(" ORDER BY bm25(messages_fts), m.id DESC LIMIT ? OFFSET ?");
        values.append(request.limit + 1);
        values.append(request.offset);
    }
    return {sql, values};
}

Searcher::Connection::Statement Searcher::Connection::postgresStatement(const Request &request)
{
    // docs/cluster.md, "Search on PostgreSQL". The same columns as sqliteStatement's.
    const SearchQuery &query = request.query;
    const Scope &scope = request.scope;
    QStringList where{QStringLiteral("m.deleted = 0")};
    QVariantList values;
    if (!scope.room.isEmpty()) {
        where.append(QStringLiteral("m.room = ?"));
        values.append(scope.room);
    } else {
        // What RoomChannel::checkAccess and DirectTopic decide, over the committed tables (not
        // this node's memory), for every row on every page: a DM whose key names the account's
        // folded nickname as one of its two sides; a room that is not private, or whose
        // members include the account. A guest (no folded name, account 0) reads public rooms.
        where.append(QStringLiteral(
            "(CASE WHEN left(m.room, 3) = 'dm:' THEN ? <> '' AND split_part(m.room, ':', 4) = '' "
            "AND (split_part(m.room, ':', 2) = ? OR split_part(m.room, ':', 3) = ?) "
            "ELSE NOT EXISTS (SELECT 1 FROM private_rooms p WHERE p.name = m.room) "
            "OR EXISTS (SELECT 1 FROM room_members r WHERE r.room = m.room AND r.account_id = ?) "
            "END)"));
        values << scope.folded << scope.folded << scope.folded << scope.accountId;
        addPlaces(query, scope, where, values);
    }
    for (const QString &nick : query.from) {
        where.append(QStringLiteral("m.user_folded = ?"));
        values.append(nick);
    }
    if (query.filtersOnly()) {
        if (request.beforeId > 0) {
            where.append(QStringLiteral("m.id < ?"));
            values.append(request.beforeId);
        }
        values.append(request.limit + 1);
        return {QStringLiteral("SELECT m.id, m.room, m.\"user\", m.at, m.body FROM messages m "
                               "WHERE ") +
                    where.join(QLatin1StringView(" AND ")) +
                    QStringLiteral(" ORDER BY m.id DESC LIMIT ?"),
                values};
    }
    // The ranked, limited page is the subquery: ts_headline (which reads each body again) runs
    // on the page's rows only.
    const SearchQuery::Bound tsquery = query.tsquery();
    QVariantList bound{
        QStringLiteral("StartSel=%1, StopSel=%2, MaxWords=%3, MinWords=6, ShortWord=0, "
                       "MaxFragments=0")
            .arg(SearchSnippet::Open)
            .arg(SearchSnippet::Close)
            .arg(SearchSnippet::Words)};
    for (const QString &value : tsquery.values)
        bound.append(value);
    bound += values;
    bound.append(request.limit + 1);
    bound.append(request.offset);
    return {QStringLiteral("SELECT p.id, p.room, p.\"user\", p.at, p.body, "
                           "ts_headline('chatter_search', p.body, p.q, ?) FROM ("
                           "SELECT m.id, m.room, m.\"user\", m.at, m.body, t.q, "
                           "ts_rank(m.search, t.q, 1) AS rank "
                           "FROM messages m, (SELECT %1 AS q) t WHERE m.search @@ t.q AND ")
                    .arg(tsquery.sql) +
                where.join(QLatin1StringView(" AND ")) +
                QStringLiteral(" ORDER BY rank DESC, m.id DESC LIMIT ? OFFSET ?) p "
                               "ORDER BY p.rank DESC, p.id DESC"),
            bound};
}

Expected<Searcher::Result> Searcher::Connection::run(const Request &request)
{
    if (!m_error.isEmpty()) {
        qCWarning(lcChannel).noquote() << "search unavailable:" << m_error;
        return failure(QStringLiteral("search failed"));
    }
    const bool postgres = m_dialect.isPostgres();
    if (postgres && !ensureOpen())
        return failure(QStringLiteral("search failed"));
    const SearchQuery &query = request.query;
    const Scope &scope = request.scope;
    const auto [sql, values] = postgres ? postgresStatement(request) : sqliteStatement(request);
    m_scope = &scope;
    m_readable.clear();
    // Not database(m_name)'s default, which would open a closed connection again without its
    // session settings: ensureOpen() does that.
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.setForwardOnly(true);
    Result result;
    bool ok = q.prepare(sql);
    if (ok) {
        for (const QVariant &value : values)
            q.addBindValue(value);
        ok = q.exec();
    }
    while (ok && q.next()) {
        if (result.hits.size() == request.limit) {
            result.more = true;
            break;
        }
        Hit hit{q.value(1).toString(),
                q.value(0).toLongLong(),
                q.value(2).toString(),
                q.value(3).toString(),
                {}};
        if (query.filtersOnly())
            hit.snippet = SearchSnippet::leading(q.value(4).toString());
        else if (postgres)
            hit.snippet = SearchSnippet::fromHeadline(q.value(5).toString(), q.value(4).toString());
        else
            hit.snippet = SearchSnippet::fromMarked(q.value(5).toString(), q.value(4).toString());
        result.hits.append(std::move(hit));
    }
    const QString error = ok ? QString() : q.lastError().text();
    q.finish();
    m_scope = nullptr;
    if (!ok) {
        m_failed = true;
        qCWarning(lcChannel).noquote() << "search failed:" << error;
        return failure(QStringLiteral("search failed"));
    }
    return result;
}

Searcher::Searcher(StoreLocation location, const Conversations *conversations)
    : m_location(std::move(location)), m_conversations(conversations)
{
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "chatter-search");
        work();
    });
}

Searcher::~Searcher()
{
    stop();
}

void Searcher::stop()
{
    {
        std::scoped_lock locker(m_mutex);
        m_closing = true;
        m_jobs.clear();
    }
    m_wake.notify_all();
    std::scoped_lock joining(m_joinMutex);
    if (m_thread.joinable())
        m_thread.join();
}

void Searcher::search(Request request, Mailbox *replyTo, Done done)
{
    {
        std::scoped_lock locker(m_mutex);
        if (m_closing)
            return;
        m_jobs.push_back([request = std::move(request), replyTo,
                          done = std::move(done)](Connection &connection) mutable {
            Expected<Result> result = connection.run(request);
            replyTo->post([done = std::move(done), result = std::move(result)] { done(result); });
        });
    }
    m_wake.notify_one();
}

void Searcher::work()
{
    // Made and dropped on this thread: a QSqlDatabase connection belongs to the thread that
    // opened it.
    Connection connection(m_location, m_conversations);
    std::unique_lock locker(m_mutex);
    for (;;) {
        m_wake.wait(locker, [this] { return m_closing || !m_jobs.empty(); });
        if (m_closing)
            return;
        std::function<void(Connection &)> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        locker.unlock();
        job(connection);
        job = nullptr; // its captures go here, on this thread
        locker.lock();
    }
}

Expected<Searcher::Result> Searcher::runOnce(const StoreLocation &location,
                                             const Conversations *conversations,
                                             const Request &request)
{
    Connection connection(location, conversations);
    return connection.run(request);
}

} // namespace chatter::server
