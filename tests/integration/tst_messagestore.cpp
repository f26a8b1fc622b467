// SPDX-License-Identifier: MIT
#include "conversations.h"
#include "historyreader.h"
#include "mailbox.h"
#include "messagestore.h"
#include "messagestorefixture.h"
#include "postgresinstance.h"
#include "schema.h"
#include "storehold.h"

#include <QJsonObject>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace chatter::server;

//! Every test runs once per store (the global `postgres` column): against a SQLite file and
//! against a real PostgreSQL started for this process (PostgresInstance), each test on a
//! database of its own. What concerns one store only has a test class of its own:
//! tst_MessageStoreSqlite (files of older SQLite versions) and tst_MessageStorePostgres
//! (several nodes on one database, a database server restart).
class tst_MessageStore : public QObject, public MessageStoreFixture
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();
    void refusesNewerSchema();
    void groupsConcurrentAppendsIntoFewCommits();
    void resultsOfABigCommitLeaveTurnsForOtherWork();
    void resultsKeepComingAfterTheQueueEmptied();
    void aContextDeletedMidDrainGetsNothingMore();
    void idsIncreaseAcrossReopen();
    void historyPages();
    void retentionKeepsNewestPerRoom();
    void changesEditDeleteAndReact();
    void reactionLimitAndChangeRows();
    void headsMoveWithCommitsAndSurviveReopen();
    void appendWaitsForAnotherWritersCommit();
    void conversationReads();
    void conversationsAreStoredAndReadBack();

private:
    QTemporaryDir m_dir;
    PostgresInstance m_postgres;
    int m_databases = 0;
};

void tst_MessageStore::initTestCase_data()
{
    QTest::addColumn<bool>("postgres");
    QTest::newRow("sqlite") << false;
    QTest::newRow("postgresql") << true;
}

void tst_MessageStore::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

void tst_MessageStore::init()
{
    QFETCH_GLOBAL(bool, postgres);
    const QString name =
        QStringLiteral("t%1_%2").arg(++m_databases).arg(QTest::currentTestFunction()).toLower();
    m_location = postgres ? m_postgres.createDatabase(name)
                          : StoreLocation::sqlite(m_dir.filePath(name + QStringLiteral(".db")));
}

void tst_MessageStore::cleanup()
{
    stopStore();
}

void tst_MessageStore::refusesNewerSchema()
{
    if (postgres()) {
        // Created by a first start, then marked newer (cluster.schema_version).
        QVERIFY(startStore({}));
        stopStore();
    }
    {
        QSqlDatabase db = openDirect(QStringLiteral("future"));
        QVERIFY(db.isOpen());
        QVERIFY(QSqlQuery(db).exec(
            postgres() ? QStringLiteral("UPDATE cluster SET schema_version = %1")
                             .arg(schema::CurrentVersion + 1)
                       : QStringLiteral("PRAGMA user_version=%1").arg(schema::CurrentVersion + 1)));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("future"));
    QString error;
    QVERIFY(!startStore({}, &error));
    QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
}

void tst_MessageStore::groupsConcurrentAppendsIntoFewCommits()
{
    QVERIFY(startStore({}));
    QList<StoredMessage> batch;
    for (int i = 0; i < 500; ++i)
        batch.append(msg(QStringLiteral("r%1").arg(i % 5), QString::number(i)));
    const auto done = appendAll(batch);
    // Queued together, they share transactions: far fewer commits than messages.
    QVERIFY2(m_store->committedBatches() < 50,
             qPrintable(QString::number(m_store->committedBatches())));
    QSet<qint64> ids;
    for (const StoredMessage &m : done)
        ids.insert(m.id);
    QCOMPARE(ids.size(), 500);
    // Callbacks arrive in append order, so ids increase in that order too.
    for (qsizetype i = 1; i < done.size(); ++i)
        QVERIFY(done[i].id > done[i - 1].id);
}

void tst_MessageStore::resultsOfABigCommitLeaveTurnsForOtherWork()
{
    // 500 messages in one commit: their callbacks run a slice per event-loop turn, so work
    // queued on this thread after the first of them runs before the last, and the callbacks
    // themselves still come in append order.
    constexpr int Count = 500;
    QVERIFY(startStore({}));
    Mailbox context(nullptr); // queued work for it dies with it, should the test fail early
    QStringList events;
    {
        StoreHold hold(m_store);
        QVERIFY(hold.waitHeld());
        for (int i = 0; i < Count; ++i) {
            m_store->append(msg(QStringLiteral("big"), QString::number(i)), &context,
                            [&context, &events, i](const StoredMessage &, bool committed) {
                                events.append(committed ? QString::number(i) : QString());
                                if (i == 0)
                                    QMetaObject::invokeMethod(
                                        &context,
                                        [&events] { events.append(QStringLiteral("other")); },
                                        Qt::QueuedConnection);
                            });
        }
    } // the store moves on: one commit takes all of them
    QTRY_COMPARE_WITH_TIMEOUT(events.size(), Count + 1, 20000);
    QCOMPARE(m_store->committedBatches(), 1);
    const qsizetype other = events.indexOf(QStringLiteral("other"));
    QVERIFY2(other > 0 && other < Count, qPrintable(QString::number(other)));
    events.removeAt(other);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(events.at(i), QString::number(i));
}

void tst_MessageStore::resultsKeepComingAfterTheQueueEmptied()
{
    // A drain that found its queue empty must let the next commit start a new one.
    QVERIFY(startStore({}));
    Mailbox context(nullptr);
    int done = 0;
    for (int round = 1; round <= 5; ++round) {
        for (int i = 0; i < 3; ++i)
            m_store->append(msg(QStringLiteral("r"), QString::number(i)), &context,
                            [&done](const StoredMessage &, bool committed) {
                                if (committed)
                                    ++done;
                            });
        QTRY_COMPARE_WITH_TIMEOUT(done, 3 * round, 10000);
    }
}

void tst_MessageStore::aContextDeletedMidDrainGetsNothingMore()
{
    constexpr int Count = 300;
    QVERIFY(startStore({}));
    auto *context = new Mailbox(nullptr);
    QPointer<Mailbox> alive(context);
    int done = 0;
    {
        StoreHold hold(m_store);
        QVERIFY(hold.waitHeld());
        for (int i = 0; i < Count; ++i)
            m_store->append(msg(QStringLiteral("gone"), QString::number(i)), context,
                            [context, &done, i](const StoredMessage &, bool) {
                                ++done;
                                if (i == 10)
                                    context->deleteLater();
                            });
    }
    QTRY_VERIFY_WITH_TIMEOUT(alive.isNull(), 10000);
    QTest::qWait(100);
    QVERIFY2(done > 10 && done < Count, qPrintable(QString::number(done)));
    // The store goes on serving others.
    Mailbox next(nullptr);
    int later = 0;
    m_store->append(msg(QStringLiteral("gone"), QStringLiteral("after")), &next,
                    [&later](const StoredMessage &, bool committed) { later += committed; });
    QTRY_COMPARE_WITH_TIMEOUT(later, 1, 10000);
}

void tst_MessageStore::idsIncreaseAcrossReopen()
{
    QVERIFY(startStore({}));
    const qint64 first = appendAll({msg(QStringLiteral("a"), QStringLiteral("x"))}).first().id;
    stopStore();
    QVERIFY(startStore({}));
    const qint64 second = appendAll({msg(QStringLiteral("a"), QStringLiteral("y"))}).first().id;
    QVERIFY(second > first);
}

void tst_MessageStore::historyPages()
{
    QVERIFY(startStore({}));
    QList<StoredMessage> batch;
    for (int i = 0; i < 120; ++i)
        batch.append(
            msg(i % 2 ? QStringLiteral("odd") : QStringLiteral("even"), QString::number(i)));
    appendAll(batch);
    HistoryReader reader(m_location);

    const HistoryPage newest = reader.recent(QStringLiteral("even"), 50);
    QCOMPARE(newest.messages.size(), 50);
    QVERIFY(newest.more);
    QCOMPARE(newest.messages.last().body, QStringLiteral("118"));
    QVERIFY(newest.messages.first().id < newest.messages.last().id);

    // Paging back from the newest reaches the first message with nothing missed or repeated.
    QList<qint64> seen;
    qint64 before = std::numeric_limits<qint64>::max();
    for (int guard = 0; guard < 10; ++guard) {
        const HistoryPage page = reader.before(QStringLiteral("even"), before, 25);
        for (auto it = page.messages.crbegin(); it != page.messages.crend(); ++it)
            seen.append(it->id);
        if (!page.more)
            break;
        before = page.messages.first().id;
    }
    QCOMPARE(seen.size(), 60);
    QCOMPARE(QSet<qint64>(seen.cbegin(), seen.cend()).size(), 60);

    const HistoryPage after = reader.after(QStringLiteral("odd"), newest.messages.first().id, 1000);
    for (const StoredMessage &m : after.messages)
        QCOMPARE(m.room, QStringLiteral("odd"));
    QVERIFY(!after.more);
    const HistoryPage bounded = reader.after(QStringLiteral("odd"), 0, 10);
    QCOMPARE(bounded.messages.size(), 10);
    QVERIFY(bounded.more);
    QCOMPARE(bounded.messages.first().body, QStringLiteral("1"));
}

void tst_MessageStore::retentionKeepsNewestPerRoom()
{
    MessageStore::Options options;
    options.retainPerRoom = 10;
    QVERIFY(startStore(options));
    QList<StoredMessage> batch;
    for (int i = 0; i < 30; ++i)
        batch.append(
            msg(i < 25 ? QStringLiteral("busy") : QStringLiteral("quiet"), QString::number(i)));
    appendAll(batch);
    bool pruned = false;
    m_store->prune();
    m_store->mailbox().run([&pruned] { pruned = true; });
    QVERIFY(pruned);
    HistoryReader reader(m_location);
    const HistoryPage busy = reader.recent(QStringLiteral("busy"), 100);
    QCOMPARE(busy.messages.size(), 10);
    QCOMPARE(busy.messages.first().body, QStringLiteral("15"));
    QCOMPARE(busy.messages.last().body, QStringLiteral("24"));
    QCOMPARE(reader.recent(QStringLiteral("quiet"), 100).messages.size(), 5);
}

void tst_MessageStore::changesEditDeleteAndReact()
{
    QVERIFY(startStore({}));
    const QList<StoredMessage> stored =
        appendAll({msg(QStringLiteral("a"), QStringLiteral("first")),
                   msg(QStringLiteral("a"), QStringLiteral("second")),
                   msg(QStringLiteral("b"), QStringLiteral("elsewhere"))});
    const qint64 first = stored.at(0).id, second = stored.at(1).id, other = stored.at(2).id;
    const QString a = QStringLiteral("a");

    MessageChange edit{MessageChange::Kind::Edit, first, a};
    edit.body = QStringLiteral("first, edited");
    edit.at = QStringLiteral("2026-02-02T00:00:00.000Z");
    const ChangeOutcome edited = changeNow(edit);
    QVERIFY(edited.committed);
    QVERIFY(edited.changed);
    QVERIFY(edited.refusal.isEmpty());
    QVERIFY(edited.seq > 0);
    QCOMPARE(edited.message.body, edit.body);
    QCOMPARE(edited.message.editedAt, edit.at);
    // The same body: nothing written, no new sequence value.
    const ChangeOutcome same = changeNow(edit);
    QVERIFY(same.committed && !same.changed && same.seq == 0);
    // Another conversation's message is no message of this one.
    MessageChange wrongRoom{MessageChange::Kind::Edit, other, a};
    wrongRoom.body = QStringLiteral("x");
    QCOMPARE(changeNow(wrongRoom).refusal, QStringLiteral("no such message"));

    MessageChange react{MessageChange::Kind::React, second, a};
    react.emoji = QStringLiteral("+1");
    react.user = QStringLiteral("bob");
    const ChangeOutcome reacted = changeNow(react);
    QVERIFY(reacted.changed);
    QVERIFY(reacted.seq > edited.seq);
    QCOMPARE(reacted.message.reactions,
             (Reactions{{QStringLiteral("+1"), {QStringLiteral("bob")}}}));
    QVERIFY(!changeNow(react).changed);
    react.user = QStringLiteral("ann");
    QCOMPARE(changeNow(react).message.reactions,
             (Reactions{{QStringLiteral("+1"), {QStringLiteral("ann"), QStringLiteral("bob")}}}));

    HistoryReader reader(m_location);
    QCOMPARE(reader.recent(a, 10).messages.at(1).reactions.size(), 1);
    const qint64 seqBeforeDelete = reader.changeSeq(a);

    const ChangeOutcome deleted = changeNow(MessageChange{MessageChange::Kind::Delete, second, a});
    QVERIFY(deleted.changed);
    QVERIFY(deleted.message.deleted);
    QCOMPARE(changeNow(MessageChange{MessageChange::Kind::Delete, second, a}).refusal,
             QStringLiteral("message deleted"));
    QCOMPARE(changeNow(react).refusal, QStringLiteral("message deleted"));
    const StoredMessage gone = reader.recent(a, 10).messages.at(1);
    QVERIFY(gone.deleted);
    QVERIFY(gone.body.isEmpty());
    QVERIFY(gone.reactions.isEmpty());
    QCOMPARE(gone.toJson(), (QJsonObject{{"id", second}, {"deleted", true}}));

    // Changes since before the deletion: just it; since the start: the edit, then the deletion
    // (the reactions' row moved to the deletion's value).
    QCOMPARE(reader.changeSeq(a), deleted.seq);
    QCOMPARE(reader.changeSeq(QStringLiteral("b")), 0);
    HistoryPage changes = reader.changes(a, second, seqBeforeDelete, 10);
    QCOMPARE(changes.messages.size(), 1);
    QCOMPARE(changes.messages.first().id, second);
    changes = reader.changes(a, second, 0, 10);
    QCOMPARE(changes.messages.size(), 2);
    QCOMPARE(changes.messages.at(0).id, first);
    QCOMPARE(changes.messages.at(0).body, edit.body);
    QCOMPARE(changes.messages.at(1).id, second);
    QVERIFY(!changes.more);
    QCOMPARE(reader.changes(a, second, 0, 1).more, true);
    // Only messages up to last_seen_id.
    QCOMPARE(reader.changes(a, first, 0, 10).messages.size(), 1);
}

void tst_MessageStore::reactionLimitAndChangeRows()
{
    QVERIFY(startStore({}));
    const qint64 id = appendAll({msg(QStringLiteral("r"), QStringLiteral("m"))}).first().id;
    MessageChange react{MessageChange::Kind::React, id, QStringLiteral("r")};
    react.user = QStringLiteral("ann");
    for (int i = 0; i < 20; ++i) {
        react.emoji = QStringLiteral("e%1").arg(i);
        QVERIFY(changeNow(react).changed);
    }
    react.emoji = QStringLiteral("e20");
    QCOMPARE(changeNow(react).refusal, QStringLiteral("too many reactions"));
    // An emoji already there is no new one.
    react.emoji = QStringLiteral("e3");
    react.user = QStringLiteral("bob");
    QVERIFY(changeNow(react).changed);
    react.on = false;
    QVERIFY(changeNow(react).changed);
    QVERIFY(!changeNow(react).changed); // off without a reaction

    // 22 changes, one row: `changes` keeps a message's newest change only.
    QSqlDatabase db = openDirect(QStringLiteral("rows"));
    QVERIFY(db.isOpen());
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*), MAX(seq) FROM changes")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QCOMPARE(q.value(1).toInt(), 22);
    }
    db.close();
    db = {};
    QSqlDatabase::removeDatabase(QStringLiteral("rows"));
}

void tst_MessageStore::headsMoveWithCommitsAndSurviveReopen()
{
    QVERIFY(startStore({}));
    const QString lobby = QStringLiteral("lobby");
    const QString dm = QStringLiteral("dm:ann:bob");
    QCOMPARE(m_store->heads().of(lobby).lastMessageId, 0);
    {
        HistoryReader reader(m_location, nullptr, &m_store->heads());
        QVERIFY(reader.recent(lobby, 10).messages.isEmpty());

        // A commit's results go back only once the heads show it: a worker publishes nothing
        // a joining reader could still take for "nothing newer".
        bool headAheadOfResult = true;
        QList<StoredMessage> stored;
        for (const StoredMessage &m :
             {msg(lobby, QStringLiteral("one")), msg(lobby, QStringLiteral("two")),
              msg(dm, QStringLiteral("psst")), msg(lobby, QStringLiteral("three"))}) {
            m_store->append(m, &m_results, [&](const StoredMessage &done, bool committed) {
                headAheadOfResult = headAheadOfResult && committed &&
                                    m_store->heads().of(done.room).lastMessageId >= done.id;
                stored.append(done);
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(stored.size(), 4, 20000);
        QVERIFY(headAheadOfResult);
        const qint64 last = stored.at(3).id;
        QCOMPARE(m_store->heads().of(lobby).lastMessageId, last);
        QCOMPARE(m_store->heads().of(dm).lastMessageId, stored.at(2).id);

        QCOMPARE(reader.recent(lobby, 10).messages.size(), 3);
        QCOMPARE(reader.after(lobby, stored.at(1).id, 10).messages.size(), 1);
        QVERIFY(reader.after(lobby, last, 10).messages.isEmpty());
        QCOMPARE(reader.countAfter(lobby, 0, QStringLiteral("bob"), 10), 3);
        QCOMPARE(reader.countAfter(lobby, last, QStringLiteral("bob"), 10), 0);
        QCOMPARE(reader.recent(dm, 10).messages.size(), 1);

        MessageChange edit{MessageChange::Kind::Edit, stored.at(0).id, lobby};
        edit.body = QStringLiteral("one, edited");
        edit.at = QStringLiteral("2026-02-02T00:00:00.000Z");
        const ChangeOutcome edited = changeNow(edit);
        QVERIFY(edited.changed);
        QCOMPARE(m_store->heads().of(lobby).lastChangeSeq, edited.seq);
        QCOMPARE(reader.changeSeq(lobby), edited.seq);
        QCOMPARE(reader.changes(lobby, last, 0, 10).messages.size(), 1);
        QVERIFY(reader.changes(lobby, last, edited.seq, 10).messages.isEmpty());

        // The heads are what the reader trusts: a row written behind the store's back (no
        // server does that) is past the head, so the reader does not even ask for it.
        {
            QSqlDatabase db = openDirect(QStringLiteral("behind"));
            QVERIFY(db.isOpen());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("INSERT INTO messages (room, \"user\", body, at, author) "
                                          "VALUES ('lobby', 'eve', 'unseen', "
                                          "'2026-01-01T00:00:00.000Z', '')")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("behind"));
        QVERIFY(reader.after(lobby, last, 10).messages.isEmpty());
        HistoryReader plain(m_location);
        QCOMPARE(plain.after(lobby, last, 10).messages.size(), 1);
    }
    stopStore();

    // Loaded again at open: a restarted server answers joins from the database as before.
    QVERIFY(startStore({}));
    HistoryReader reader(m_location, nullptr, &m_store->heads());
    QCOMPARE(reader.recent(lobby, 10).messages.size(), 4);
    QCOMPARE(reader.recent(dm, 10).messages.size(), 1);
    QVERIFY(reader.changeSeq(lobby) > 0);
    QCOMPARE(reader.changes(lobby, m_store->heads().of(lobby).lastMessageId, 0, 10).messages.size(),
             1);
}

void tst_MessageStore::appendWaitsForAnotherWritersCommit()
{
    // Another writer (on PostgreSQL another node, which locks the room's row first as the store
    // does; on SQLite another connection holding the write lock) is in the middle of a
    // transaction on the room. The store's append must take its id after that writer's: had it
    // taken one before, the other's larger id could be committed and read first, and a client
    // rejoining with `last_seen_id` = that larger id would never see the store's message
    // (docs/cluster.md, "Message ids").
    QVERIFY(startStore({}));
    const QString room = QStringLiteral("shared");
    appendAll({msg(room, QStringLiteral("first"))}); // the room's row exists
    QSqlDatabase other = openDirect(QStringLiteral("other"));
    QVERIFY(other.isOpen());
    {
        QSqlQuery q(other);
        QVERIFY(q.exec(QStringLiteral("BEGIN")));
        QVERIFY2(q.exec(postgres() ? QStringLiteral("SELECT last_message_id FROM rooms "
                                                    "WHERE name = 'shared' FOR UPDATE")
                                   // Takes SQLite's write lock now, as the row lock above.
                                   : QStringLiteral("UPDATE rooms SET message_count = "
                                                    "message_count WHERE name = 'shared'")),
                 qPrintable(q.lastError().text()));
    }
    bool otherCommitted = false;
    std::optional<bool> ackedAfterOther;
    qint64 ours = 0;
    m_store->append(msg(room, QStringLiteral("ours")), &m_results,
                    [&](const StoredMessage &stored, bool committed) {
                        ours = committed ? stored.id : -1;
                        ackedAfterOther = otherCommitted;
                    });
    // Time for the store to reach the room: a store that took its id without waiting has it
    // by now, and the other writer's insert below then gets a larger one.
    QTest::qWait(300);
    QVERIFY(!ackedAfterOther.has_value());
    qint64 otherId = 0;
    {
        QSqlQuery q(other);
        QVERIFY(q.exec(QStringLiteral("INSERT INTO messages (room, \"user\", body, at) VALUES "
                                      "('shared', 'bob', 'other', '2026-01-01T00:00:01.000Z')%1")
                           .arg(postgres() ? QStringLiteral(" RETURNING id") : QString())));
        otherId =
            postgres() ? (q.next() ? q.value(0).toLongLong() : 0) : q.lastInsertId().toLongLong();
        q.finish();
        QVERIFY(q.exec(QStringLiteral("COMMIT")));
        otherCommitted = true;
    }
    other.close();
    other = {};
    QSqlDatabase::removeDatabase(QStringLiteral("other"));
    QTRY_VERIFY_WITH_TIMEOUT(ackedAfterOther.has_value(), 20000);
    QVERIFY(*ackedAfterOther);
    QVERIFY2(ours > otherId, qPrintable(QStringLiteral("%1 %2").arg(ours).arg(otherId)));
    HistoryReader reader(m_location);
    QCOMPARE(reader.room(room)->lastMessageId, ours);
}

void tst_MessageStore::conversationReads()
{
    // The reads whose text differs between the stores, or that hide a PostgreSQL trap: DMs by
    // either side (substr() with a negative start, inventory H2), unread counts and authors
    // (an unquoted `user` is CURRENT_USER there, H1).
    QVERIFY(startStore({}));
    StoredMessage fromBob = msg(QStringLiteral("dm:ann:bob"), QStringLiteral("hi ann"));
    fromBob.user = QStringLiteral("bob");
    StoredMessage bobCy = msg(QStringLiteral("dm:bob:cy"), QStringLiteral("hey"));
    bobCy.user = QStringLiteral("bob");
    const QList<StoredMessage> stored =
        appendAll({msg(QStringLiteral("dm:ann:bob"), QStringLiteral("hi bob")), fromBob, bobCy,
                   msg(QStringLiteral("dm:al:ann"), QStringLiteral("x")),
                   msg(QStringLiteral("lobby"), QStringLiteral("room"))});
    HistoryReader reader(m_location);
    const auto names = [&reader](const QString &side) {
        QStringList all;
        for (const HistoryReader::RoomRow &row : reader.directRooms(side))
            all.append(row.name);
        return all;
    };
    // Newest first.
    QCOMPARE(names(QStringLiteral("ann")),
             (QStringList{QStringLiteral("dm:al:ann"), QStringLiteral("dm:ann:bob")}));
    QCOMPARE(names(QStringLiteral("bob")),
             (QStringList{QStringLiteral("dm:bob:cy"), QStringLiteral("dm:ann:bob")}));
    QCOMPARE(names(QStringLiteral("cy")), QStringList{QStringLiteral("dm:bob:cy")});
    QCOMPARE(names(QStringLiteral("an")), QStringList{});

    const QString dm = QStringLiteral("dm:ann:bob");
    QCOMPARE(reader.countAfter(dm, 0, QStringLiteral("ann"), 100), 1);
    QCOMPARE(reader.countAfter(dm, 0, QStringLiteral("cy"), 100), 2);
    QCOMPARE(reader.countAfter(dm, 0, QStringLiteral("cy"), 1), 1);
    QCOMPARE(reader.countAfter(dm, stored.at(0).id, QStringLiteral("cy"), 100), 1);
    QCOMPARE(reader.message(stored.at(1).id)->user, QStringLiteral("bob"));
    QCOMPARE(reader.recent(dm, 10).messages.at(1).user, QStringLiteral("bob"));

    const auto row = reader.room(dm);
    QVERIFY(row);
    QCOMPARE(row->messageCount, 2);
    QCOMPARE(row->lastMessageId, stored.at(1).id);
    const auto rooms = reader.rooms(); // DMs are not in the directory
    QCOMPARE(rooms.size(), 1);
    QCOMPARE(rooms.first().name, QStringLiteral("lobby"));
}

void tst_MessageStore::conversationsAreStoredAndReadBack()
{
    // Private rooms, members (in the order they were added: SQLite's rowid, PostgreSQL's seq),
    // read markers (clamped, never backwards, unread counts without the reader's own messages)
    // and mutes, written through the store and read back as a restart would.
    QVERIFY(startStore({}));
    // Checked here, not on the store thread.
    int accounts = 0;
    runOnStore([&accounts](QSqlDatabase &db) {
        QSqlQuery q(db);
        for (const char *name : {"Ann", "Bob", "Cid"})
            accounts += q.exec(QStringLiteral("INSERT INTO accounts (display, password_hash, "
                                              "created_at) VALUES ('%1', 'x', '2026-01-01')")
                                   .arg(QLatin1String(name)));
    });
    QCOMPARE(accounts, 3);
    QString loadError;
    const auto load = [this, &loadError] {
        std::optional<Conversations::Loaded> loaded;
        runOnStore([&loaded, &loadError](QSqlDatabase &db) {
            auto read = Conversations::loadFrom(db);
            if (read)
                loaded = *read;
            else
                loadError = read.error();
        });
        return loaded.value_or(Conversations::Loaded{});
    };
    const Conversations::Member ann{1, QStringLiteral("Ann")}, bob{2, QStringLiteral("Bob")},
        cid{3, QStringLiteral("Cid")};
    Conversations conversations;
    conversations.attach(m_store, load());
    QVERIFY2(loadError.isEmpty(), qPrintable(loadError));
    QList<StoredMessage> batch;
    for (const char *user : {"Bob", "Ann", "Bob", "Bob"}) {
        StoredMessage m = msg(QStringLiteral("lobby"), QStringLiteral("hi"));
        m.user = QString::fromLatin1(user);
        batch.append(m);
    }
    const QList<StoredMessage> stored = appendAll(batch);
    qint64 marker = 0;
    int unread = -1;
    const auto read = [&](qint64 id) {
        marker = 0;
        conversations.markRead(ann.accountId, ann.display, QStringLiteral("lobby"), id, &m_results,
                               [&](qint64 m, int u) {
                                   marker = m;
                                   unread = u;
                               });
        QTRY_VERIFY_WITH_TIMEOUT(marker != 0, 20000);
    };
    read(stored.at(0).id);
    QCOMPARE(unread, 2); // Ann's own message is not unread
    read(stored.at(2).id);
    QCOMPARE(unread, 1);
    read(stored.at(1).id); // backwards: the marker stays
    QCOMPARE(marker, stored.at(2).id);
    read(stored.at(3).id + 100); // beyond the newest: clamped
    QCOMPARE(marker, stored.at(3).id);
    QCOMPARE(unread, 0);

    bool muted = false;
    conversations.setMuted(ann.accountId, QStringLiteral("dm:ann:bob"), true, &m_results,
                           [&](bool ok) { muted = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(muted, 20000);
    Conversations::PrivateRoom group;
    group.name = QStringLiteral("g.0123456789ab");
    group.ownerId = ann.accountId;
    group.ownerDisplay = ann.display;
    group.group = true;
    group.members = {ann, bob, cid};
    bool created = false;
    QVERIFY(conversations.createPrivate(group, &m_results, [&](bool ok) { created = ok; }));
    QTRY_VERIFY_WITH_TIMEOUT(created, 20000);
    bool removed = false;
    conversations.removeMember(group.name, bob.accountId, &m_results,
                               [&](bool ok) { removed = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(removed, 20000);
    bool added = false;
    conversations.addMember(group.name, bob, &m_results, [&](bool ok) { added = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(added, 20000);

    Conversations again;
    again.attach(nullptr, load());
    QVERIFY2(loadError.isEmpty(), qPrintable(loadError));
    QCOMPARE(again.readState(ann.accountId, QStringLiteral("lobby")).lastReadId, stored.at(3).id);
    QVERIFY(again.readState(ann.accountId, QStringLiteral("dm:ann:bob")).muted);
    const auto loaded = again.privateRoom(group.name);
    QVERIFY(loaded);
    QVERIFY(loaded->group);
    QCOMPARE(loaded->ownerDisplay, ann.display);
    // Bob left and came back: he is now the last added.
    QCOMPARE(loaded->members, (QList{ann, cid, bob}));
}

QTEST_GUILESS_MAIN(tst_MessageStore)
#include "tst_messagestore.moc"
