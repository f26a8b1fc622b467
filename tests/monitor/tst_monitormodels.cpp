// SPDX-License-Identifier: MIT
#include "audittablemodel.h"
#include "bantablemodel.h"
#include "eventlogmodel.h"
#include "listenurls.h"
#include "monitorpalette.h"
#include "roomtablemodel.h"
#include "socketactions.h"
#include "sockettablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace chatter::monitor;
using chatter::server::EngineEvent;
using chatter::server::RoomRow;
using chatter::server::SocketRow;

namespace {

SocketRow socketRow(quint64 id, const QString &user, qint64 messagesIn = 0)
{
    SocketRow row;
    row.id = id;
    row.user = user;
    row.peer = QStringLiteral("127.0.0.1:%1").arg(40000 + id);
    row.messagesIn = messagesIn;
    return row;
}

QList<SocketRow> socketRows(quint64 first, quint64 last)
{
    QList<SocketRow> rows;
    for (quint64 id = first; id <= last; ++id)
        rows.append(socketRow(id, QStringLiteral("u%1").arg(id)));
    return rows;
}

QStringList usersOf(const SocketTableModel &model)
{
    QStringList users;
    for (const SocketRow &row : model.rows())
        users.append(row.user);
    return users;
}

} // namespace

class tst_MonitorModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void snapshotDiffInsertsRemovesAndUpdates();
    void largeChurnResets();
    void unchangedSnapshotIsSilent();
    void eventLogDropsOldest();
    void roomRateFromDeltas();
    void bansListTargetReasonUntilAndBy();
    void auditNewestFirstAndStillWhenUnchanged();
    void peerAddress_data();
    void peerAddress();
    void urlsForWildcardAndSpecificBind();
    void accentsFollowThePalette();
};

void tst_MonitorModels::snapshotDiffInsertsRemovesAndUpdates()
{
    SocketTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshot(
        {socketRow(1, "ann"), socketRow(2, "bob"), socketRow(3, "cat"), socketRow(4, "dan")});
    QCOMPARE(model.rowCount(), 4);

    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    // bob and cat go (one contiguous run), dan sends a message, eve arrives.
    const auto changes =
        model.applySnapshot({socketRow(1, "ann"), socketRow(4, "dan", 5), socketRow(5, "eve")});
    QCOMPARE(changes.removed, 2);
    QCOMPARE(changes.inserted, 1);
    QCOMPARE(changes.updated, 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().at(1).toInt(), 1);
    QCOMPARE(removed.first().at(2).toInt(), 2);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().row(), 1);
    QCOMPARE(usersOf(model), (QStringList{"ann", "dan", "eve"}));
    QCOMPARE(model.rowOfKey(5), 2);
    QCOMPARE(model.socket(4)->messagesIn, 5);
    QVERIFY(!model.socket(2));
}

void tst_MonitorModels::largeChurnResets()
{
    SocketTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applySnapshot(socketRows(1, 1000));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    const auto changes = model.applySnapshot(socketRows(801, 2000));
    QVERIFY(changes.reset);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 1200);
    QCOMPARE(model.rowOfKey(801), 0);
    QCOMPARE(model.rowOfKey(1), -1);
}

void tst_MonitorModels::unchangedSnapshotIsSilent()
{
    SocketTableModel model;
    model.applySnapshot(socketRows(1, 100));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    const auto changes = model.applySnapshot(socketRows(1, 100));
    QCOMPARE(changes.updated, 0);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(layout.size(), 0);
}

void tst_MonitorModels::eventLogDropsOldest()
{
    EventLogModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<EngineEvent> batch;
    for (int i = 0; i < 4; ++i)
        batch.append(EngineEvent{QDateTime::currentDateTimeUtc(),
                                 EngineEvent::Kind::Connect,
                                 quint64(i + 1),
                                 {},
                                 {},
                                 {}});
    model.append(batch);
    model.append(batch);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.event(0).socket, quint64(4)); // 1..4 then 1..4; the three oldest went
    model.appendNote(QStringLiteral("hello"));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(4, EventLogModel::Kind).data().toString(), QStringLiteral("monitor"));
    QVERIFY(model.rowText(4).endsWith(QStringLiteral("hello")));
    // A batch larger than the log keeps its newest rows.
    QList<EngineEvent> big;
    for (int i = 0; i < 12; ++i)
        big.append(EngineEvent{QDateTime::currentDateTimeUtc(),
                               EngineEvent::Kind::Join,
                               quint64(100 + i),
                               {},
                               {},
                               {}});
    model.append(big);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.event(0).socket, quint64(107));
    QCOMPARE(model.event(4).socket, quint64(111));
}

void tst_MonitorModels::bansListTargetReasonUntilAndBy()
{
    using chatter::server::BanRow;
    BanTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    BanRow forever{1, "troll", "spam", "root", now, {}};
    BanRow timed{2, "10.0.0.9", "", "monitor", now, now.addSecs(600)};
    model.applyBans({forever, timed});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, BanTableModel::Target).data().toString(), QString("troll"));
    QCOMPARE(model.index(0, BanTableModel::Reason).data().toString(), QString("spam"));
    QCOMPARE(model.index(0, BanTableModel::Until).data().toString(), QString("until lifted"));
    QCOMPARE(model.index(0, BanTableModel::By).data().toString(), QString("root"));
    QVERIFY(model.index(1, BanTableModel::Until).data().toString() != "until lifted");
    QCOMPARE(model.index(1, BanTableModel::Target).data(BanTableModel::IdRole).toLongLong(), 2);
    // A lifted ban goes; the other row stays where it is.
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.applyBans({timed});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, BanTableModel::Target).data().toString(), QString("10.0.0.9"));
    QCOMPARE(reset.size(), 0);
}

void tst_MonitorModels::auditNewestFirstAndStillWhenUnchanged()
{
    using chatter::server::AuditRow;
    AuditTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QDateTime at = QDateTime::currentDateTimeUtc();
    const AuditRow added{1, at, "cli", "account_add", "alice", "", "admin"};
    const AuditRow ban{2, at, "root", "ban", "troll", "127.0.0.1", "until lifted; spam"};
    model.applyEntries({ban, added});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, AuditTableModel::Action).data().toString(), QString("ban"));
    QCOMPARE(model.index(0, AuditTableModel::Actor).data().toString(), QString("root"));
    QCOMPARE(model.index(0, AuditTableModel::Address).data().toString(), QString("127.0.0.1"));
    QCOMPARE(model.index(1, AuditTableModel::Target).data().toString(), QString("alice"));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.applyEntries({ban, added}); // the periodic read with nothing new
    QCOMPARE(reset.size(), 0);
    const AuditRow unban{3, at, "monitor", "unban", "troll", "", ""};
    model.applyEntries({unban, ban, added});
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.index(0, AuditTableModel::Action).data().toString(), QString("unban"));
}

void tst_MonitorModels::roomRateFromDeltas()
{
    RoomTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QDateTime t0 = QDateTime::fromString(QStringLiteral("2024-01-01T12:00:00Z"), Qt::ISODate);
    model.applySnapshot({RoomRow{"lobby", 3, 100, {}}}, t0);
    QCOMPARE(model.index(0, RoomTableModel::PerMinute).data(RoomTableModel::SortRole).toDouble(),
             0.0);
    // 30 more messages in 10 s: 180 per minute.
    model.applySnapshot({RoomRow{"lobby", 3, 130, {}}}, t0.addSecs(10));
    QCOMPARE(model.index(0, RoomTableModel::PerMinute).data(RoomTableModel::SortRole).toDouble(),
             180.0);
    QCOMPARE(model.index(0, RoomTableModel::Members).data().toString(), QStringLiteral("3"));
    // Quiet for over a minute: the rate falls to zero.
    model.applySnapshot({RoomRow{"lobby", 3, 130, {}}}, t0.addSecs(40));
    model.applySnapshot({RoomRow{"lobby", 3, 130, {}}}, t0.addSecs(80));
    QCOMPARE(model.index(0, RoomTableModel::PerMinute).data(RoomTableModel::SortRole).toDouble(),
             0.0);
    QCOMPARE(model.roomNames(), QStringList{"lobby"});
}

void tst_MonitorModels::peerAddress_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QString>("address");
    QTest::newRow("v4") << "10.0.0.5:5123"
                        << "10.0.0.5";
    QTest::newRow("mapped v4") << "::ffff:10.0.0.5:5123"
                               << "10.0.0.5";
    QTest::newRow("v6") << "fd00::1:5123"
                        << "fd00::1";
    QTest::newRow("bracketed v6") << "[::1]:5123"
                                  << "::1";
}

void tst_MonitorModels::peerAddress()
{
    QFETCH(QString, peer);
    QFETCH(QString, address);
    QCOMPARE(SocketActions::addressOfPeer(peer), QHostAddress(address));
}

void tst_MonitorModels::urlsForWildcardAndSpecificBind()
{
    QCOMPARE(listenUrls(QHostAddress::LocalHost, 4000), QStringList{"http://127.0.0.1:4000/"});
    QCOMPARE(urlFor(QHostAddress(QStringLiteral("fd00::5")), 80),
             QStringLiteral("http://[fd00::5]:80/"));
    const QStringList any = listenUrls(QHostAddress::Any, 4000);
    QVERIFY(!any.isEmpty());
    QCOMPARE(any.last(), QStringLiteral("http://127.0.0.1:4000/"));
    for (const QString &url : any) {
        QVERIFY2(url.startsWith(QLatin1String("http://")) && url.endsWith(QLatin1String(":4000/")),
                 qPrintable(url));
        QVERIFY(!url.contains(QLatin1String("fe80")));
    }
}

void tst_MonitorModels::accentsFollowThePalette()
{
    QPalette light;
    light.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    light.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
    QPalette dark = light;
    dark.setColor(QPalette::Window, QColor(0x2a, 0x2a, 0x2e));
    dark.setColor(QPalette::Highlight, QColor(0x1d, 0x54, 0x8a)); // deep: lifted on dark
    QVERIFY(!MonitorPalette::isDark(light));
    QVERIFY(MonitorPalette::isDark(dark));
    QVERIFY(MonitorPalette::accent(dark).lightness() > dark.color(QPalette::Highlight).lightness());
    QVERIFY(MonitorPalette::warning(dark).lightness() > MonitorPalette::warning(light).lightness());
    QVERIFY(MonitorPalette::band(dark).lightness() > dark.color(QPalette::Window).lightness());
    QVERIFY(MonitorPalette::band(light).lightness() < light.color(QPalette::Window).lightness());
    QVERIFY(MonitorPalette::secondaryAccent(light) != MonitorPalette::accent(light));
}

QTEST_MAIN(tst_MonitorModels)
#include "tst_monitormodels.moc"
