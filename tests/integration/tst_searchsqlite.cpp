// SPDX-License-Identifier: MIT
// Search on a SQLite file only (docs/files-and-search.md): the migration indexes the history
// there is, and `--search off` drops the FTS5 index that `on` rebuilds. What both stores share
// is in tst_search.
#include "schema.h"
#include "searchfixture.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace chatter::server;

class tst_SearchSqlite : public QObject, public SearchFixture
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void migrationIndexesExistingHistory();
    void offDropsTheIndexAndOnRebuildsIt();

private:
    QTemporaryDir m_dir;
};

void tst_SearchSqlite::init()
{
    const QString name = QString::fromLatin1(QTest::currentTestFunction()).toLower();
    useDatabase(StoreLocation::sqlite(m_dir.filePath(name + QStringLiteral(".db"))), name);
}

void tst_SearchSqlite::cleanup()
{
    closeDatabase();
}

void tst_SearchSqlite::migrationIndexesExistingHistory()
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

void tst_SearchSqlite::offDropsTheIndexAndOnRebuildsIt()
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

QTEST_MAIN(tst_SearchSqlite)
#include "tst_searchsqlite.moc"
