// SPDX-License-Identifier: MIT
// Search on PostgreSQL only (docs/cluster.md, "Search on PostgreSQL"): the search thread's
// connection outlives a restart of the database server. What both stores share is in
// tst_search.
#include "mailbox.h"
#include "postgresinstance.h"
#include "schema.h"
#include "searchfixture.h"

#include <QScopeGuard>
#include <QSqlDatabase>
#include <QTest>

#include <optional>

using namespace chatter::server;

class tst_SearchPostgres : public QObject, public SearchFixture
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void searchesComeBackAfterAPostgresRestart();

private:
    PostgresInstance m_postgres;
    int m_databases = 0;
};

void tst_SearchPostgres::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

void tst_SearchPostgres::init()
{
    const QString name =
        QStringLiteral("t%1_%2").arg(++m_databases).arg(QTest::currentTestFunction()).toLower();
    useDatabase(m_postgres.createDatabase(name), name);
}

void tst_SearchPostgres::cleanup()
{
    closeDatabase();
}

void tst_SearchPostgres::searchesComeBackAfterAPostgresRestart()
{
    // The search thread's connection outlives a PostgreSQL restart (docs/cluster.md,
    // "Failures"): searches fail while it is down (`search failed`), and work again after
    // without restarting the searcher.
    const auto serverBack = qScopeGuard([this] {
        if (m_postgres.pid() == 0)
            m_postgres.restart(); // a failure below must not leave the next tests without it
    });
    QSqlDatabase db = open();
    QVERIFY(schema::migrate(db));
    const qint64 id = add(QStringLiteral("r"), QStringLiteral("ann"), QStringLiteral("word"));
    Mailbox mailbox(nullptr);
    Searcher searcher(m_location, &m_conversations);
    const auto search = [&]() -> std::optional<chatter::Expected<Searcher::Result>> {
        Searcher::Request request;
        request.query = *SearchQuery::parse(QStringLiteral("word"));
        request.scope = Searcher::Scope::conversation(QStringLiteral("r"));
        std::optional<chatter::Expected<Searcher::Result>> answer;
        searcher.search(
            request, &mailbox,
            [&answer](const chatter::Expected<Searcher::Result> &result) { answer = result; });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 20000); }();
        return answer;
    };
    auto answer = search();
    QVERIFY(answer && *answer && (*answer)->hits.size() == 1);
    QCOMPARE((*answer)->hits.first().id, id);

    m_postgres.stop();
    answer = search();
    QVERIFY(answer && !*answer);
    QCOMPARE(answer->error(), QStringLiteral("search failed"));

    QVERIFY2(m_postgres.restart(), qPrintable(m_postgres.errorString()));
    // Probed after the failure, opened again at most once a second: one of a bounded number of
    // searches finds the message again.
    bool back = false;
    for (int attempt = 0; attempt < 50 && !back; ++attempt) {
        answer = search();
        back = answer && *answer && (*answer)->hits.size() == 1;
        if (!back)
            QTest::qWait(200);
    }
    QVERIFY(back);
}

QTEST_MAIN(tst_SearchPostgres)
#include "tst_searchpostgres.moc"
