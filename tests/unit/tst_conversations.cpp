// SPDX-License-Identifier: MIT
// Conversations, the shared directory of private rooms, members and read state: what memory
// answers, what reaches the database, and that a restart reads back the same.
#include "conversations.h"
#include "mailbox.h"
#include "messagestore.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace chatter::server;

namespace {

//! A real store in a temporary directory, on this thread (its jobs run as events are processed).
struct Store
{
    QTemporaryDir dir;
    std::unique_ptr<MessageStore> store;
    Mailbox mailbox{nullptr}; //!< where results are posted: this thread

    Store()
    {
        MessageStore::Options options;
        options.location = StoreLocation::sqlite(dir.filePath(QStringLiteral("chatter.db")));
        options.fullSync = false;
        store = std::make_unique<MessageStore>(options);
        if (const auto opened = store->open(); !opened)
            qFatal("cannot open the test store: %s", qPrintable(opened.error()));
        run([](QSqlDatabase &db) {
            QSqlQuery q(db);
            for (const char *name : {"Ann", "Bob", "Cid"})
                q.exec(QStringLiteral("INSERT INTO accounts (display, password_hash, created_at) "
                                      "VALUES ('%1', 'x', '2026-01-01')")
                           .arg(QLatin1String(name)));
        });
    }

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

    QList<qint64> messages(const QString &room, const QStringList &users)
    {
        QList<qint64> ids;
        for (const QString &user : users)
            store->append(StoredMessage{0, room, user, QStringLiteral("hi"), QStringLiteral("t")},
                          &mailbox, [&ids](const StoredMessage &m, bool) { ids.append(m.id); });
        if (!QTest::qWaitFor([&] { return ids.size() == users.size(); }, 5000))
            qFatal("the store did not commit");
        return ids;
    }

    Conversations::Loaded load()
    {
        Conversations::Loaded loaded;
        run([&](QSqlDatabase &db) {
            auto read = Conversations::loadFrom(db);
            if (!read)
                qFatal("cannot load: %s", qPrintable(read.error()));
            loaded = *read;
        });
        return loaded;
    }
};

const Conversations::Member Ann{1, QStringLiteral("Ann")};
const Conversations::Member Bob{2, QStringLiteral("Bob")};
const Conversations::Member Cid{3, QStringLiteral("Cid")};

Conversations::PrivateRoom room(const QString &name, QList<Conversations::Member> members)
{
    Conversations::PrivateRoom r;
    r.name = name;
    r.ownerId = members.value(0).accountId;
    r.ownerDisplay = members.value(0).display;
    r.members = std::move(members);
    return r;
}

} // namespace

class TstConversations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void privateRoomsInMemory()
    {
        Conversations c;
        QVERIFY(c.mayRead(QStringLiteral("lobby"), 0));
        QVERIFY(c.createPrivate(room(QStringLiteral("p"), {Ann})));
        QVERIFY(!c.createPrivate(room(QStringLiteral("p"), {Bob})));
        QVERIFY(c.isPrivate(QStringLiteral("p")));
        QVERIFY(c.mayRead(QStringLiteral("p"), Ann.accountId));
        QVERIFY(!c.mayRead(QStringLiteral("p"), Bob.accountId));
        QVERIFY(!c.mayRead(QStringLiteral("p"), 0));
        QVERIFY(c.mayRead(QStringLiteral("lobby"), Bob.accountId));

        bool stored = false;
        c.addMember(QStringLiteral("p"), Bob, nullptr, [&](bool ok) { stored = ok; });
        QVERIFY(stored);
        QVERIFY(c.mayRead(QStringLiteral("p"), Bob.accountId));
        c.addMember(QStringLiteral("p"), Bob, nullptr, [&](bool ok) { stored = ok; });
        QVERIFY(!stored);
        c.addMember(QStringLiteral("lobby"), Bob, nullptr, [&](bool ok) { stored = ok; });
        QVERIFY(!stored);
        QCOMPARE(c.privateRoomsOf(Bob.accountId).size(), 1);
        QCOMPARE(c.privateRoom(QStringLiteral("p"))->members, (QList{Ann, Bob}));

        c.removeMember(QStringLiteral("p"), Bob.accountId, nullptr, [&](bool ok) { stored = ok; });
        QVERIFY(stored);
        QVERIFY(!c.mayRead(QStringLiteral("p"), Bob.accountId));
        QVERIFY(c.privateRoomsOf(Bob.accountId).isEmpty());
    }

    void hereOncePerWindow()
    {
        Conversations c;
        QVERIFY(c.takeHere(QStringLiteral("ann"), QStringLiteral("lobby"), 1000));
        QVERIFY(!c.takeHere(QStringLiteral("ann"), QStringLiteral("lobby"), 60'999));
        QVERIFY(c.takeHere(QStringLiteral("ann"), QStringLiteral("other"), 2000));
        QVERIFY(c.takeHere(QStringLiteral("bob"), QStringLiteral("lobby"), 2000));
        QVERIFY(c.takeHere(QStringLiteral("ann"), QStringLiteral("lobby"), 61'000));
    }

    void readMarkersAreStoredClampedAndNeverGoBack()
    {
        Store s;
        Conversations c;
        c.attach(s.store.get(), s.load());
        const QList<qint64> ids =
            s.messages(QStringLiteral("lobby"), {QStringLiteral("Bob"), QStringLiteral("Ann"),
                                                 QStringLiteral("Bob"), QStringLiteral("Bob")});
        qint64 marker = 0;
        int unread = -1;
        auto read = [&](qint64 id) {
            marker = 0;
            c.markRead(Ann.accountId, Ann.display, QStringLiteral("lobby"), id, &s.mailbox,
                       [&](qint64 m, int u) {
                           marker = m;
                           unread = u;
                       });
            QVERIFY(QTest::qWaitFor([&] { return marker != 0; }, 5000));
        };
        read(ids[0]);
        QCOMPARE(marker, ids[0]);
        QCOMPARE(unread, 2); // Ann's own message is not unread
        QCOMPARE(c.readState(Ann.accountId, QStringLiteral("lobby")).lastReadId, ids[0]);
        read(ids[2]);
        QCOMPARE(marker, ids[2]);
        QCOMPARE(unread, 1);
        read(ids[1]); // backwards: the marker stays
        QCOMPARE(marker, ids[2]);
        read(ids[3] + 100); // beyond the newest: clamped
        QCOMPARE(marker, ids[3]);
        QCOMPARE(unread, 0);

        bool muted = false;
        c.setMuted(Ann.accountId, QStringLiteral("dm:ann:bob"), true, &s.mailbox,
                   [&](bool ok) { muted = ok; });
        QVERIFY(QTest::qWaitFor([&] { return muted; }, 5000));
        QVERIFY(c.readState(Ann.accountId, QStringLiteral("dm:ann:bob")).muted);
        QVERIFY(!c.readState(Ann.accountId, QStringLiteral("lobby")).muted);

        bool created = false;
        Conversations::PrivateRoom group = room(QStringLiteral("g.0123456789ab"), {Ann, Bob, Cid});
        group.group = true;
        QVERIFY(c.createPrivate(group, &s.mailbox, [&](bool ok) { created = ok; }));
        QVERIFY(QTest::qWaitFor([&] { return created; }, 5000));
        bool removed = false;
        c.removeMember(group.name, Cid.accountId, &s.mailbox, [&](bool ok) { removed = ok; });
        QVERIFY(QTest::qWaitFor([&] { return removed; }, 5000));

        // A restart reads back what was stored.
        Conversations again;
        again.attach(nullptr, s.load());
        QCOMPARE(again.readState(Ann.accountId, QStringLiteral("lobby")).lastReadId, ids[3]);
        QVERIFY(again.readState(Ann.accountId, QStringLiteral("dm:ann:bob")).muted);
        QCOMPARE(again.readStatesOf(Bob.accountId).size(), 0);
        const auto loaded = again.privateRoom(group.name);
        QVERIFY(loaded);
        QVERIFY(loaded->group);
        QCOMPARE(loaded->ownerId, Ann.accountId);
        QCOMPARE(loaded->ownerDisplay, Ann.display);
        QCOMPARE(loaded->members, (QList{Ann, Bob}));
    }
};

QTEST_GUILESS_MAIN(TstConversations)
#include "tst_conversations.moc"
