// SPDX-License-Identifier: MIT
// Search over a real store (docs/files-and-search.md), once per store (the global `postgres`
// column): a SQLite file (FTS5) and a real PostgreSQL started for this process (tsvector,
// docs/cluster.md "Search on PostgreSQL"), each test on a database of its own. The index
// follows every way a message changes, ranking, paging, what each scope may read, that nothing
// a user types is query syntax, and the tokens and snippets in which the two engines differ as
// documented. What concerns one store only is in tst_searchsqlite (the migration, `--search
// off`) and tst_searchpostgres (a PostgreSQL restart).
#include "conversations.h"
#include "mailbox.h"
#include "postgresinstance.h"
#include "schema.h"
#include "searcher.h"
#include "searchfixture.h"

#include <QScopeGuard>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <optional>

using namespace chatter::server;

class tst_Search : public QObject, public SearchFixture
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void triggersFollowEveryChange();
    void rankedThenNewestAndPaged();
    void twoWordsFindTheSameSetNewestFirstWhenEqual();
    void onlyFiltersListNewestFirst();
    void personalScopeReadsOnlyWhatTheAccountMay();
    void userInputIsNeverSyntax_data();
    void userInputIsNeverSyntax();
    void tokensDifferAsDocumented_data();
    void tokensDifferAsDocumented();
    void snippetsMarkTheMatchAndTheCuts();
    void theSearchThreadAnswersThroughTheMailbox();
    void aStoppedSearcherTakesNoMoreSearches();

private:
    QTemporaryDir m_dir;
    PostgresInstance m_postgres;
    int m_databases = 0;
};

void tst_Search::initTestCase_data()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgresql") << true;
}

void tst_Search::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

void tst_Search::init()
{
    QFETCH_GLOBAL(bool, postgres);
    const QString name =
        QStringLiteral("t%1_%2").arg(++m_databases).arg(QTest::currentTestFunction()).toLower();
    useDatabase(postgres ? m_postgres.createDatabase(name)
                         : StoreLocation::sqlite(m_dir.filePath(name + QStringLiteral(".db"))),
                name);
}

void tst_Search::cleanup()
{
    closeDatabase();
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
    if (!postgres()) {
        QSqlQuery check(db);
        QVERIFY(check.exec(QStringLiteral(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")));
    }
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
    setPrivateRooms(loaded);
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
    setPrivateRooms({});
    QCOMPARE(ids(QStringLiteral("plan"), ann), (QList<qint64>{dm, priv, pub}));
    Conversations::Loaded gone;
    secret.members = {{2, QStringLiteral("Bob")}};
    gone.rooms.append(secret);
    setPrivateRooms(gone);
    QCOMPARE(ids(QStringLiteral("plan"), ann, 50, 1), (QList<qint64>{pub}));
}

void tst_Search::twoWordsFindTheSameSetNewestFirstWhenEqual()
{
    // bm25 weighs a rare word more than a common one, ts_rank does not (no inverse document
    // frequency): the order of unequal matches may differ between the stores, documented. The
    // set, and equal matches newest first, do not.
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    for (int i = 0; i < 6; ++i)
        add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("common words %1").arg(i));
    const qint64 rareOnce = add(QStringLiteral("r"), QStringLiteral("ann"),
                                QStringLiteral("rare common and more words after them"));
    const qint64 commonTwice =
        add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("rare common common"));
    const qint64 firstEqual =
        add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("common rare"));
    const qint64 secondEqual =
        add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("common rare"));
    const QList<qint64> found = ids(QStringLiteral("rare common"));
    QCOMPARE(QSet<qint64>(found.cbegin(), found.cend()),
             (QSet<qint64>{rareOnce, commonTwice, firstEqual, secondEqual}));
    QCOMPARE(found.size(), 4);
    QVERIFY(found.indexOf(secondEqual) < found.indexOf(firstEqual));
}

void tst_Search::userInputIsNeverSyntax_data()
{
    // What a user types is text for both engines, never FTS5 or tsquery syntax: quotes,
    // backslashes, `&|!:*()`, `<->`, `:*` find the words around them or nothing, and never
    // fail. The same rows, the same results on both stores.
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<int>>("found"); // 1-based rows of the corpus below
    QTest::newRow("a lone quote") << "'" << QList<int>{};
    QTest::newRow("quote in a word") << "it's" << QList<int>{1};
    QTest::newRow("quote in a prefix") << "it'*" << QList<int>{1};
    QTest::newRow("quotes around a prefix") << "'deploy':*" << QList<int>{5, 6};
    QTest::newRow("quote and backslash in a prefix") << "de\\'*" << QList<int>{5, 6};
    QTest::newRow("backslash quote prefix") << "\\'*" << QList<int>{};
    QTest::newRow("quote colon star") << "':*" << QList<int>{};
    QTest::newRow("a lone backslash") << "\\" << QList<int>{};
    QTest::newRow("backslash in a word") << "a\\b" << QList<int>{2, 3};
    QTest::newRow("backslash in a prefix") << "back\\*" << QList<int>{2};
    QTest::newRow("and") << "&" << QList<int>{};
    QTest::newRow("or") << "|" << QList<int>{};
    QTest::newRow("not") << "!" << QList<int>{};
    QTest::newRow("every operator") << "&|!:*()" << QList<int>{};
    QTest::newRow("operator between words") << "a & b" << QList<int>{2, 3};
    QTest::newRow("quoted words and operator") << "'a' & 'b'" << QList<int>{2, 3};
    QTest::newRow("not before a word") << "!deploy" << QList<int>{5, 6};
    QTest::newRow("and not") << "deploy & !now" << QList<int>{5};
    QTest::newRow("or between phrase and word") << "\"deploy\" | x" << QList<int>{};
    QTest::newRow("quotes and or inside a word") << "deploy' | 'tag" << QList<int>{6};
    QTest::newRow("prefix marker typed") << "deploy:*" << QList<int>{5, 6};
    QTest::newRow("weight marker typed") << "deploy:A" << QList<int>{6};
    QTest::newRow("prefix marker mid-word") << "now:*A" << QList<int>{};
    QTest::newRow("followed-by") << "<->" << QList<int>{};
    QTest::newRow("followed-by between words") << "deploy <-> now" << QList<int>{5};
    QTest::newRow("parentheses") << "(deploy)" << QList<int>{5, 6};
    QTest::newRow("parenthesis in a prefix") << "paren)*" << QList<int>{4};
    QTest::newRow("colon in a word") << "x:y" << QList<int>{4};
}

void tst_Search::userInputIsNeverSyntax()
{
    QFETCH(QString, text);
    QFETCH(QList<int>, found);
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    QList<qint64> rows;
    for (const char *body : {"it's a quote ' here", "back\\slash and a\\b", "a & b | c ! d",
                             "x:y and (paren) <-> arrow", "deploy now", "deploy:A tag"})
        rows.append(add(QStringLiteral("r"), QStringLiteral("ann"), QString::fromUtf8(body)));
    const auto result = run(text, Searcher::Scope::conversation(QStringLiteral("r")), 50, 0);
    QVERIFY2(result, qPrintable(result ? QString() : result.error()));
    QSet<qint64> got;
    for (const Searcher::Hit &hit : result->hits)
        got.insert(hit.id);
    QSet<qint64> expected;
    for (const int row : found)
        expected.insert(rows.at(row - 1));
    QCOMPARE(got, expected);
}

void tst_Search::tokensDifferAsDocumented_data()
{
    // docs/files-and-search.md: FTS5's unicode61 splits e-mail addresses, host names, URLs and
    // paths into their words; PostgreSQL's parser keeps each of them one token (a host also
    // inside a URL), so their parts are not found there. Hyphenated words are their parts on
    // both.
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<int>>("sqlite");
    QTest::addColumn<QList<int>>("postgresql");
    QTest::newRow("part of an e-mail address") << "example" << QList<int>{1, 2} << QList<int>{};
    QTest::newRow("the local part") << "alice" << QList<int>{1} << QList<int>{};
    QTest::newRow("the whole address") << "alice@example.com" << QList<int>{1} << QList<int>{1};
    QTest::newRow("a host name") << "example.com" << QList<int>{1, 2} << QList<int>{2};
    QTest::newRow("a prefix of a host") << "exam*" << QList<int>{1, 2} << QList<int>{2};
    QTest::newRow("a URL's scheme") << "https" << QList<int>{2} << QList<int>{};
    QTest::newRow("a whole path") << "/usr/lib/chatter" << QList<int>{3} << QList<int>{3};
    QTest::newRow("part of a path") << "usr" << QList<int>{3} << QList<int>{};
    QTest::newRow("hyphenated as typed") << "deploy-log" << QList<int>{4} << QList<int>{4};
    QTest::newRow("hyphenated as words") << "deploy log" << QList<int>{4} << QList<int>{4};
    QTest::newRow("hyphenated, a prefix") << "deploy-l*" << QList<int>{4} << QList<int>{4};
    QTest::newRow("hyphenated, the wrong order")
        << "\"log deploy\"" << QList<int>{} << QList<int>{};
}

void tst_Search::tokensDifferAsDocumented()
{
    QFETCH(QString, text);
    QFETCH(QList<int>, sqlite);
    QFETCH(QList<int>, postgresql);
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    QList<qint64> rows;
    for (const char *body : {"mail alice@example.com today", "see https://example.com/x now",
                             "in /usr/lib/chatter here", "the deploy-log is long"})
        rows.append(add(QStringLiteral("r"), QStringLiteral("ann"), QString::fromUtf8(body)));
    QSet<qint64> expected;
    for (const int row : postgres() ? postgresql : sqlite)
        expected.insert(rows.at(row - 1));
    const QList<qint64> found = ids(text);
    QCOMPARE(QSet<qint64>(found.cbegin(), found.cend()), expected);
    QCOMPARE(found.size(), expected.size());
}

void tst_Search::snippetsMarkTheMatchAndTheCuts()
{
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    const QString shortBody = QString::fromUtf8("Crème brûlée at the café");
    QString words;
    for (int i = 1; i <= 16; ++i)
        words += QStringLiteral("w%1 ").arg(i);
    const QString middle = words + QStringLiteral("deploy ") + words.trimmed();
    const QString last = words + QStringLiteral("deploy");
    add(QStringLiteral("s"), QStringLiteral("ann"), shortBody);
    add(QStringLiteral("m"), QStringLiteral("ann"), middle);
    add(QStringLiteral("l"), QStringLiteral("ann"), last);
    const auto snippet = [this](const QString &text, const QString &room) {
        const auto result = run(text, Searcher::Scope::conversation(room), 50, 0);
        return result && result->hits.size() == 1 ? result->hits.first().snippet : SearchSnippet{};
    };
    const QString ellipsis(QChar(0x2026));
    // A whole short body: as it is, the match marked in UTF-16 units, no cut.
    SearchSnippet s = snippet(QStringLiteral("cafe"), QStringLiteral("s"));
    QCOMPARE(s.text, shortBody);
    QCOMPARE(s.highlights, (QList<QPair<int, int>>{{20, 4}}));
    // Cut on both sides: `…` at both ends, the one highlight still on the word.
    s = snippet(QStringLiteral("deploy"), QStringLiteral("m"));
    QVERIFY2(s.text.startsWith(ellipsis) && s.text.endsWith(ellipsis), qPrintable(s.text));
    QCOMPARE(s.highlights.size(), 1);
    QCOMPARE(s.text.mid(s.highlights.first().first, s.highlights.first().second),
             QStringLiteral("deploy"));
    // ts_headline starts at the match rather than centring it (documented).
    if (postgres())
        QCOMPARE(s.text, ellipsis + QStringLiteral("deploy w1 w2 w3 w4 w5") + ellipsis);
    // The body's end: `…` before only.
    s = snippet(QStringLiteral("depl*"), QStringLiteral("l"));
    QVERIFY2(s.text.startsWith(ellipsis) && s.text.endsWith(QStringLiteral("w16 deploy")),
             qPrintable(s.text));
    QCOMPARE(s.highlights, (QList<QPair<int, int>>{{int(s.text.size()) - 6, 6}}));
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
        Searcher searcher(m_location, &m_conversations);
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
    Searcher searcher(m_location, &m_conversations);
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
