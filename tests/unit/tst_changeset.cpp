// SPDX-License-Identifier: MIT
#include "changeset.h"

#include <QTest>

using namespace chatter::server;

//! The payloads of `chatter_changed` (postgresql-schema.sql's triggers) as ChangeFeed gathers
//! them: which caches a node reads again, which sessions it adds or drops.
class tst_ChangeSet : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void payloads_data();
    void payloads();
    void aSessionAddedThenRemovedIsRemoved();
    void anEmptySetIsEmpty();
};

namespace {

const QString Hash(64, QLatin1Char('a'));

QString describe(const ChangeSet &c)
{
    QStringList parts;
    if (c.everything)
        parts << QStringLiteral("everything");
    if (c.accounts)
        parts << QStringLiteral("accounts");
    if (c.bans)
        parts << QStringLiteral("bans");
    if (c.conversations)
        parts << QStringLiteral("conversations");
    for (const QByteArray &h : c.sessionsAdded)
        parts << QStringLiteral("+") + QString::fromLatin1(h.toHex());
    for (const QByteArray &h : c.sessionsRemoved)
        parts << QStringLiteral("-") + QString::fromLatin1(h.toHex());
    QList<qint64> ids(c.readStates.cbegin(), c.readStates.cend());
    std::sort(ids.begin(), ids.end());
    for (const qint64 id : ids)
        parts << QStringLiteral("read:%1").arg(id);
    return parts.join(QLatin1Char(' '));
}

} // namespace

void tst_ChangeSet::payloads_data()
{
    QTest::addColumn<QString>("payload");
    QTest::addColumn<bool>("known");
    QTest::addColumn<QString>("gathered");
    QTest::newRow("accounts") << "accounts" << true << "accounts";
    QTest::newRow("account keys") << "account_keys" << true << "accounts";
    QTest::newRow("bans") << "bans" << true << "bans";
    QTest::newRow("private rooms") << "private_rooms" << true << "conversations";
    QTest::newRow("members") << "room_members" << true << "conversations";
    QTest::newRow("session added") << "sessions:insert:" + Hash << true << "+" + Hash;
    QTest::newRow("session removed") << "sessions:delete:" + Hash << true << "-" + Hash;
    QTest::newRow("read state") << "read_state:42" << true << "read:42";
    QTest::newRow("unknown table") << "messages" << false << "";
    QTest::newRow("empty") << "" << false << "";
    QTest::newRow("session, short hash") << "sessions:insert:abcd" << false << "";
    QTest::newRow("session, not hex")
        << "sessions:insert:" + QString(64, QLatin1Char('z')) << false << "";
    QTest::newRow("session, unknown operation") << "sessions:update:" + Hash << false << "";
    QTest::newRow("read state, no id") << "read_state:" << false << "";
    QTest::newRow("read state, not a number") << "read_state:x1" << false << "";
    QTest::newRow("read state, zero") << "read_state:0" << false << "";
    QTest::newRow("read state, extra part") << "read_state:1:2" << false << "";
}

void tst_ChangeSet::payloads()
{
    QFETCH(QString, payload);
    QFETCH(bool, known);
    QFETCH(QString, gathered);
    ChangeSet changes;
    QCOMPARE(changes.add(payload), known);
    QCOMPARE(describe(changes), gathered);
    QCOMPARE(changes.isEmpty(), gathered.isEmpty());
}

void tst_ChangeSet::aSessionAddedThenRemovedIsRemoved()
{
    ChangeSet changes;
    QVERIFY(changes.add("sessions:insert:" + Hash));
    QVERIFY(changes.add("sessions:delete:" + Hash));
    QCOMPARE(describe(changes), "-" + Hash);
    QVERIFY(changes.add("read_state:7"));
    QVERIFY(changes.add("read_state:7"));
    QCOMPARE(changes.readStates.size(), 1);
}

void tst_ChangeSet::anEmptySetIsEmpty()
{
    ChangeSet changes;
    QVERIFY(changes.isEmpty());
    changes.everything = true;
    QVERIFY(!changes.isEmpty());
}

QTEST_APPLESS_MAIN(tst_ChangeSet)
#include "tst_changeset.moc"
