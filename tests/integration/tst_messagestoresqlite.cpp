// SPDX-License-Identifier: MIT
// The store on SQLite files that older versions of the schema wrote: a PostgreSQL database
// starts at version 8, so these have no PostgreSQL counterpart (tst_messagestore runs the rest
// on both stores).
#include "historyreader.h"
#include "messagestore.h"
#include "messagestorefixture.h"
#include "schema.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace chatter::server;

//! Each test on a SQLite file of its own in a temporary directory.
class tst_MessageStoreSqlite : public QObject, public MessageStoreFixture
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void migratesVersionOneFiles();
    void migratesVersionFourFiles();

private:
    QTemporaryDir m_dir;
    int m_files = 0;
};

void tst_MessageStoreSqlite::init()
{
    m_location = StoreLocation::sqlite(m_dir.filePath(
        QStringLiteral("t%1_%2.db").arg(++m_files).arg(QTest::currentTestFunction()).toLower()));
}

void tst_MessageStoreSqlite::cleanup()
{
    stopStore();
}

void tst_MessageStoreSqlite::migratesVersionOneFiles()
{
    {
        // A file as the first schema wrote it: messages only, no index, no rooms.
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
        db.setDatabaseName(m_location.path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, "
            "user TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO messages (room, user, body, at) VALUES "
                                      "('lobby','ann','one','2025-01-01T00:00:00.000Z'),"
                                      "('lobby','bob','two','2025-01-02T00:00:00.000Z'),"
                                      "('dev','ann','three','2025-01-03T00:00:00.000Z')")));
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version=1")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v1"));

    QVERIFY(startStore({}));
    HistoryReader reader(m_location);
    const auto rooms = reader.rooms();
    QCOMPARE(rooms.size(), 2);
    for (const auto &row : rooms) {
        if (row.name == QLatin1String("lobby")) {
            QCOMPARE(row.messageCount, 2);
            QCOMPARE(row.lastMessageId, 2);
        } else {
            QCOMPARE(row.name, QStringLiteral("dev"));
            QCOMPARE(row.lastMessageId, 3);
        }
    }
    const HistoryPage lobby = reader.recent(QStringLiteral("lobby"), 10);
    QCOMPARE(lobby.messages.size(), 2);
    QCOMPARE(lobby.messages.first().body, QStringLiteral("one"));
    // New messages continue the old id sequence.
    const auto added = appendAll({msg(QStringLiteral("lobby"), QStringLiteral("four"))});
    QCOMPARE(added.first().id, 4);
    QCOMPARE(reader.rooms().size(), 2);
}

void tst_MessageStoreSqlite::migratesVersionFourFiles()
{
    {
        // The message tables of a version-4 file (steps 1 and 2; steps 3 and 4 added tables that
        // step 5 does not touch) with messages in them.
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v4"));
        db.setDatabaseName(m_location.path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const char *sql :
             {"CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, "
              "user TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL)",
              "CREATE INDEX messages_room_id ON messages (room, id)",
              "CREATE TABLE rooms (name TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
              "last_message_id INTEGER NOT NULL DEFAULT 0, last_activity_at TEXT, "
              "message_count INTEGER NOT NULL DEFAULT 0)",
              "INSERT INTO messages (room, user, body, at) VALUES "
              "('lobby','ann','one','2025-01-01T00:00:00.000Z'),"
              "('lobby','system','restarting','2025-01-02T00:00:00.000Z')",
              "INSERT INTO rooms VALUES ('lobby', '2025-01-01T00:00:00.000Z', 2, "
              "'2025-01-02T00:00:00.000Z', 2)",
              "PRAGMA user_version=4"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v4"));

    QVERIFY(startStore({}));
    HistoryReader reader(m_location);
    // The old messages read as before, with no author (only admins may change them).
    const HistoryPage page = reader.recent(QStringLiteral("lobby"), 10);
    QCOMPARE(page.messages.size(), 2);
    QCOMPARE(page.messages.at(0).toJson(),
             (QJsonObject{
                 {"id", 1}, {"user", "ann"}, {"body", "one"}, {"at", "2025-01-01T00:00:00.000Z"}}));
    const auto old = reader.message(1);
    QVERIFY(old);
    QCOMPARE(old->author, QString());
    QVERIFY(!old->isSystem());
    QVERIFY(reader.message(2)->isSystem());
    QCOMPARE(reader.changeSeq(QStringLiteral("lobby")), 0);

    // The new columns and tables work on the old rows.
    MessageChange edit{MessageChange::Kind::Edit, 1, QStringLiteral("lobby")};
    edit.body = QStringLiteral("uno");
    edit.at = QStringLiteral("2026-01-01T00:00:00.000Z");
    QVERIFY(changeNow(edit).changed);
    StoredMessage reply = msg(QStringLiteral("lobby"), QStringLiteral("re"));
    reply.author = QStringLiteral("a:7");
    reply.replyTo = 1;
    const qint64 replyId = appendAll({reply}).first().id;
    QCOMPARE(replyId, 3);
    const auto stored = reader.message(replyId);
    QCOMPARE(stored->author, QStringLiteral("a:7"));
    const StoredMessage listed = reader.recent(QStringLiteral("lobby"), 1).messages.first();
    QCOMPARE(listed.replyTo, qint64(1));
    QCOMPARE(listed.quote->body, QStringLiteral("uno"));
    stopStore();

    QSqlDatabase db = openDirect(QStringLiteral("v5"));
    QVERIFY(db.isOpen());
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), schema::CurrentVersion);
    q.finish();
    db.close();
    db = {};
    QSqlDatabase::removeDatabase(QStringLiteral("v5"));
}

QTEST_GUILESS_MAIN(tst_MessageStoreSqlite)
#include "tst_messagestoresqlite.moc"
