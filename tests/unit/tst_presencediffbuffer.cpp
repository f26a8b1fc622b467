// SPDX-License-Identifier: MIT
#include "presencediffbuffer.h"
#include "presencesync.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using chatter::PresenceSync;
using chatter::server::PresenceDiffBuffer;

namespace {

QJsonObject meta(const QString &ref)
{
    return {{QStringLiteral("phx_ref"), ref}, {QStringLiteral("status"), QStringLiteral("online")}};
}

QJsonObject presences(const QString &key, const QJsonArray &metas)
{
    return key.isEmpty() ? QJsonObject() : QJsonObject{{key, QJsonObject{{"metas", metas}}}};
}

QJsonObject diff(const QJsonObject &joins, const QJsonObject &leaves)
{
    return {{QStringLiteral("joins"), joins}, {QStringLiteral("leaves"), leaves}};
}

QJsonObject joinOf(const QString &key, const QString &ref)
{
    return diff(presences(key, {meta(ref)}), {});
}

QJsonObject leaveOf(const QString &key, const QString &ref)
{
    return diff({}, presences(key, {meta(ref)}));
}

//! The refs per key of a presence state, for comparing end states.
QMap<QString, QStringList> refsOf(const QJsonObject &state)
{
    QMap<QString, QStringList> refs;
    for (auto it = state.constBegin(); it != state.constEnd(); ++it)
        for (const QJsonValue &m : it.value().toObject().value("metas").toArray())
            refs[it.key()].append(m.toObject().value("phx_ref").toString());
    return refs;
}

} // namespace

class tst_PresenceDiffBuffer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void oneDiffPassesThroughUnchanged();
    void joinsOfManyKeysBecomeOneDiff();
    void metasOfOneKeyKeepTheirOrder();
    void topicsStaySeparateInFirstSeenOrder();
    void takeEmptiesTheBuffer();
    void takeOneTopicLeavesTheOthers();
    void mergedDiffGivesTheSameEndState_data();
    void mergedDiffGivesTheSameEndState();
};

void tst_PresenceDiffBuffer::oneDiffPassesThroughUnchanged()
{
    PresenceDiffBuffer buffer;
    QVERIFY(buffer.isEmpty());
    const QJsonObject update = diff(presences("ann", {meta("r2")}), presences("ann", {meta("r1")}));
    buffer.add("chatter:room:a", update);
    QVERIFY(!buffer.isEmpty());
    const auto diffs = buffer.take();
    QCOMPARE(diffs.size(), 1);
    QCOMPARE(diffs.at(0).topic, QStringLiteral("chatter:room:a"));
    QCOMPARE(diffs.at(0).diff, update);
}

void tst_PresenceDiffBuffer::joinsOfManyKeysBecomeOneDiff()
{
    PresenceDiffBuffer buffer;
    for (int i = 0; i < 100; ++i)
        buffer.add("chatter:room:a", joinOf(QStringLiteral("u%1").arg(i), QString::number(i)));
    const auto diffs = buffer.take();
    QCOMPARE(diffs.size(), 1);
    const QJsonObject joins = diffs.at(0).diff.value("joins").toObject();
    QCOMPARE(joins.size(), 100);
    QCOMPARE(joins.value("u42").toObject(), QJsonObject({{"metas", QJsonArray{meta("42")}}}));
    QCOMPARE(diffs.at(0).diff.value("leaves").toObject(), QJsonObject());
}

void tst_PresenceDiffBuffer::metasOfOneKeyKeepTheirOrder()
{
    // Two tabs of one nickname, then one of them leaving.
    PresenceDiffBuffer buffer;
    buffer.add("t", joinOf("ann", "r1"));
    buffer.add("t", joinOf("ann", "r2"));
    buffer.add("t", leaveOf("ann", "r1"));
    const QJsonObject merged = buffer.take().at(0).diff;
    QCOMPARE(merged,
             diff(presences("ann", {meta("r1"), meta("r2")}), presences("ann", {meta("r1")})));
}

void tst_PresenceDiffBuffer::topicsStaySeparateInFirstSeenOrder()
{
    PresenceDiffBuffer buffer;
    buffer.add("chatter:room:b", joinOf("ann", "r1"));
    buffer.add("chatter:room:a", joinOf("bob", "r2"));
    buffer.add("chatter:room:b", leaveOf("cid", "r0"));
    const auto diffs = buffer.take();
    QCOMPARE(diffs.size(), 2);
    QCOMPARE(diffs.at(0).topic, QStringLiteral("chatter:room:b"));
    QCOMPARE(diffs.at(0).diff,
             diff(presences("ann", {meta("r1")}), presences("cid", {meta("r0")})));
    QCOMPARE(diffs.at(1).topic, QStringLiteral("chatter:room:a"));
    QCOMPARE(diffs.at(1).diff, joinOf("bob", "r2"));
}

void tst_PresenceDiffBuffer::takeEmptiesTheBuffer()
{
    PresenceDiffBuffer buffer;
    buffer.add("t", joinOf("ann", "r1"));
    QCOMPARE(buffer.take().size(), 1);
    QVERIFY(buffer.isEmpty());
    QVERIFY(buffer.take().isEmpty());
    buffer.add("t", leaveOf("ann", "r1"));
    QCOMPARE(buffer.take().at(0).diff, leaveOf("ann", "r1"));
}

void tst_PresenceDiffBuffer::takeOneTopicLeavesTheOthers()
{
    PresenceDiffBuffer buffer;
    buffer.add("a", joinOf("ann", "r1"));
    buffer.add("b", joinOf("bob", "r2"));
    buffer.add("a", joinOf("cid", "r3"));
    QVERIFY(buffer.contains("a"));
    QJsonObject joins = presences("ann", {meta("r1")});
    joins.insert("cid", presences("cid", {meta("r3")}).value("cid"));
    QCOMPARE(buffer.take("a"), diff(joins, {}));
    QVERIFY(!buffer.contains("a"));
    QCOMPARE(buffer.take("a"), QJsonObject());
    const auto rest = buffer.take();
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest.at(0).topic, QStringLiteral("b"));
}

void tst_PresenceDiffBuffer::mergedDiffGivesTheSameEndState_data()
{
    // A client's state before the merged diff arrives, the diffs that were merged, and the
    // refs that must be present afterwards: the same as applying the diffs one by one.
    QTest::addColumn<QJsonObject>("before");
    QTest::addColumn<QList<QJsonObject>>("diffs");

    const QJsonObject empty;
    // A client that joined while ann's join was still waiting lists her already.
    const QJsonObject knowsAnn = presences("ann", {meta("a1")});

    QTest::newRow("join then leave, unseen")
        << empty << QList{joinOf("ann", "a1"), leaveOf("ann", "a1")};
    QTest::newRow("join then leave, already listed")
        << knowsAnn << QList{joinOf("ann", "a1"), leaveOf("ann", "a1")};
    QTest::newRow("join then status update")
        << empty
        << QList{joinOf("ann", "a1"),
                 diff(presences("ann", {meta("a2")}), presences("ann", {meta("a1")}))};
    QTest::newRow("leave then rejoin with a new ref")
        << knowsAnn << QList{leaveOf("ann", "a1"), joinOf("ann", "a2")};
    QTest::newRow("second tab joins, first leaves")
        << knowsAnn << QList{joinOf("ann", "a2"), leaveOf("ann", "a1")};
    QTest::newRow("many people, some gone again")
        << knowsAnn
        << QList{joinOf("bob", "b1"), joinOf("cid", "c1"), leaveOf("bob", "b1"),
                 leaveOf("ann", "a1"), joinOf("dee", "d1")};
}

void tst_PresenceDiffBuffer::mergedDiffGivesTheSameEndState()
{
    QFETCH(QJsonObject, before);
    QFETCH(QList<QJsonObject>, diffs);

    QJsonObject oneByOne = before;
    PresenceDiffBuffer buffer;
    for (const QJsonObject &d : diffs) {
        oneByOne = PresenceSync::syncDiff(oneByOne, d);
        buffer.add("t", d);
    }
    const auto merged = buffer.take();
    QCOMPARE(merged.size(), 1);
    const QJsonObject atOnce = PresenceSync::syncDiff(before, merged.at(0).diff);
    QCOMPARE(refsOf(atOnce), refsOf(oneByOne));
}

QTEST_APPLESS_MAIN(tst_PresenceDiffBuffer)
#include "tst_presencediffbuffer.moc"
