// SPDX-License-Identifier: MIT
#include "roomsequencer.h"

#include <QTest>

using namespace chatter;
using namespace chatter::server;

//! The per-room sequencer of a cluster node (docs/cluster.md, "Ordering across nodes"): what
//! is delivered, in which order, when a fill is asked for, what a fill delivers.
class tst_RoomSequencer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void offers_data();
    void offers();
    void baselineOfAKnownRoomBehindTheDatabaseAsksForAFill();
    void fillDeliversTheGapThenWhatWasHeld();
    void fillThatLeavesMessagesWaitingAsksAgain();
    void fillCutShortJumpsAhead();
    void abandonJumpsAhead();
    void forgottenRoomStartsAfresh();
    void roomsAreIndependent();
};

namespace {

//! "id/prev" pairs, e.g. "11/10".
using Offers = QStringList;
//! Delivered ids in order.
using Ids = QList<qint64>;

std::shared_ptr<const Broadcast> ordered(qint64 id, qint64 prevId)
{
    return Broadcast::createOrdered(Message::broadcast(QStringLiteral("chatter:room:r"),
                                                       QStringLiteral("new_msg"),
                                                       QJsonObject{{"id", id}}),
                                    {id, prevId});
}

struct Recorder
{
    Ids delivered;
    RoomSequencer sequencer{
        [this](const std::shared_ptr<const Broadcast> &b) { delivered.append(b->order()->id); }};
};

} // namespace

void tst_RoomSequencer::offers_data()
{
    QTest::addColumn<qint64>("baseline"); // -1: none
    QTest::addColumn<Offers>("offers");
    QTest::addColumn<Ids>("delivered");
    QTest::addColumn<int>("gapsOpened");
    QTest::addColumn<int>("held");

    QTest::newRow("in order") << qint64(10) << Offers{"11/10", "12/11", "13/12"} << Ids{11, 12, 13}
                              << 0 << 0;
    QTest::newRow("first message of a room")
        << qint64(0) << Offers{"5/0", "9/5"} << Ids{5, 9} << 0 << 0;
    QTest::newRow("ids with gaps from rollbacks")
        << qint64(10) << Offers{"14/10", "20/14"} << Ids{14, 20} << 0 << 0;
    QTest::newRow("swapped pair") << qint64(10) << Offers{"12/11", "11/10"} << Ids{11, 12} << 1
                                  << 0;
    QTest::newRow("three reversed")
        << qint64(10) << Offers{"13/12", "12/11", "11/10"} << Ids{11, 12, 13} << 1 << 0;
    QTest::newRow("duplicate dropped")
        << qint64(10) << Offers{"11/10", "11/10", "12/11"} << Ids{11, 12} << 0 << 0;
    QTest::newRow("at or below the baseline dropped")
        << qint64(10) << Offers{"9/8", "10/9", "11/10"} << Ids{11} << 0 << 0;
    QTest::newRow("gap stays open") << qint64(10) << Offers{"13/12", "14/13"} << Ids{} << 1 << 2;
    QTest::newRow("one gap, one fill asked")
        << qint64(10) << Offers{"13/12", "15/14", "17/16"} << Ids{} << 1 << 3;
    QTest::newRow("no baseline: the first seen starts the room")
        << qint64(-1) << Offers{"30/29", "31/30"} << Ids{30, 31} << 0 << 0;
    QTest::newRow("held duplicate of a delivered one")
        << qint64(10) << Offers{"12/11", "12/11", "11/10"} << Ids{11, 12} << 1 << 0;
}

void tst_RoomSequencer::offers()
{
    QFETCH(qint64, baseline);
    QFETCH(Offers, offers);
    QFETCH(Ids, delivered);
    QFETCH(int, gapsOpened);
    QFETCH(int, held);

    Recorder r;
    if (baseline >= 0)
        QVERIFY(!r.sequencer.baseline("r", baseline));
    int gaps = 0;
    for (const QString &offer : offers) {
        const QStringList parts = offer.split('/');
        if (r.sequencer.offer("r", ordered(parts.at(0).toLongLong(), parts.at(1).toLongLong())))
            ++gaps;
    }
    QCOMPARE(r.delivered, delivered);
    QCOMPARE(gaps, gapsOpened);
    QCOMPARE(r.sequencer.held("r"), held);
    QCOMPARE(r.sequencer.fillFrom("r").has_value(), held > 0);
}

void tst_RoomSequencer::baselineOfAKnownRoomBehindTheDatabaseAsksForAFill()
{
    Recorder r;
    QVERIFY(!r.sequencer.baseline("r", 10));
    QVERIFY(r.sequencer.offer("r", ordered(11, 10)) == false);
    // After a Redis outage the database is ahead of what this node delivered.
    QVERIFY(!r.sequencer.baseline("r", 11)); // not ahead: nothing to do
    QVERIFY(r.sequencer.baseline("r", 14));
    QCOMPARE(r.sequencer.fillFrom("r")->after, qint64(11));
    QVERIFY(!r.sequencer.baseline("r", 15)); // a fill is already asked for
    QCOMPARE(r.sequencer.fill("r", {ordered(12, 0), ordered(13, 0), ordered(14, 0)}, 14, true),
             RoomSequencer::Filled::Closed);
    QCOMPARE(r.delivered, (Ids{11, 12, 13, 14}));
    QVERIFY(!r.sequencer.fillFrom("r"));
}

void tst_RoomSequencer::fillDeliversTheGapThenWhatWasHeld()
{
    Recorder r;
    r.sequencer.baseline("r", 10);
    QVERIFY(r.sequencer.offer("r", ordered(13, 12)));
    QVERIFY(!r.sequencer.offer("r", ordered(14, 13)));
    QCOMPARE(r.sequencer.fillFrom("r")->after, qint64(10));
    // The read: 11 and 12 (12 deleted since: not sent, but the head passes it), and 13, which
    // was committed before the read too (dropped from the held ones as a duplicate).
    QCOMPARE(r.sequencer.fill("r", {ordered(11, 0), ordered(13, 0)}, 13, true),
             RoomSequencer::Filled::Closed);
    QCOMPARE(r.delivered, (Ids{11, 13, 14}));
    QCOMPARE(*r.sequencer.head("r"), qint64(14));
    QCOMPARE(r.sequencer.held("r"), 0);
    // A late copy of anything filled is a duplicate.
    QVERIFY(!r.sequencer.offer("r", ordered(12, 11)));
    QCOMPARE(r.delivered.size(), 3);
}

void tst_RoomSequencer::fillThatLeavesMessagesWaitingAsksAgain()
{
    Recorder r;
    r.sequencer.baseline("r", 10);
    QVERIFY(r.sequencer.offer("r", ordered(12, 11)));
    // While the read ran, 20 arrived behind 19, committed after the read.
    QVERIFY(!r.sequencer.offer("r", ordered(20, 19)));
    QCOMPARE(r.sequencer.fill("r", {ordered(11, 0), ordered(12, 0)}, 12, true),
             RoomSequencer::Filled::Again);
    QCOMPARE(r.delivered, (Ids{11, 12}));
    QCOMPARE(r.sequencer.fillFrom("r")->after, qint64(12));
    QCOMPARE(r.sequencer.fill("r", {ordered(19, 0)}, 19, true), RoomSequencer::Filled::Closed);
    QCOMPARE(r.delivered, (Ids{11, 12, 19, 20}));
}

void tst_RoomSequencer::fillCutShortJumpsAhead()
{
    Recorder r;
    r.sequencer.baseline("r", 10);
    QVERIFY(r.sequencer.offer("r", ordered(5000, 4999)));
    QCOMPARE(r.sequencer.fill("r", {ordered(11, 0), ordered(12, 0)}, 12, false),
             RoomSequencer::Filled::Lost);
    // What was read is delivered; the rest is for the rejoin: the head passes all of it.
    QCOMPARE(r.delivered, (Ids{11, 12}));
    QCOMPARE(*r.sequencer.head("r"), qint64(5000));
    QCOMPARE(r.sequencer.held("r"), 0);
    QVERIFY(!r.sequencer.fillFrom("r"));
    QVERIFY(!r.sequencer.offer("r", ordered(5001, 5000)));
    QCOMPARE(r.delivered.last(), qint64(5001));
}

void tst_RoomSequencer::abandonJumpsAhead()
{
    Recorder r;
    r.sequencer.baseline("r", 10);
    QVERIFY(r.sequencer.offer("r", ordered(13, 12)));
    r.sequencer.abandon("r");
    QVERIFY(r.delivered.isEmpty());
    QCOMPARE(*r.sequencer.head("r"), qint64(13));
    QVERIFY(!r.sequencer.fillFrom("r"));
}

void tst_RoomSequencer::forgottenRoomStartsAfresh()
{
    Recorder r;
    r.sequencer.baseline("r", 10);
    QVERIFY(r.sequencer.offer("r", ordered(13, 12)));
    r.sequencer.forget("r");
    QVERIFY(!r.sequencer.head("r"));
    QCOMPARE(r.sequencer.held("r"), 0);
    // A fill that was on its way finds nothing to do.
    QCOMPARE(r.sequencer.fill("r", {ordered(11, 0)}, 11, true), RoomSequencer::Filled::Closed);
    QVERIFY(r.delivered.isEmpty());
    QVERIFY(!r.sequencer.baseline("r", 40));
    QVERIFY(!r.sequencer.offer("r", ordered(41, 40)));
    QCOMPARE(r.delivered, Ids{41});
}

void tst_RoomSequencer::roomsAreIndependent()
{
    Recorder r;
    r.sequencer.baseline("a", 10);
    r.sequencer.baseline("b", 10);
    QVERIFY(r.sequencer.offer("a", ordered(12, 11)));
    QVERIFY(!r.sequencer.offer("b", ordered(11, 10)));
    QCOMPARE(r.delivered, Ids{11});
    QCOMPARE(r.sequencer.held("a"), 1);
    QVERIFY(!r.sequencer.fillFrom("b"));
}

QTEST_GUILESS_MAIN(tst_RoomSequencer)
#include "tst_roomsequencer.moc"
