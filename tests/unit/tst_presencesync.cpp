// SPDX-License-Identifier: MIT
#include "presencesync.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using chatter::PresenceSync;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

//! "alice:a,b;bob:c" -> the refs of each key, to compare states compactly.
QString summary(const QJsonObject &state)
{
    QStringList parts;
    for (auto it = state.constBegin(); it != state.constEnd(); ++it) {
        QStringList refs;
        for (const QJsonValue &meta : it.value().toObject().value("metas").toArray())
            refs << meta.toObject().value("phx_ref").toString();
        parts << it.key() + ':' + refs.join(',');
    }
    return parts.join(';');
}

} // namespace

class tst_PresenceSync : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void syncDiff_data();
    void syncDiff();
    void syncState_data();
    void syncState();
    void callbacksSeeBeforeAndAfter();
    void unknownFieldsAreKept();
    void diffsWaitForTheFirstState();
    void rejoinQueuesDiffsUntilTheNewState();
};

void tst_PresenceSync::syncDiff_data()
{
    QTest::addColumn<QByteArray>("state");
    QTest::addColumn<QByteArray>("diff");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("events");

    QTest::newRow("join into empty")
        << QByteArray("{}")
        << QByteArray(R"({"joins":{"alice":{"metas":[{"phx_ref":"a"}]}},"leaves":{}})") << "alice:a"
        << "join alice new";
    QTest::newRow("second device is appended, existing metas first")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})")
        << QByteArray(R"({"joins":{"alice":{"metas":[{"phx_ref":"b"}]}},"leaves":{}})")
        << "alice:a,b"
        << "join alice existing";
    QTest::newRow("leave of one device keeps the key")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"},{"phx_ref":"b"}]}})")
        << QByteArray(R"({"joins":{},"leaves":{"alice":{"metas":[{"phx_ref":"a"}]}}})") << "alice:b"
        << "leave alice 1";
    QTest::newRow("leave of the last device removes the key")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]},"bob":{"metas":[{"phx_ref":"c"}]}})")
        << QByteArray(R"({"joins":{},"leaves":{"alice":{"metas":[{"phx_ref":"a"}]}}})") << "bob:c"
        << "leave alice 0";
    QTest::newRow("update: joins before leaves leaves exactly the new meta")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"A"}]}})")
        << QByteArray(R"({"joins":{"alice":{"metas":[{"phx_ref":"B","phx_ref_prev":"A"}]}},)"
                      R"("leaves":{"alice":{"metas":[{"phx_ref":"A"}]}}})")
        << "alice:B"
        << "join alice existing|leave alice 1";
    QTest::newRow("leave of an unknown key is ignored")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})")
        << QByteArray(R"({"joins":{},"leaves":{"zed":{"metas":[{"phx_ref":"z"}]}}})") << "alice:a"
        << "";
    QTest::newRow("rejoin with the same ref replaces, no duplicate")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})")
        << QByteArray(R"({"joins":{"alice":{"metas":[{"phx_ref":"a"}]}},"leaves":{}})") << "alice:a"
        << "join alice existing";
    QTest::newRow("missing maps are empty")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})") << QByteArray("{}") << "alice:a"
        << "";
}

void tst_PresenceSync::syncDiff()
{
    QFETCH(QByteArray, state);
    QFETCH(QByteArray, diff);
    QFETCH(QString, expected);
    QFETCH(QString, events);
    QStringList seen;
    const QJsonObject result = PresenceSync::syncDiff(
        json(state.constData()), json(diff.constData()),
        [&](const QString &key, const QJsonObject &current, const QJsonObject &) {
            seen << QStringLiteral("join %1 %2").arg(key, current.isEmpty() ? "new" : "existing");
        },
        [&](const QString &key, const QJsonObject &remaining, const QJsonObject &) {
            seen << QStringLiteral("leave %1 %2")
                        .arg(key)
                        .arg(remaining.value("metas").toArray().size());
        });
    QCOMPARE(summary(result), expected);
    QCOMPARE(seen.join('|'), events);
}

void tst_PresenceSync::syncState_data()
{
    QTest::addColumn<QByteArray>("state");
    QTest::addColumn<QByteArray>("newState");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("events");

    QTest::newRow("first state joins everyone")
        << QByteArray("{}")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]},"bob":{"metas":[{"phx_ref":"b"}]}})")
        << "alice:a;bob:b"
        << "+alice|+bob";
    QTest::newRow("missing key leaves")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]},"bob":{"metas":[{"phx_ref":"b"}]}})")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})") << "alice:a"
        << "-bob";
    QTest::newRow("same refs: nothing happens")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})") << "alice:a"
        << "";
    QTest::newRow("new ref joins, old ref leaves (after a server restart)")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a1"}]}})")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a2"}]}})") << "alice:a2"
        << "+alice|-alice";
    QTest::newRow("empty state leaves everyone")
        << QByteArray(R"({"alice":{"metas":[{"phx_ref":"a"}]}})") << QByteArray("{}") << ""
        << "-alice";
}

void tst_PresenceSync::syncState()
{
    QFETCH(QByteArray, state);
    QFETCH(QByteArray, newState);
    QFETCH(QString, expected);
    QFETCH(QString, events);
    QStringList seen;
    const QJsonObject result = PresenceSync::syncState(
        json(state.constData()), json(newState.constData()),
        [&](const QString &key, const QJsonObject &, const QJsonObject &) { seen << '+' + key; },
        [&](const QString &key, const QJsonObject &, const QJsonObject &) { seen << '-' + key; });
    QCOMPARE(summary(result), expected);
    QCOMPARE(seen.join('|'), events);
}

void tst_PresenceSync::callbacksSeeBeforeAndAfter()
{
    QJsonObject joinedSeen;
    QJsonObject remainingSeen;
    PresenceSync::syncDiff(
        json(R"({"alice":{"metas":[{"phx_ref":"a"},{"phx_ref":"b"}]}})"),
        json(
            R"({"joins":{"alice":{"metas":[{"phx_ref":"c"}]}},"leaves":{"alice":{"metas":[{"phx_ref":"a"}]}}})"),
        [&](const QString &, const QJsonObject &, const QJsonObject &joined) {
            joinedSeen = joined;
        },
        [&](const QString &, const QJsonObject &remaining, const QJsonObject &) {
            remainingSeen = remaining;
        });
    QCOMPARE(joinedSeen.value("metas").toArray().size(), 1);
    QCOMPARE(summary(QJsonObject{{"alice", remainingSeen}}), QStringLiteral("alice:b,c"));
}

void tst_PresenceSync::unknownFieldsAreKept()
{
    const QJsonObject result = PresenceSync::syncDiff(
        {},
        json(R"({"joins":{"alice":{"user":{"id":7},"metas":[{"phx_ref":"a","client":"web"}]}}})"));
    QCOMPARE(result.value("alice").toObject().value("user").toObject().value("id").toInt(), 7);
    QCOMPARE(result.value("alice")
                 .toObject()
                 .value("metas")
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("client")
                 .toString(),
             QStringLiteral("web"));
}

void tst_PresenceSync::diffsWaitForTheFirstState()
{
    PresenceSync sync;
    int syncs = 0;
    sync.setSyncHandler([&] { ++syncs; });
    QVERIFY(sync.inPendingSyncState("1"));
    sync.applyDiff(json(R"({"joins":{"bob":{"metas":[{"phx_ref":"b"}]}},"leaves":{}})"), "1");
    sync.applyDiff(json(R"({"joins":{},"leaves":{"alice":{"metas":[{"phx_ref":"a"}]}}})"), "1");
    QCOMPARE(sync.pendingDiffCount(), 2);
    QCOMPARE(syncs, 0);
    QVERIFY(sync.state().isEmpty());

    sync.applyState(json(R"({"alice":{"metas":[{"phx_ref":"a"}]}})"), "1");
    QCOMPARE(summary(sync.state()), QStringLiteral("bob:b"));
    QCOMPARE(sync.pendingDiffCount(), 0);
    QCOMPARE(syncs, 1);

    sync.applyDiff(json(R"({"joins":{"carol":{"metas":[{"phx_ref":"c"}]}},"leaves":{}})"), "1");
    QCOMPARE(sync.keys(), QStringList({"bob", "carol"}));
    QCOMPARE(syncs, 2);
}

void tst_PresenceSync::rejoinQueuesDiffsUntilTheNewState()
{
    PresenceSync sync;
    sync.applyState(json(R"({"alice":{"metas":[{"phx_ref":"a"}]}})"), "1");
    // The channel rejoined with join_ref 5: until its state arrives, diffs wait.
    QVERIFY(sync.inPendingSyncState("5"));
    sync.applyDiff(json(R"({"joins":{"dan":{"metas":[{"phx_ref":"d"}]}},"leaves":{}})"), "5");
    QCOMPARE(sync.keys(), QStringList({"alice"}));
    QStringList left;
    sync.setLeaveHandler(
        [&](const QString &key, const QJsonObject &, const QJsonObject &) { left << key; });
    sync.applyState(json(R"({"bob":{"metas":[{"phx_ref":"b"}]}})"), "5");
    QCOMPARE(sync.keys(), QStringList({"bob", "dan"}));
    QCOMPARE(left, QStringList({"alice"}));
    QVERIFY(!sync.inPendingSyncState("5"));
}

QTEST_GUILESS_MAIN(tst_PresenceSync)
#include "tst_presencesync.moc"
