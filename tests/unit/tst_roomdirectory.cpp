// SPDX-License-Identifier: MIT
#include "presencetracker.h"
#include "roomdirectory.h"

#include <QTest>
#include <QThread>

#include <latch>
#include <thread>
#include <vector>

using chatter::server::PresenceTracker;
using chatter::server::RoomDirectory;

namespace {

RoomDirectory::Room roomOf(const RoomDirectory &directory, const QString &name)
{
    for (const RoomDirectory::Room &room : directory.rooms())
        if (room.name == name)
            return room;
    return {};
}

//! A member count as a worker writes it: "members@version".
struct Write
{
    int members;
    quint64 version;
};

} // namespace

Q_DECLARE_METATYPE(QList<Write>)

class tst_RoomDirectory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void newestMemberCountWins_data();
    void newestMemberCountWins();
    void staleCountIsNotDirty();
    void concurrentWorkersEndWithTheTrackersCount();
    void admissionCountsRoomsThatExist();
    void creationRateIsAsked();
    void dormantNamesAreForgotten();
};

void tst_RoomDirectory::newestMemberCountWins_data()
{
    QTest::addColumn<QList<Write>>("writes");
    QTest::addColumn<int>("members");

    QTest::newRow("in order") << QList<Write>{{1, 1}, {2, 2}, {1, 3}} << 1;
    QTest::newRow("an older count after a newer one") << QList<Write>{{1, 1}, {2, 3}, {1, 2}} << 2;
    QTest::newRow("an older zero after a newer count") << QList<Write>{{3, 5}, {0, 4}} << 3;
    QTest::newRow("the same version twice") << QList<Write>{{2, 4}, {2, 4}} << 2;
    QTest::newRow("first write, whatever its version") << QList<Write>{{4, 0}} << 4;
}

void tst_RoomDirectory::newestMemberCountWins()
{
    QFETCH(QList<Write>, writes);
    QFETCH(int, members);

    RoomDirectory directory;
    for (const Write &w : writes)
        directory.setMembers("lobby", w.members, w.version, 1704067200000);
    QCOMPARE(roomOf(directory, "lobby").members, members);
}

void tst_RoomDirectory::staleCountIsNotDirty()
{
    RoomDirectory directory;
    directory.setMembers("lobby", 2, 5, 1001);
    QCOMPARE(directory.takeDirty().size(), 1);
    directory.setMembers("lobby", 1, 4, 1002);
    QVERIFY(directory.takeDirty().isEmpty());
    QCOMPARE(roomOf(directory, "lobby").lastActivityMs, qint64(1001));
}

void tst_RoomDirectory::concurrentWorkersEndWithTheTrackersCount()
{
    // What RoomChannel::publishMembers does on every worker: change presence, read the count
    // under the tracker's lock, write it under the directory's. A worker can be preempted in
    // between (the yield makes that likely), so a count read earlier may arrive later; the
    // directory must still end with the tracker's count. Many short rounds, each ending with
    // every thread's last write, give that race many chances.
    constexpr int Rounds = 200;
    constexpr int Threads = 4;
    constexpr int Iterations = 20;

    PresenceTracker tracker;
    RoomDirectory directory;
    for (int round = 0; round < Rounds; ++round) {
        const QString room = QStringLiteral("room%1").arg(round);
        const QString topic = QStringLiteral("chatter:room:") + room;
        std::latch start(Threads);
        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back([&, t] {
                const QString key = QStringLiteral("user%1").arg(t);
                const quint64 owner = quint64(t + 1);
                start.arrive_and_wait();
                // Thread t ends joined when t is odd, so rounds end with a non-zero count.
                for (int i = 0; i < Iterations + (t % 2); ++i) {
                    if (i % 2 == 0)
                        tracker.track(topic, key, owner, {});
                    else
                        tracker.untrack(topic, key, owner);
                    const PresenceTracker::MemberCount count = tracker.memberCount(topic);
                    QThread::yieldCurrentThread();
                    directory.setMembers(room, count.keys, count.version, 0);
                }
            });
        }
        for (std::thread &thread : threads)
            thread.join();
        QCOMPARE(tracker.memberCount(topic).keys, Threads / 2);
        QCOMPARE(roomOf(directory, room).members, Threads / 2);
    }
}

void tst_RoomDirectory::admissionCountsRoomsThatExist()
{
    using A = RoomDirectory::Admission;
    RoomDirectory directory;
    const auto yes = [] { return true; };
    directory.load({{"stored", 0, 7, 3, 1000}});
    QCOMPARE(directory.existingCount(), 1);
    QCOMPARE(directory.admit("stored", 2, yes), A::Existing);
    QCOMPARE(directory.admit("a", 2, yes), A::Created);
    QCOMPARE(directory.existingCount(), 2);
    // Reserved before its member count arrives: a second joiner finds it existing.
    QCOMPARE(directory.admit("a", 2, yes), A::Existing);
    QCOMPARE(directory.admit("b", 2, yes), A::Full);
    directory.setMembers("a", 1, 1, 1001);
    QCOMPARE(directory.existingCount(), 2);
    // Everyone left "a", which has no messages: it no longer exists and frees its place.
    directory.setMembers("a", 0, 2, 1002);
    QCOMPARE(directory.existingCount(), 1);
    QCOMPARE(directory.admit("b", 2, yes), A::Created);
    // A message makes a room exist for good.
    directory.noteMessage("b", 8, 1003);
    directory.setMembers("b", 0, 3, 1004);
    QCOMPARE(directory.existingCount(), 2);
}

void tst_RoomDirectory::creationRateIsAsked()
{
    using A = RoomDirectory::Admission;
    RoomDirectory directory;
    int asked = 0;
    const auto no = [&asked] {
        ++asked;
        return false;
    };
    QCOMPARE(directory.admit("new", 10, no), A::TooFast);
    QCOMPARE(asked, 1);
    QCOMPARE(directory.existingCount(), 0);
    directory.noteMessage("old", 1, 1);
    QCOMPARE(directory.admit("old", 10, no), A::Existing);
    QCOMPARE(asked, 1); // joining an existing room spends no creation
}

void tst_RoomDirectory::dormantNamesAreForgotten()
{
    RoomDirectory directory;
    const auto yes = [] { return true; };
    quint64 version = 0;
    for (int i = 0; i < 3000; ++i) {
        const QString name = QStringLiteral("r%1").arg(i);
        QCOMPARE(directory.admit(name, 10, yes), RoomDirectory::Admission::Created);
        directory.setMembers(name, 1, ++version, 1);
        directory.setMembers(name, 0, ++version, 1);
        directory.takeDirty();
    }
    QCOMPARE(directory.existingCount(), 0);
    QVERIFY2(directory.rooms().size() < 2 * 10 + 1024 + 2,
             qPrintable(QString::number(directory.rooms().size())));
}

QTEST_GUILESS_MAIN(tst_RoomDirectory)
#include "tst_roomdirectory.moc"
