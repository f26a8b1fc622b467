// SPDX-License-Identifier: MIT
// Search over a real SQLite file (docs/files-and-search.md): the migration indexes the history
// there is, the triggers keep the index current for every way a message changes, `--search
// off` and on again, ranking, paging, and what each scope may read.
#include "conversations.h"
#include "mailbox.h"
#include "schema.h"
#include "searcher.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace chatter::server;

class tst_Search : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void migrationIndexesExistingHistory();
    void triggersFollowEveryChange();
    void rankedThenNewestAndPaged();
    void onlyFiltersListNewestFirst();
    void offDropsTheIndexAndOnRebuildsIt();
    void personalScopeReadsOnlyWhatTheAccountMay();
    void theSearchThreadAnswersThroughTheMailbox();
    void aStoppedSearcherTakesNoMoreSearches();

private:
    QSqlDatabase open();
    qint64 add(const QString &room, const QString &user, const QString &body);
    void exec(const QString &sql);
    QList<qint64> ids(const QString &text,
                      Searcher::Scope scope = Searcher::Scope::conversation(QStringLiteral("r")),
                      int limit = 50, qint64 offset = 0, bool *more = nullptr);

    QTemporaryDir m_dir;
    QString m_path;
    QString m_name;
    Conversations m_conversations;
};

void tst_Search::init()
{
    m_path = m_dir.filePath(QStringLiteral("%1.db").arg(QTest::currentTestFunction()));
    m_name = QStringLiteral("writer-%1").arg(QTest::currentTestFunction());
    m_conversations.attach(nullptr, {});
}

void tst_Search::cleanup()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase tst_Search::open()
{
    if (QSqlDatabase::contains(m_name))
        return QSqlDatabase::database(m_name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(m_path);
    db.open();
    return db;
}

void tst_Search::exec(const QString &sql)
{
    QSqlDatabase db = open();
    QSqlQuery q(db);
    QVERIFY2(q.exec(sql), qPrintable(sql));
}

qint64 tst_Search::add(const QString &room, const QString &user, const QString &body)
{
    QSqlDatabase db = open();
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO messages (room, user, body, at) VALUES (?, ?, ?, "
                             "'2026-12-05T09:00:00.000Z')"));
    q.addBindValue(room);
    q.addBindValue(user);
    q.addBindValue(body);
    if (!q.exec())
        return -1;
    return q.lastInsertId().toLongLong();
}

QList<qint64> tst_Search::ids(const QString &text, Searcher::Scope scope, int limit, qint64 offset,
                              bool *more)
{
    Searcher::Request request;
    auto query = SearchQuery::parse(text);
    if (!query)
        return {-1};
    request.query = *query;
    request.scope = scope;
    request.limit = limit;
    request.offset = query->filtersOnly() ? 0 : offset;
    request.beforeId = query->filtersOnly() ? offset : 0;
    const auto result = Searcher::runOnce(m_path, &m_conversations, request);
    if (!result)
        return {-2};
    QList<qint64> list;
    for (const Searcher::Hit &hit : result->hits)
        list.append(hit.id);
    if (more)
        *more = result->more;
    return list;
}

void tst_Search::migrationIndexesExistingHistory()
{
    // The message table of a version-4 file, with messages: every step up to now runs on it.
    for (const char *sql :
         {"CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, "
          "user TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL)",
          "CREATE INDEX messages_room_id ON messages (room, id)",
          "CREATE TABLE rooms (name TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
          "last_message_id INTEGER NOT NULL DEFAULT 0, last_activity_at TEXT, "
          "message_count INTEGER NOT NULL DEFAULT 0)",
          "INSERT INTO messages (room, user, body, at) VALUES "
          "('r','ann','the déploy went fine','2025-01-01T00:00:00.000Z'),"
          "('r','bob','nothing to see','2025-01-02T00:00:00.000Z')",
          "PRAGMA user_version=4"})
        exec(QString::fromUtf8(sql));
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    QSqlQuery version(db);
    QVERIFY(version.exec(QStringLiteral("PRAGMA user_version")) && version.next());
    QCOMPARE(version.value(0).toInt(), schema::CurrentVersion);
    version.finish();
    QCOMPARE(ids(QStringLiteral("deploy")), QList<qint64>{1});
    QCOMPARE(ids(QStringLiteral("see")), QList<qint64>{2});
}

void tst_Search::triggersFollowEveryChange()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    const qint64 first =
        add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("Crème brûlée at the café"));
    const qint64 second = add(QStringLiteral("r"), QStringLiteral("bob"), QStringLiteral("café"));
    const qint64 other = add(QStringLiteral("s"), QStringLiteral("bob"), QStringLiteral("café"));
    // Case and diacritics do not matter; a room scope reads that room only.
    QCOMPARE(ids(QStringLiteral("CAFE")), (QList<qint64>{second, first}));
    QCOMPARE(ids(QStringLiteral("creme brulee")), QList<qint64>{first});
    QCOMPARE(ids(QStringLiteral("cafe"), Searcher::Scope::conversation(QStringLiteral("s"))),
             QList<qint64>{other});
    QCOMPARE(ids(QStringLiteral("\"brulee creme\"")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("\"creme brulee\"")), QList<qint64>{first});
    QCOMPARE(ids(QStringLiteral("brul*")), QList<qint64>{first});
    // An edit, as MessageStore writes it: found by its new words only.
    exec(QStringLiteral("UPDATE messages SET body = 'tarte tatin', edited_at = 'x' WHERE id = %1")
             .arg(first));
    QCOMPARE(ids(QStringLiteral("creme")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("tatin")), QList<qint64>{first});
    // A deletion keeps the row with an empty body: it leaves the index.
    exec(QStringLiteral("UPDATE messages SET body = '', deleted = 1 WHERE id = %1").arg(second));
    QCOMPARE(ids(QStringLiteral("cafe")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("from:bob")), QList<qint64>{});
    // Retention removes rows, deleted ones included; the index stays consistent.
    exec(QStringLiteral("DELETE FROM messages WHERE id IN (%1, %2)").arg(first).arg(second));
    QCOMPARE(ids(QStringLiteral("tatin")), QList<qint64>{});
    QSqlQuery check(db);
    QVERIFY(check.exec(QStringLiteral(
        "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")));
}

void tst_Search::rankedThenNewestAndPaged()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    const qint64 weak = add(QStringLiteral("r"), QStringLiteral("ann"),
                            QStringLiteral("deploy and a lot of other words around it here"));
    const qint64 strong =
        add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("deploy deploy"));
    QList<qint64> same;
    for (int i = 0; i < 5; ++i)
        same.prepend(add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("deploy now")));
    // The best match first; equal ones newest first; the weakest last.
    const QList<qint64> all = ids(QStringLiteral("deploy"));
    QCOMPARE(all.size(), 7);
    QCOMPARE(all.first(), strong);
    QCOMPARE(all.mid(1, 5), same);
    QCOMPARE(all.last(), weak);
    // Pages of three: together the same list, no duplicates, the last one says no more.
    QList<qint64> paged;
    bool more = true;
    for (qint64 offset = 0; more; offset += 3)
        paged += ids(QStringLiteral("deploy"), Searcher::Scope::conversation(QStringLiteral("r")),
                     3, offset, &more);
    QCOMPARE(paged, all);
}

void tst_Search::onlyFiltersListNewestFirst()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    const qint64 a = add(QStringLiteral("r"), QStringLiteral("Zoë"), QStringLiteral("one"));
    add(QStringLiteral("r"), QStringLiteral("bob"), QStringLiteral("two"));
    const qint64 c = add(QStringLiteral("r"), QStringLiteral("ZOË"), QStringLiteral("three"));
    // Nicknames compare case-folded, beyond ASCII.
    QCOMPARE(ids(QStringLiteral("from:zoë")), (QList<qint64>{c, a}));
    QCOMPARE(ids(QStringLiteral("from:zoë three")), QList<qint64>{c});
    bool more = false;
    QCOMPARE(ids(QStringLiteral("from:zoe")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("from:ZOË"), Searcher::Scope::conversation(QStringLiteral("r")), 1,
                 0, &more),
             QList<qint64>{c});
    QVERIFY(more);
    QCOMPARE(ids(QStringLiteral("from:ZOË"), Searcher::Scope::conversation(QStringLiteral("r")), 1,
                 c, &more),
             QList<qint64>{a});
    QVERIFY(!more);
}

void tst_Search::offDropsTheIndexAndOnRebuildsIt()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    const qint64 before = add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("alpha"));
    QVERIFY(!*schema::setSearch(db, true)); // as it is: nothing to do
    QCOMPARE(ids(QStringLiteral("alpha")), QList<qint64>{before});
    QVERIFY(schema::setSearch(db, false));
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND "
                                  "name LIKE 'messages_fts%'")) &&
            q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    q.finish();
    // While off, nothing is indexed and the old words are gone too.
    const qint64 during = add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("beta"));
    exec(QStringLiteral("UPDATE messages SET body = 'gamma' WHERE id = %1").arg(before));
    QCOMPARE(ids(QStringLiteral("alpha")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("beta")), QList<qint64>{});
    // On again: the index is the history as it is now.
    QVERIFY(schema::setSearch(db, true));
    QCOMPARE(ids(QStringLiteral("alpha")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("gamma")), QList<qint64>{before});
    QCOMPARE(ids(QStringLiteral("beta")), QList<qint64>{during});
    const qint64 after = add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("beta"));
    QCOMPARE(ids(QStringLiteral("beta")), (QList<qint64>{after, during}));
}

void tst_Search::personalScopeReadsOnlyWhatTheAccountMay()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    Conversations::Loaded loaded;
    Conversations::PrivateRoom secret;
    secret.name = QStringLiteral("secret");
    secret.ownerId = 1;
    secret.ownerDisplay = QStringLiteral("Ann");
    secret.members = {{1, QStringLiteral("Ann")}};
    loaded.rooms.append(secret);
    m_conversations.attach(nullptr, loaded);
    const qint64 pub =
        add(QStringLiteral("general"), QStringLiteral("bob"), QStringLiteral("plan"));
    const qint64 priv =
        add(QStringLiteral("secret"), QStringLiteral("Ann"), QStringLiteral("plan"));
    const qint64 dm =
        add(QStringLiteral("dm:ann:bob"), QStringLiteral("bob"), QStringLiteral("plan"));
    const qint64 otherDm =
        add(QStringLiteral("dm:bob:carol"), QStringLiteral("bob"), QStringLiteral("plan"));
    const auto ann = Searcher::Scope::account(1, QStringLiteral("ann"));
    const auto carol = Searcher::Scope::account(3, QStringLiteral("carol"));
    QCOMPARE(ids(QStringLiteral("plan"), ann), (QList<qint64>{dm, priv, pub}));
    QCOMPARE(ids(QStringLiteral("plan"), carol), (QList<qint64>{otherDm, pub}));
    QCOMPARE(ids(QStringLiteral("from:bob"), ann), (QList<qint64>{dm, pub}));
    QCOMPARE(ids(QStringLiteral("plan in:@Bob"), ann), QList<qint64>{dm});
    QCOMPARE(ids(QStringLiteral("plan in:@Bob"), carol), QList<qint64>{otherDm});
    QCOMPARE(ids(QStringLiteral("plan in:#secret"), ann), QList<qint64>{priv});
    // Naming a conversation it may not read gives nothing, not that conversation.
    QCOMPARE(ids(QStringLiteral("plan in:#secret"), carol), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("in:dm:ann:bob"), carol), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("plan in:general"), carol), QList<qint64>{pub});
    // Every page asks again: a member removed meanwhile reads no more of the room.
    m_conversations.attach(nullptr, {});
    QCOMPARE(ids(QStringLiteral("plan"), ann), (QList<qint64>{dm, priv, pub}));
    Conversations::Loaded gone;
    secret.members = {{2, QStringLiteral("Bob")}};
    gone.rooms.append(secret);
    m_conversations.attach(nullptr, gone);
    QCOMPARE(ids(QStringLiteral("plan"), ann, 50, 1), (QList<qint64>{pub}));
}

void tst_Search::theSearchThreadAnswersThroughTheMailbox()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    Mailbox mailbox(nullptr);
    QList<qint64> got;
    int answers = 0;
    Qt::HANDLE answeredOn = nullptr;
    {
        Searcher searcher(m_path, &m_conversations);
        // Searches queue behind each other while this thread keeps writing.
        for (int i = 0; i < 20; ++i) {
            const qint64 id =
                add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("word %1").arg(i));
            Searcher::Request request;
            request.query = *SearchQuery::parse(QStringLiteral("word"));
            request.scope = i % 2 ? Searcher::Scope::conversation(QStringLiteral("r"))
                                  : Searcher::Scope::account(1, QStringLiteral("ann"));
            request.limit = 1;
            searcher.search(
                request, &mailbox, [&, id](const chatter::Expected<Searcher::Result> &result) {
                    ++answers;
                    answeredOn = QThread::currentThreadId();
                    if (result && !result->hits.isEmpty() && result->hits.first().id >= id)
                        got.append(id);
                });
        }
        QTRY_COMPARE_WITH_TIMEOUT(answers, 20, 20000);
    }
    // Each answer on this thread, each one seeing at least the message written before it.
    QCOMPARE(answeredOn, QThread::currentThreadId());
    QCOMPARE(got.size(), 20);
}

void tst_Search::aStoppedSearcherTakesNoMoreSearches()
{
    // What the engine does at shutdown: workers may still hold the searcher after it stopped.
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    Mailbox mailbox(nullptr);
    Searcher searcher(m_path, &m_conversations);
    searcher.stop();
    searcher.stop(); // twice is fine
    bool answered = false;
    Searcher::Request request;
    request.query = *SearchQuery::parse(QStringLiteral("word"));
    request.scope = Searcher::Scope::conversation(QStringLiteral("r"));
    searcher.search(request, &mailbox,
                    [&answered](const chatter::Expected<Searcher::Result> &) { answered = true; });
    QTest::qWait(100); // a negative check: bounded, asserts no time
    QVERIFY(!answered);
}

QTEST_MAIN(tst_Search)
#include "tst_search.moc"
