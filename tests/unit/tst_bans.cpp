// SPDX-License-Identifier: MIT
#include "bans.h"
#include "messagestore.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace chatter::server;

namespace {

const QHostAddress Home(QStringLiteral("127.0.0.1"));

//! A real store in a temporary directory, on this thread (its jobs run as events are processed).
struct Store
{
    QTemporaryDir dir;
    std::unique_ptr<MessageStore> store;

    Store()
    {
        MessageStore::Options options;
        options.location = StoreLocation::sqlite(dir.filePath(QStringLiteral("chatter.db")));
        options.fullSync = false;
        store = std::make_unique<MessageStore>(options);
        if (const auto opened = store->open(); !opened)
            qFatal("cannot open the test store: %s", qPrintable(opened.error()));
    }

    //! Runs `job` on the store and waits until it (and every job before it) has run.
    void run(const std::function<void(QSqlDatabase &)> &job)
    {
        bool done = false;
        store->run([&](QSqlDatabase &db) {
            job(db);
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 5000))
            qFatal("the store did not run the job");
    }

    //! The bans as a restarted engine loads them.
    std::unique_ptr<Bans> reload()
    {
        auto bans = std::make_unique<Bans>();
        QList<Bans::Ban> loaded;
        qint64 lastId = 0;
        run([&](QSqlDatabase &db) {
            auto read = Bans::load(db, &lastId);
            QVERIFY2(read, qPrintable(read ? QString() : read.error()));
            loaded = *read;
        });
        bans->attach(store.get(), loaded, lastId);
        return bans;
    }
};

} // namespace

class tst_Bans : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nicknameBanCoversLookAlikes();
    void addressBan();
    void expiredAndLiftedBansStopApplying();
    void bansOutliveARestart();
    void accountOfABannedNicknameIsBanned();
};

void tst_Bans::nicknameBanCoversLookAlikes()
{
    Bans bans;
    bans.banNickname(QStringLiteral("troll"), {}, QStringLiteral("root"), {});
    for (const char *nickname : {"troll", "TROLL", "troIl", "Troll"})
        QVERIFY2(!bans.check(QString::fromUtf8(nickname), Home), nickname);
    QVERIFY(bans.check(QStringLiteral("trolls"), Home));
    QVERIFY(bans.check(QStringLiteral("nice"), Home));
}

void tst_Bans::addressBan()
{
    Bans bans;
    bans.banAddress(QHostAddress(QStringLiteral("10.1.2.3")), {}, QStringLiteral("monitor"),
                    QDateTime::currentDateTimeUtc().addSecs(600));
    QVERIFY(!bans.check(QStringLiteral("anyone"), QHostAddress(QStringLiteral("10.1.2.3"))));
    // The same client on a dual-stack socket.
    QVERIFY(!bans.check(QStringLiteral("anyone"), QHostAddress(QStringLiteral("::ffff:10.1.2.3"))));
    QVERIFY(bans.check(QStringLiteral("anyone"), Home));
    QCOMPARE(bans.liftTarget(QStringLiteral("10.1.2.3")), 1);
    QVERIFY(bans.check(QStringLiteral("anyone"), QHostAddress(QStringLiteral("10.1.2.3"))));
}

void tst_Bans::expiredAndLiftedBansStopApplying()
{
    Bans bans;
    bans.banNickname(QStringLiteral("old"), {}, QStringLiteral("root"),
                     QDateTime::currentDateTimeUtc().addSecs(-1));
    const Bans::Ban lifted =
        bans.banNickname(QStringLiteral("forgiven"), {}, QStringLiteral("root"), {});
    QVERIFY(bans.check(QStringLiteral("old"), Home));
    QVERIFY(!bans.check(QStringLiteral("forgiven"), Home));
    QVERIFY(bans.lift(lifted.id));
    QVERIFY(!bans.lift(lifted.id));
    QVERIFY(bans.check(QStringLiteral("forgiven"), Home));
    QVERIFY(bans.active().isEmpty());
    QCOMPARE(bans.liftTarget(QStringLiteral("old")), 0);
}

void tst_Bans::bansOutliveARestart()
{
    Store store;
    {
        Bans bans;
        bans.attach(store.store.get(), {}, 0);
        bans.banNickname(QStringLiteral("troll"), QStringLiteral("spam"), QStringLiteral("root"),
                         {});
        bans.banAddress(QHostAddress(QStringLiteral("10.1.2.3")), {}, QStringLiteral("monitor"),
                        QDateTime::currentDateTimeUtc().addSecs(600));
        const Bans::Ban lifted =
            bans.banNickname(QStringLiteral("forgiven"), {}, QStringLiteral("root"), {});
        bans.banNickname(QStringLiteral("old"), {}, QStringLiteral("root"),
                         QDateTime::currentDateTimeUtc().addSecs(-1));
        QVERIFY(bans.lift(lifted.id));
        // The store's jobs for these bans run before the bans go (as the engine stops its
        // store thread before it deletes them).
        store.run([](QSqlDatabase &) {});
    }
    const std::unique_ptr<Bans> reloaded = store.reload();
    Bans &bans = *reloaded;
    QVERIFY(!bans.check(QStringLiteral("troll"), Home));
    QVERIFY(!bans.check(QStringLiteral("TroII"), Home));
    QVERIFY(!bans.check(QStringLiteral("x"), QHostAddress(QStringLiteral("10.1.2.3"))));
    QVERIFY(bans.check(QStringLiteral("forgiven"), Home));
    QVERIFY(bans.check(QStringLiteral("old"), Home));
    QCOMPARE(bans.active().size(), 2);
    const Bans::Ban troll = bans.active().first();
    QCOMPARE(troll.target, QStringLiteral("troll"));
    QCOMPARE(troll.reason, QStringLiteral("spam"));
    QCOMPARE(troll.createdBy, QStringLiteral("root"));
    QVERIFY(troll.until.isNull());

    // New bans after a restart get new ids; a lift after it is stored too.
    const Bans::Ban again =
        bans.banNickname(QStringLiteral("another"), {}, QStringLiteral("root"), {});
    QVERIFY(again.id > troll.id + 3);
    QCOMPARE(bans.liftTarget(QStringLiteral("TROLL")), 1);
    const std::unique_ptr<Bans> third = store.reload();
    QVERIFY(third->check(QStringLiteral("troll"), Home));
    QVERIFY(!third->check(QStringLiteral("another"), Home));
}

void tst_Bans::accountOfABannedNicknameIsBanned()
{
    Store store;
    store.run([](QSqlDatabase &db) {
        QSqlQuery query(db);
        QVERIFY(query.exec("INSERT INTO accounts (id, display, password_hash, created_at) "
                           "VALUES (7, 'Alice', 'x', '2026-01-01T00:00:00.000Z')"));
        QVERIFY(query.exec("INSERT INTO account_keys (key, account_id) VALUES ('alice', 7)"));
    });
    Bans bans;
    bans.attach(store.store.get(), {}, 0);
    bans.banNickname(QStringLiteral("ALICE"), {}, QStringLiteral("root"), {});
    store.run([](QSqlDatabase &) {}); // the account is looked up on the store thread
    QCOMPARE(bans.active().first().accountId, 7);
    // Account 7, whatever nickname it would come with.
    QVERIFY(!bans.check(QStringLiteral("somebody"), Home, 7));
    QVERIFY(bans.check(QStringLiteral("somebody"), Home, 8));
    QCOMPARE(store.reload()->active().first().accountId, 7);
}

QTEST_GUILESS_MAIN(tst_Bans)
#include "tst_bans.moc"
