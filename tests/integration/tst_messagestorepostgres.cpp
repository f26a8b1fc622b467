// SPDX-License-Identifier: MIT
// The store on PostgreSQL where a SQLite file has nothing alike: several nodes opening one
// database at once, and a database server that restarts under a running store
// (tst_messagestore runs the rest on both stores).
#include "epolleventdispatcher.h"
#include "historyreader.h"
#include "messagestore.h"
#include "messagestorefixture.h"
#include "postgresinstance.h"
#include "schema.h"

#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>
#include <QThread>

#include <array>
#include <atomic>
#include <memory>
#include <optional>

using namespace chatter::server;

//! A real PostgreSQL started for this process (PostgresInstance), each test on a database of
//! its own.
class tst_MessageStorePostgres : public QObject, public MessageStoreFixture
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void concurrentStoresCreateTheSchemaOnce();
    void appendsAndReadsComeBackAfterAPostgresRestart();

private:
    PostgresInstance m_postgres;
    int m_databases = 0;
};

void tst_MessageStorePostgres::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

void tst_MessageStorePostgres::init()
{
    m_location = m_postgres.createDatabase(
        QStringLiteral("t%1_%2").arg(++m_databases).arg(QTest::currentTestFunction()).toLower());
}

void tst_MessageStorePostgres::cleanup()
{
    stopStore();
}

void tst_MessageStorePostgres::concurrentStoresCreateTheSchemaOnce()
{
    // Two nodes starting at once on an empty database: one creates the schema under the
    // advisory lock, the other waits for it and finds it there.
    constexpr int Nodes = 2;
    std::array<std::unique_ptr<QThread>, Nodes> threads;
    std::array<MessageStore *, Nodes> stores{};
    std::array<QString, Nodes> errors;
    std::atomic<int> opened{0};
    for (int i = 0; i < Nodes; ++i) {
        threads[i] = std::make_unique<QThread>();
        threads[i]->setEventDispatcher(new EpollEventDispatcher);
        MessageStore::Options options;
        options.location = m_location;
        stores[i] = new MessageStore(options);
        stores[i]->moveToThread(threads[i].get());
        connect(threads[i].get(), &QThread::finished, stores[i], &QObject::deleteLater);
        threads[i]->start();
    }
    for (int i = 0; i < Nodes; ++i) {
        stores[i]->mailbox().post([&, i] {
            const auto ready = stores[i]->open();
            errors[i] = ready ? QString() : ready.error();
            ++opened;
        });
    }
    QTRY_COMPARE_WITH_TIMEOUT(opened.load(), Nodes, 60000);
    for (auto &thread : threads) {
        thread->quit();
        thread->wait();
    }
    for (const QString &error : errors)
        QVERIFY2(error.isEmpty(), qPrintable(error));
    QSqlDatabase db = openDirect(QStringLiteral("check"));
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*), MIN(schema_version) FROM cluster")) &&
                q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toInt(), schema::CurrentVersion);
    }
    db.close();
    db = {};
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
}

void tst_MessageStorePostgres::appendsAndReadsComeBackAfterAPostgresRestart()
{
    // PostgreSQL restarted under a running store (docs/cluster.md, "Failures"): appends fail
    // (never an `ok`) while it is down and work again after, without restarting the store;
    // reads fail meanwhile and come back too.
    const auto serverBack = qScopeGuard([this] {
        if (m_postgres.pid() == 0)
            m_postgres.restart(); // a failure below must not leave the next tests without it
    });
    QVERIFY(startStore({}));
    const QString room = QStringLiteral("restart");
    const qint64 before = appendAll({msg(room, QStringLiteral("before"))}).first().id;
    HistoryReader reader(m_location);
    QCOMPARE(reader.recent(room, 10).messages.size(), 1);

    m_postgres.stop();
    std::optional<bool> whileDown;
    m_store->append(msg(room, QStringLiteral("while down")), &m_results,
                    [&whileDown](const StoredMessage &, bool committed) { whileDown = committed; });
    QTRY_VERIFY_WITH_TIMEOUT(whileDown.has_value(), 20000);
    QVERIFY(!*whileDown);
    QVERIFY(reader.recent(room, 10).messages.isEmpty());

    QVERIFY2(m_postgres.restart(), qPrintable(m_postgres.errorString()));
    // The store reconnects on a failed batch, at most once per backoff step (up to 2 s): one of
    // a bounded number of appends commits.
    qint64 after = 0;
    for (int attempt = 0; attempt < 50 && after == 0; ++attempt) {
        std::optional<qint64> id;
        m_store->append(
            msg(room, QStringLiteral("after")), &m_results,
            [&id](const StoredMessage &stored, bool committed) { id = committed ? stored.id : 0; });
        QTRY_VERIFY_WITH_TIMEOUT(id.has_value(), 20000);
        after = *id;
        if (after == 0)
            QTest::qWait(200);
    }
    QVERIFY(after > before);
    // The reader opens its connection again too (at most once a second).
    QTRY_COMPARE_WITH_TIMEOUT(reader.recent(room, 10).messages.size(), 2, 20000);
    QCOMPARE(reader.recent(room, 10).messages.last().id, after);
}

QTEST_GUILESS_MAIN(tst_MessageStorePostgres)
#include "tst_messagestorepostgres.moc"
