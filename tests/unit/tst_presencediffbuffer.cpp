// SPDX-License-Identifier: MIT
#include "presencediffbuffer.h"
#include "presencesync.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using chatter::PresenceSync;
using chatter::server::PresenceDiff;
using chatter::server::PresenceDiffBuffer;
using chatter::server::PresenceMeta;
using chatter::server::PresenceRef;

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

//! Adds a {"joins", "leaves"} object's metas the way the worker's diffs arrive: as text.
void add(PresenceDiffBuffer &buffer, const QString &topic, const QJsonObject &diff)
{
    const auto addSide = [&](const char *name, PresenceDiffBuffer::Side side) {
        const QJsonObject presences = diff.value(QLatin1String(name)).toObject();
        for (auto it = presences.constBegin(); it != presences.constEnd(); ++it) {
            for (const QJsonValue &m : it.value().toObject().value("metas").toArray())
                buffer.add(topic, side, it.key(),
                           QJsonDocument(m.toObject()).toJson(QJsonDocument::Compact));
        }
    };
    addSide("joins", PresenceDiffBuffer::Side::Joins);
    addSide("leaves", PresenceDiffBuffer::Side::Leaves);
}

//! A merged payload read back; a null object if it is not one JSON object.
QJsonObject parsed(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return {{"unreadable", QString::fromUtf8(text)}};
    return document.object();
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
    void diffFromFieldsIsWrittenAsItsObject_data();
    void diffFromFieldsIsWrittenAsItsObject();
    void diffWithoutKeyAddsNothing();
};

void tst_PresenceDiffBuffer::oneDiffPassesThroughUnchanged()
{
    PresenceDiffBuffer buffer;
    QVERIFY(buffer.isEmpty());
    const QJsonObject update = diff(presences("ann", {meta("r2")}), presences("ann", {meta("r1")}));
    add(buffer, "chatter:room:a", update);
    QVERIFY(!buffer.isEmpty());
    const auto diffs = buffer.take();
    QCOMPARE(diffs.size(), 1);
    QCOMPARE(diffs.at(0).topic, QStringLiteral("chatter:room:a"));
    QCOMPARE(parsed(diffs.at(0).diff), update);
}

void tst_PresenceDiffBuffer::joinsOfManyKeysBecomeOneDiff()
{
    PresenceDiffBuffer buffer;
    for (int i = 0; i < 100; ++i)
        add(buffer, "chatter:room:a", joinOf(QStringLiteral("u%1").arg(i), QString::number(i)));
    const auto diffs = buffer.take();
    QCOMPARE(diffs.size(), 1);
    const QJsonObject joins = parsed(diffs.at(0).diff).value("joins").toObject();
    QCOMPARE(joins.size(), 100);
    QCOMPARE(joins.value("u42").toObject(), QJsonObject({{"metas", QJsonArray{meta("42")}}}));
    QCOMPARE(parsed(diffs.at(0).diff).value("leaves").toObject(), QJsonObject());
}

void tst_PresenceDiffBuffer::metasOfOneKeyKeepTheirOrder()
{
    // Two tabs of one nickname, then one of them leaving.
    PresenceDiffBuffer buffer;
    add(buffer, "t", joinOf("ann", "r1"));
    add(buffer, "t", joinOf("ann", "r2"));
    add(buffer, "t", leaveOf("ann", "r1"));
    const QJsonObject merged = parsed(buffer.take().at(0).diff);
    QCOMPARE(merged,
             diff(presences("ann", {meta("r1"), meta("r2")}), presences("ann", {meta("r1")})));
}

void tst_PresenceDiffBuffer::topicsStaySeparateInFirstSeenOrder()
{
    PresenceDiffBuffer buffer;
    add(buffer, "chatter:room:b", joinOf("ann", "r1"));
    add(buffer, "chatter:room:a", joinOf("bob", "r2"));
    add(buffer, "chatter:room:b", leaveOf("cid", "r0"));
    const auto diffs = buffer.take();
    QCOMPARE(diffs.size(), 2);
    QCOMPARE(diffs.at(0).topic, QStringLiteral("chatter:room:b"));
    QCOMPARE(parsed(diffs.at(0).diff),
             diff(presences("ann", {meta("r1")}), presences("cid", {meta("r0")})));
    QCOMPARE(diffs.at(1).topic, QStringLiteral("chatter:room:a"));
    QCOMPARE(parsed(diffs.at(1).diff), joinOf("bob", "r2"));
}

void tst_PresenceDiffBuffer::takeEmptiesTheBuffer()
{
    PresenceDiffBuffer buffer;
    add(buffer, "t", joinOf("ann", "r1"));
    QCOMPARE(buffer.take().size(), 1);
    QVERIFY(buffer.isEmpty());
    QVERIFY(buffer.take().isEmpty());
    add(buffer, "t", leaveOf("ann", "r1"));
    QCOMPARE(parsed(buffer.take().at(0).diff), leaveOf("ann", "r1"));
}

void tst_PresenceDiffBuffer::takeOneTopicLeavesTheOthers()
{
    PresenceDiffBuffer buffer;
    add(buffer, "a", joinOf("ann", "r1"));
    add(buffer, "b", joinOf("bob", "r2"));
    add(buffer, "a", joinOf("cid", "r3"));
    QVERIFY(buffer.contains("a"));
    QJsonObject joins = presences("ann", {meta("r1")});
    joins.insert("cid", presences("cid", {meta("r3")}).value("cid"));
    QCOMPARE(parsed(buffer.take("a")), diff(joins, {}));
    QVERIFY(!buffer.contains("a"));
    QVERIFY(buffer.take("a").isEmpty());
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
        add(buffer, "t", d);
    }
    const auto merged = buffer.take();
    QCOMPARE(merged.size(), 1);
    const QJsonObject atOnce = PresenceSync::syncDiff(before, parsed(merged.at(0).diff));
    QCOMPARE(refsOf(atOnce), refsOf(oneByOne));
}

void tst_PresenceDiffBuffer::diffFromFieldsIsWrittenAsItsObject_data()
{
    QTest::addColumn<QList<PresenceDiff>>("changes");
    QTest::addColumn<QJsonObject>("expected");

    PresenceMeta online;
    online.client = QStringLiteral("desktop");
    online.onlineAtMs = 1'780'000'000'123;
    online.ref = PresenceRef::generate();
    PresenceMeta away = online;
    away.status = PresenceMeta::Status::Away;
    away.autoAway = true;
    away.refPrev = online.ref;
    away.ref = PresenceRef::generate();
    PresenceMeta guest = online;
    guest.role = PresenceMeta::Role::Guest;
    guest.client = QStringLiteral("web \"tab\"\n");
    guest.ref = PresenceRef::generate();
    const QString oddKey = QStringLiteral("Zoë \"quoted\" \u2603");

    const auto join = [](const QString &key, const PresenceMeta &meta) {
        return PresenceDiff::join(key, meta);
    };
    const auto objectOf = [](const QList<PresenceDiff> &changes) {
        QJsonObject joins, leaves;
        for (const PresenceDiff &change : changes) {
            const QJsonObject one = change.toJson();
            for (const auto &[side, into] :
                 {std::pair{"joins", &joins}, std::pair{"leaves", &leaves}}) {
                const QJsonObject presences = one.value(QLatin1String(side)).toObject();
                for (auto it = presences.constBegin(); it != presences.constEnd(); ++it) {
                    QJsonArray metas = into->value(it.key()).toObject().value("metas").toArray();
                    for (const QJsonValue &m : it.value().toObject().value("metas").toArray())
                        metas.append(m);
                    into->insert(it.key(), QJsonObject{{"metas", metas}});
                }
            }
        }
        return diff(joins, leaves);
    };

    const QList<QList<PresenceDiff>> rows{
        {join("ann", online)},
        {PresenceDiff::leave("ann", online)},
        {PresenceDiff{"ann", away, online}},
        {join(oddKey, guest)},
        {join("bob", online), join("ann", guest), PresenceDiff::leave("bob", online),
         join("bob", away)},
    };
    const char *names[] = {"join", "leave", "update with phx_ref_prev and auto",
                           "escaped key and client, guest", "several keys and sides"};
    for (qsizetype i = 0; i < rows.size(); ++i)
        QTest::newRow(names[i]) << rows.at(i) << objectOf(rows.at(i));
}

void tst_PresenceDiffBuffer::diffFromFieldsIsWrittenAsItsObject()
{
    // The worker's diffs never exist as objects: their text must read back as the object
    // Phoenix clients expect.
    QFETCH(QList<PresenceDiff>, changes);
    QFETCH(QJsonObject, expected);
    PresenceDiffBuffer buffer;
    for (const PresenceDiff &change : changes)
        buffer.add("t", change);
    const QByteArray text = buffer.take("t");
    QCOMPARE(parsed(text), expected);
}

void tst_PresenceDiffBuffer::diffWithoutKeyAddsNothing()
{
    PresenceDiffBuffer buffer;
    PresenceMeta meta;
    meta.ref = PresenceRef::generate();
    buffer.add("t", PresenceDiff::join(QString(), meta));
    QVERIFY(buffer.isEmpty());
}

QTEST_APPLESS_MAIN(tst_PresenceDiffBuffer)
#include "tst_presencediffbuffer.moc"
