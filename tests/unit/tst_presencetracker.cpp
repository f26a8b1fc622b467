// SPDX-License-Identifier: MIT
#include "presencetracker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using chatter::server::PresenceTracker;

namespace {

const QString Topic = QStringLiteral("chatter:room:a");

//! key → statuses of its metas, in order: what `list()` must describe.
QMap<QString, QStringList> statusesOf(const QJsonObject &state)
{
    QMap<QString, QStringList> out;
    for (auto it = state.constBegin(); it != state.constEnd(); ++it)
        for (const QJsonValue &m : it.value().toObject().value("metas").toArray())
            out[it.key()].append(m.toObject().value("status").toString());
    return out;
}

//! The first meta of `key` in a {key: {"metas": [...]}} object.
QJsonObject firstMeta(const QJsonObject &presences, const QString &key)
{
    return presences.value(key).toObject().value("metas").toArray().at(0).toObject();
}

chatter::server::PresenceMeta status(const QString &s)
{
    chatter::server::PresenceMeta meta;
    meta.status = *chatter::server::PresenceMeta::statusNamed(s);
    meta.role = chatter::server::PresenceMeta::Role::Member;
    return meta;
}

} // namespace

class tst_PresenceTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void metaNamesItsRoleAndStatus_data();
    void metaNamesItsRoleAndStatus();
    void stateFollowsTrackUpdateUntrack();
    void refsAreFreshAndLeavesKeepTheirRef();
    void aListTakenEarlierDoesNotChange();
    void topicsAreSeparate();
    void largeAndSmallRoomsListTheSame_data();
    void largeAndSmallRoomsListTheSame();
    void listAsTextIsTheList_data();
    void listAsTextIsTheList();
    void metaReadsBackFromItsJson_data();
    void metaReadsBackFromItsJson();
    void otherNodesMetasJoinTheStateAndGoWithTheirNode();
    void snapshotSyncJoinsAndLeaves();
    void droppedTopicLosesOnlyOtherNodesMetas();
};

void tst_PresenceTracker::stateFollowsTrackUpdateUntrack()
{
    PresenceTracker tracker;
    QVERIFY(tracker.list(Topic).isEmpty());
    tracker.track(Topic, "ann", 1, status("online"));
    tracker.track(Topic, "ann", 2, status("away")); // a second tab
    tracker.track(Topic, "bob", 3, status("online"));
    QCOMPARE(statusesOf(tracker.list(Topic)),
             (QMap<QString, QStringList>{{"ann", {"online", "away"}}, {"bob", {"online"}}}));
    QCOMPARE(tracker.keyCount(Topic), 2);

    QVERIFY(tracker.update(Topic, "ann", 2, status("busy")));
    QVERIFY(!tracker.update(Topic, "ann", 9, status("busy"))); // not tracked
    QCOMPARE(statusesOf(tracker.list(Topic)).value("ann"), (QStringList{"online", "busy"}));

    QVERIFY(tracker.untrack(Topic, "ann", 1));
    QVERIFY(!tracker.untrack(Topic, "ann", 1));
    QCOMPARE(statusesOf(tracker.list(Topic)),
             (QMap<QString, QStringList>{{"ann", {"busy"}}, {"bob", {"online"}}}));
    QVERIFY(tracker.untrack(Topic, "ann", 2));
    QCOMPARE(statusesOf(tracker.list(Topic)), (QMap<QString, QStringList>{{"bob", {"online"}}}));
    QCOMPARE(tracker.keyCount(Topic), 1);
    QVERIFY(tracker.untrack(Topic, "bob", 3));
    QVERIFY(tracker.list(Topic).isEmpty());
    QCOMPARE(tracker.keyCount(Topic), 0);
}

void tst_PresenceTracker::refsAreFreshAndLeavesKeepTheirRef()
{
    PresenceTracker tracker;
    const QJsonObject joined = tracker.track(Topic, "ann", 1, status("online")).toJson();
    const QString ref = joined.value("phx_ref").toString();
    QVERIFY(!ref.isEmpty());
    QCOMPARE(firstMeta(tracker.list(Topic), "ann"), joined);

    const auto update = tracker.update(Topic, "ann", 1, status("away"));
    QVERIFY(update);
    const QJsonObject diff = update->toJson();
    const QJsonObject now = firstMeta(diff.value("joins").toObject(), "ann");
    QCOMPARE(now.value("phx_ref_prev").toString(), ref);
    QVERIFY(now.value("phx_ref").toString() != ref);
    QCOMPARE(firstMeta(diff.value("leaves").toObject(), "ann"), joined);

    const auto left = tracker.untrack(Topic, "ann", 1);
    QVERIFY(left);
    QCOMPARE(left->toJson(), now);
}

void tst_PresenceTracker::aListTakenEarlierDoesNotChange()
{
    // The state is shared with the lists handed out; later changes must not reach them.
    PresenceTracker tracker;
    tracker.track(Topic, "ann", 1, status("online"));
    const QJsonObject before = tracker.list(Topic);
    tracker.track(Topic, "bob", 2, status("online"));
    tracker.update(Topic, "ann", 1, status("away"));
    QCOMPARE(statusesOf(before), (QMap<QString, QStringList>{{"ann", {"online"}}}));
    QCOMPARE(statusesOf(tracker.list(Topic)),
             (QMap<QString, QStringList>{{"ann", {"away"}}, {"bob", {"online"}}}));
}

void tst_PresenceTracker::topicsAreSeparate()
{
    PresenceTracker tracker;
    tracker.track(Topic, "ann", 1, status("online"));
    tracker.track("chatter:room:b", "bob", 1, status("online"));
    QCOMPARE(tracker.list(Topic).keys(), QStringList{"ann"});
    QCOMPARE(tracker.list("chatter:room:b").keys(), QStringList{"bob"});
    QVERIFY(!tracker.untrack(Topic, "bob", 1));
}

void tst_PresenceTracker::largeAndSmallRoomsListTheSame_data()
{
    // Large rooms keep their state between joins and small ones build it when asked; both
    // must list exactly what is tracked, also when a room shrinks or grows across the line.
    QTest::addColumn<int>("members");
    QTest::newRow("small") << 10;
    QTest::newRow("just below") << 63;
    QTest::newRow("large") << 200;
}

void tst_PresenceTracker::largeAndSmallRoomsListTheSame()
{
    QFETCH(int, members);
    PresenceTracker tracker;
    QMap<QString, QStringList> expected;
    const auto check = [&] { return statusesOf(tracker.list(Topic)) == expected; };
    for (int i = 0; i < members; ++i) {
        const QString key = QStringLiteral("u%1").arg(i);
        tracker.track(Topic, key, quint64(i), status("online"));
        expected[key] = QStringList{"online"};
        if (i % 7 == 0)
            QVERIFY2(check(), qPrintable(key));
    }
    QVERIFY(check());
    const QJsonObject full = tracker.list(Topic);
    // Second tabs, status changes, and most people leaving again.
    for (int i = 0; i < members; i += 3) {
        const QString key = QStringLiteral("u%1").arg(i);
        tracker.track(Topic, key, quint64(members + i), status("busy"));
        expected[key].append("busy");
        QVERIFY(tracker.update(Topic, key, quint64(i), status("away")));
        expected[key][0] = "away";
    }
    QVERIFY(check());
    for (int i = 0; i < members; ++i) {
        if (i % 10 == 0)
            continue;
        const QString key = QStringLiteral("u%1").arg(i);
        QVERIFY(tracker.untrack(Topic, key, quint64(i)));
        expected[key].removeFirst();
        if (i % 3 == 0) {
            QVERIFY(tracker.untrack(Topic, key, quint64(members + i)));
            expected[key].removeFirst();
        }
        if (expected[key].isEmpty())
            expected.remove(key);
        if (i % 5 == 0)
            QVERIFY2(check(), qPrintable(key));
    }
    QVERIFY(check());
    // Growing again after shrinking below the line.
    for (int i = 0; i < members; ++i) {
        const QString key = QStringLiteral("v%1").arg(i);
        tracker.track(Topic, key, quint64(10 * members + i), status("online"));
        expected[key] = QStringList{"online"};
    }
    QVERIFY(check());
    QCOMPARE(tracker.keyCount(Topic), int(expected.size()));
    // A list handed out earlier is a snapshot.
    QCOMPARE(full.size(), members);
}

void tst_PresenceTracker::metaNamesItsRoleAndStatus_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("wireRole");
    QTest::newRow("member, online") << "member"
                                    << "online"
                                    << "member";
    QTest::newRow("admin, busy") << "admin"
                                 << "busy"
                                 << "admin";
    QTest::newRow("guest, dnd") << "guest"
                                << "dnd"
                                << "guest";
    QTest::newRow("member, away") << "member"
                                  << "away"
                                  << "member";
    QTest::newRow("unknown role counts as a member") << "owner"
                                                     << "online"
                                                     << "member";
}

void tst_PresenceTracker::metaNamesItsRoleAndStatus()
{
    using chatter::server::PresenceMeta;
    QFETCH(QString, role);
    QFETCH(QString, status);
    QFETCH(QString, wireRole);
    PresenceMeta meta;
    meta.role = PresenceMeta::roleNamed(role);
    meta.status = *PresenceMeta::statusNamed(status);
    const QJsonObject json = meta.toJson();
    QCOMPARE(json.value("role").toString(), wireRole);
    QCOMPARE(json.value("status").toString(), status);
    QVERIFY(!PresenceMeta::statusNamed(u"sleeping"));
}

void tst_PresenceTracker::listAsTextIsTheList_data()
{
    // The presence_state every join sends is written as text; it must parse to list().
    QTest::addColumn<int>("members");
    QTest::newRow("empty") << 0;
    QTest::newRow("one") << 1;
    QTest::newRow("small") << 12;
    QTest::newRow("kept state") << 80;
}

void tst_PresenceTracker::listAsTextIsTheList()
{
    QFETCH(int, members);
    PresenceTracker tracker;
    for (int i = 0; i < members; ++i) {
        chatter::server::PresenceMeta meta = status(i % 3 ? "online" : "dnd");
        meta.client = i % 2 ? QStringLiteral("web") : QStringLiteral("d\u00e9sktop \"q\" \\");
        meta.role = i % 5 ? chatter::server::PresenceMeta::Role::Member
                          : chatter::server::PresenceMeta::Role::Admin;
        meta.autoAway = i % 4 == 1;
        meta.onlineAtMs = 1'767'225'600'000 + i;
        const QString key =
            i % 6 == 0 ? QStringLiteral("\u00e5sa-%1").arg(i) : QStringLiteral("u%1").arg(i);
        tracker.track(Topic, key, quint64(i), meta);
        if (i % 7 == 0) // a second tab, and an update (phx_ref_prev)
            tracker.track(Topic, key, quint64(1000 + i), status("busy"));
        if (i % 9 == 0)
            QVERIFY(tracker.update(Topic, key, quint64(i), status("away")));
    }
    const QByteArray text = tracker.listJson(Topic);
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(text, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(parsed.isObject());
    QCOMPARE(parsed.object(), tracker.list(Topic));
    QCOMPARE(parsed.object().size(), members);
}

void tst_PresenceTracker::metaReadsBackFromItsJson_data()
{
    QTest::addColumn<QString>("statusName");
    QTest::addColumn<QString>("role");
    QTest::addColumn<bool>("autoAway");
    QTest::addColumn<bool>("withPrev");
    QTest::newRow("online member") << "online"
                                   << "member" << false << false;
    QTest::newRow("away by itself, updated") << "away"
                                             << "member" << true << true;
    QTest::newRow("dnd admin") << "dnd"
                               << "admin" << false << true;
    QTest::newRow("busy guest") << "busy"
                                << "guest" << false << false;
}

void tst_PresenceTracker::metaReadsBackFromItsJson()
{
    QFETCH(QString, statusName);
    QFETCH(QString, role);
    QFETCH(bool, autoAway);
    QFETCH(bool, withPrev);
    using chatter::server::PresenceMeta;
    using chatter::server::PresenceRef;
    PresenceMeta meta = status(statusName);
    meta.role = PresenceMeta::roleNamed(role);
    meta.autoAway = autoAway;
    meta.client = QStringLiteral("web");
    meta.onlineAtMs = 1'780'000'000'123;
    meta.ref = PresenceRef::generate();
    if (withPrev)
        meta.refPrev = PresenceRef::generate();
    const auto back = PresenceMeta::fromJson(meta.toJson());
    QVERIFY(back.has_value());
    QCOMPARE(*back, meta);
    // Without a valid phx_ref it is nobody's meta.
    QJsonObject broken = meta.toJson();
    broken.insert("phx_ref", "not a ref");
    QVERIFY(!PresenceMeta::fromJson(broken));
    broken.remove("phx_ref");
    QVERIFY(!PresenceMeta::fromJson(broken));
    QVERIFY(PresenceRef::fromString(QStringLiteral("AAAAAAAAAAAAAAAA")).isNull());
}

void tst_PresenceTracker::otherNodesMetasJoinTheStateAndGoWithTheirNode()
{
    using chatter::server::PresenceMeta;
    using chatter::server::PresenceRef;
    PresenceTracker tracker;
    const QUuid b = QUuid::createUuid();
    const QUuid c = QUuid::createUuid();
    tracker.track(Topic, "ann", 1, status("online"));
    PresenceMeta bob = status("busy");
    bob.ref = PresenceRef::generate();
    QVERIFY(tracker.trackRemote(Topic, "bob", b, bob));
    QVERIFY(!tracker.trackRemote(Topic, "bob", b, bob)); // the same phx_ref again
    PresenceMeta cat = status("away");
    cat.ref = PresenceRef::generate();
    QVERIFY(tracker.trackRemote(Topic, "cat", c, cat));
    QVERIFY(tracker.trackRemote("chatter:room:b", "cat", c, cat));
    QCOMPARE(
        statusesOf(tracker.list(Topic)),
        (QMap<QString, QStringList>{{"ann", {"online"}}, {"bob", {"busy"}}, {"cat", {"away"}}}));
    QCOMPARE(tracker.keyCount(Topic), 3);
    QCOMPARE(tracker.remoteNodes().size(), 2);
    // Only this node's own metas are its to publish again.
    const auto local = tracker.localMetas();
    QCOMPARE(local.keys(), QStringList{Topic});
    QCOMPARE(local.value(Topic).size(), 1);
    QCOMPARE(local.value(Topic).at(0).first, QStringLiteral("ann"));

    // A diff's leave by phx_ref; a local untrack never takes another node's meta.
    QVERIFY(!tracker.untrack(Topic, "bob", 1));
    QVERIFY(tracker.untrackRemote(Topic, "bob", bob.ref).has_value());
    QVERIFY(!tracker.untrackRemote(Topic, "bob", bob.ref));
    QCOMPARE(tracker.remoteNodes(), QList<QUuid>{c});

    // Node C stops heartbeating: its metas go, one leave per meta, by topic.
    const auto leaves = tracker.removeNode(c);
    QCOMPARE(leaves.size(), 2);
    QCOMPARE(leaves.value(Topic).size(), 1);
    QCOMPARE(leaves.value(Topic).at(0).key, QStringLiteral("cat"));
    QVERIFY(leaves.value(Topic).at(0).left->ref == cat.ref);
    QCOMPARE(statusesOf(tracker.list(Topic)), (QMap<QString, QStringList>{{"ann", {"online"}}}));
    QVERIFY(tracker.list("chatter:room:b").isEmpty());
    QVERIFY(tracker.remoteNodes().isEmpty());
    QVERIFY(tracker.removeNode(c).isEmpty());
}

void tst_PresenceTracker::snapshotSyncJoinsAndLeaves()
{
    using chatter::server::PresenceMeta;
    using chatter::server::PresenceRef;
    PresenceTracker tracker;
    const QUuid b = QUuid::createUuid();
    PresenceMeta kept = status("online");
    kept.ref = PresenceRef::generate();
    PresenceMeta gone = status("away");
    gone.ref = PresenceRef::generate();
    PresenceMeta fresh = status("dnd");
    fresh.ref = PresenceRef::generate();
    tracker.track(Topic, "ann", 1, status("online"));
    tracker.trackRemote(Topic, "bob", b, kept);
    tracker.trackRemote(Topic, "cat", b, gone);

    // The snapshot read after a resubscription: bob stayed, cat left meanwhile, dan came.
    const auto diffs = tracker.syncRemote(Topic, {{b, "bob", kept}, {b, "dan", fresh}});
    QCOMPARE(diffs.size(), 2);
    QCOMPARE(diffs.at(0).key, QStringLiteral("cat"));
    QVERIFY(diffs.at(0).left && !diffs.at(0).joined);
    QCOMPARE(diffs.at(1).key, QStringLiteral("dan"));
    QVERIFY(diffs.at(1).joined && !diffs.at(1).left);
    QCOMPARE(
        statusesOf(tracker.list(Topic)),
        (QMap<QString, QStringList>{{"ann", {"online"}}, {"bob", {"online"}}, {"dan", {"dnd"}}}));
    // The same snapshot again changes nothing.
    QVERIFY(tracker.syncRemote(Topic, {{b, "bob", kept}, {b, "dan", fresh}}).isEmpty());
}

void tst_PresenceTracker::droppedTopicLosesOnlyOtherNodesMetas()
{
    using chatter::server::PresenceMeta;
    using chatter::server::PresenceRef;
    PresenceTracker tracker;
    const QUuid b = QUuid::createUuid();
    PresenceMeta bob = status("online");
    bob.ref = PresenceRef::generate();
    tracker.track(Topic, "ann", 1, status("online"));
    tracker.trackRemote(Topic, "bob", b, bob);
    tracker.trackRemote("chatter:room:b", "bob", b, bob);
    tracker.dropRemote(Topic);
    QCOMPARE(statusesOf(tracker.list(Topic)), (QMap<QString, QStringList>{{"ann", {"online"}}}));
    QCOMPARE(tracker.keyCount("chatter:room:b"), 1);
    QCOMPARE(tracker.remoteNodes(), QList<QUuid>{b});
}

QTEST_APPLESS_MAIN(tst_PresenceTracker)
#include "tst_presencetracker.moc"
