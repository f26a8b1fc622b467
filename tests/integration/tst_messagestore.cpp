// SPDX-License-Identifier: MIT
#include "epolleventdispatcher.h"
#include "historyreader.h"
#include "mailbox.h"
#include "messagestore.h"
#include "schema.h"
#include "storehold.h"

#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace chatter::server;

class tst_MessageStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void migratesVersionOneFiles();
    void refusesNewerSchema();
    void groupsConcurrentAppendsIntoFewCommits();
    void resultsOfABigCommitLeaveTurnsForOtherWork();
    void resultsKeepComingAfterTheQueueEmptied();
    void aContextDeletedMidDrainGetsNothingMore();
    void idsIncreaseAcrossReopen();
    void historyPages();
    void retentionKeepsNewestPerRoom();

private:
    MessageStore *startStore(MessageStore::Options options, QString *error = nullptr);
    void stopStore();
    QList<StoredMessage> appendAll(const QList<StoredMessage> &messages);

    QTemporaryDir m_dir;
    QString m_path;
    QThread *m_thread = nullptr;
    Mailbox m_results{nullptr}; //!< where the store hands this thread its results
    MessageStore *m_store = nullptr;
};

static StoredMessage msg(const QString &room, const QString &body)
{
    return StoredMessage{0, room, QStringLiteral("ann"), body,
                         QStringLiteral("2026-01-01T00:00:00.000Z")};
}

void tst_MessageStore::init()
{
    m_path = m_dir.filePath(QStringLiteral("%1.db").arg(QTest::currentTestFunction()));
}

void tst_MessageStore::cleanup()
{
    stopStore();
}

MessageStore *tst_MessageStore::startStore(MessageStore::Options options, QString *error)
{
    options.path = m_path;
    options.fullSync = false;
    m_thread = new QThread;
    // As the engine does: the dispatcher (and its wake-up descriptor) made here, before anyone
    // posts to the thread.
    m_thread->setEventDispatcher(new EpollEventDispatcher);
    m_store = new MessageStore(options);
    m_store->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_store, &QObject::deleteLater);
    m_thread->start();
    bool opened = false;
    QString why;
    m_store->mailbox().run([&] {
        const auto ready = m_store->open();
        opened = ready.has_value();
        why = ready ? QString() : ready.error();
    });
    if (error)
        *error = why;
    return opened ? m_store : nullptr;
}

void tst_MessageStore::stopStore()
{
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_store = nullptr;
}

QList<StoredMessage> tst_MessageStore::appendAll(const QList<StoredMessage> &messages)
{
    QList<StoredMessage> done;
    for (const StoredMessage &m : messages) {
        m_store->append(m, &m_results, [&done](const StoredMessage &stored, bool committed) {
            if (committed)
                done.append(stored);
        });
    }
    [&] { QTRY_COMPARE_WITH_TIMEOUT(done.size(), messages.size(), 20000); }();
    return done;
}

void tst_MessageStore::migratesVersionOneFiles()
{
    {
        // A file as the first schema wrote it: messages only, no index, no rooms.
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
        db.setDatabaseName(m_path);
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
    HistoryReader reader(m_path);
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

void tst_MessageStore::refusesNewerSchema()
{
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("future"));
        db.setDatabaseName(m_path);
        QVERIFY(db.open());
        QSqlQuery(db).exec(
            QStringLiteral("PRAGMA user_version=%1").arg(schema::CurrentVersion + 1));
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
    HistoryReader reader(m_path);

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
    HistoryReader reader(m_path);
    const HistoryPage busy = reader.recent(QStringLiteral("busy"), 100);
    QCOMPARE(busy.messages.size(), 10);
    QCOMPARE(busy.messages.first().body, QStringLiteral("15"));
    QCOMPARE(busy.messages.last().body, QStringLiteral("24"));
    QCOMPARE(reader.recent(QStringLiteral("quiet"), 100).messages.size(), 5);
}

QTEST_GUILESS_MAIN(tst_MessageStore)
#include "tst_messagestore.moc"
