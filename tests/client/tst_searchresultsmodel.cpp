// SPDX-License-Identifier: MIT
// SearchResultsModel: results grouped by conversation, highlight ranges in UTF-16, paging.
#include "searchresultsmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using chatter::client::SearchResult;
using chatter::client::SearchResultsModel;

namespace {

//! "room:id" entries, one page per string of comma-separated entries.
QList<SearchResult> page(const QString &entries)
{
    QList<SearchResult> results;
    for (const QString &entry : entries.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList parts = entry.split(QLatin1Char(':'));
        const QString room = parts.mid(0, parts.size() - 1).join(QLatin1Char(':'));
        results.append(*SearchResult::fromJson(
            {{QStringLiteral("topic"), QStringLiteral("chatter:room:") + room},
             {QStringLiteral("room"), room},
             {QStringLiteral("id"), parts.last().toLongLong()},
             {QStringLiteral("user"), QStringLiteral("alice")},
             {QStringLiteral("at"), QStringLiteral("2026-12-05T09:00:00.000Z")},
             {QStringLiteral("snippet"), QStringLiteral("the deploy log")},
             {QStringLiteral("highlights"), QJsonArray{QJsonArray{4, 6}}}}));
    }
    return results;
}

//! The model as "room(id id …)" groups in order, e.g. "general(3 1) dm:a:b(2)".
QString shape(const SearchResultsModel &model)
{
    QStringList groups;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex group = model.index(row, 0);
        QStringList ids;
        for (int child = 0; child < model.rowCount(group); ++child)
            ids << model.index(child, 0, group).data(SearchResultsModel::IdRole).toString();
        groups << group.data(SearchResultsModel::RoomRole).toString() + QLatin1Char('(') +
                      ids.join(QLatin1Char(' ')) + QLatin1Char(')');
    }
    return groups.join(QLatin1Char(' '));
}

} // namespace

class tst_SearchResultsModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void grouping_data();
    void grouping();
    void highlights_data();
    void highlights();
    void pagingAddsToGroups();
    void resultsAndGroupsAreTold();
    void rejectsResultsWithoutPlace();
};

void tst_SearchResultsModel::grouping_data()
{
    QTest::addColumn<QStringList>("pages");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("results");

    QTest::newRow("empty") << QStringList{} << QString() << 0;
    QTest::newRow("one conversation") << QStringList{QStringLiteral("general:5,general:3")}
                                      << QStringLiteral("general(5 3)") << 2;
    // Groups come in the order of their best-ranked result; inside, the server's order.
    QTest::newRow("interleaved") << QStringList{QStringLiteral(
                                        "general:9,dm:alice:bob:7,general:2,ops:4,dm:alice:bob:1")}
                                 << QStringLiteral("general(9 2) dm:alice:bob(7 1) ops(4)") << 5;
    QTest::newRow("second page joins existing groups")
        << QStringList{QStringLiteral("general:9,ops:8"),
                       QStringLiteral("ops:3,random:2,general:1")}
        << QStringLiteral("general(9 1) ops(8 3) random(2)") << 5;
    QTest::newRow("empty page changes nothing")
        << QStringList{QStringLiteral("general:9"), QString()} << QStringLiteral("general(9)") << 1;
}

void tst_SearchResultsModel::grouping()
{
    QFETCH(QStringList, pages);
    QFETCH(QString, expected);
    QFETCH(int, results);
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (const QString &entries : pages)
        model.appendPage(page(entries));
    QCOMPARE(shape(model), expected);
    QCOMPARE(model.resultCount(), results);
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex group = model.index(row, 0);
        QVERIFY(group.data(SearchResultsModel::GroupRole).toBool());
        QCOMPARE(group.data(SearchResultsModel::CountRole).toInt(), model.rowCount(group));
        const QModelIndex first = model.index(0, 0, group);
        QCOMPARE(first.parent(), group);
        QVERIFY(!first.data(SearchResultsModel::GroupRole).toBool());
        QCOMPARE(model.resultAt(first)->room, group.data(SearchResultsModel::RoomRole).toString());
        QCOMPARE(model.resultAt(group), nullptr);
    }
}

void tst_SearchResultsModel::highlights_data()
{
    QTest::addColumn<QString>("snippet");
    QTest::addColumn<QString>("ranges"); // the JSON of `highlights`
    QTest::addColumn<QStringList>("highlighted");

    QTest::newRow("one") << QStringLiteral("…the deploy log from friday…")
                         << QStringLiteral("[[5,6]]") << QStringList{QStringLiteral("deploy")};
    QTest::newRow("two") << QStringLiteral("deploy the deploy") << QStringLiteral("[[0,6],[11,6]]")
                         << QStringList{QStringLiteral("deploy"), QStringLiteral("deploy")};
    // UTF-16 code units: the emoji before the word counts two, as in QString.
    QTest::newRow("after an emoji") << QStringLiteral("🎉 deploy done") << QStringLiteral("[[3,6]]")
                                    << QStringList{QStringLiteral("deploy")};
    QTest::newRow("accented") << QStringLiteral("le café déployé") << QStringLiteral("[[3,4]]")
                              << QStringList{QStringLiteral("café")};
    // The server's ranges are trusted no further than the snippet.
    QTest::newRow("cut at the end") << QStringLiteral("deploy") << QStringLiteral("[[2,40]]")
                                    << QStringList{QStringLiteral("ploy")};
    QTest::newRow("outside, negative, empty, malformed")
        << QStringLiteral("deploy") << QStringLiteral("[[6,2],[-1,3],[1,0],[1],\"x\",[0,\"a\"]]")
        << QStringList{};
}

void tst_SearchResultsModel::highlights()
{
    QFETCH(QString, snippet);
    QFETCH(QString, ranges);
    QFETCH(QStringList, highlighted);
    const auto result = SearchResult::fromJson(
        {{QStringLiteral("room"), QStringLiteral("general")},
         {QStringLiteral("id"), 1},
         {QStringLiteral("snippet"), snippet},
         {QStringLiteral("highlights"), QJsonDocument::fromJson(ranges.toUtf8()).array()}});
    QVERIFY(result);
    SearchResultsModel model;
    model.appendPage({*result});
    const QModelIndex index = model.index(0, 0, model.index(0, 0));
    QCOMPARE(index.data(SearchResultsModel::SnippetRole).toString(), snippet);
    QStringList words;
    for (const QVariant &range : index.data(SearchResultsModel::HighlightsRole).toList()) {
        const QVariantList pair = range.toList();
        QCOMPARE(pair.size(), 2);
        // Inside the snippet: a painter is handed these ranges as they are.
        QVERIFY(pair.at(0).toInt() >= 0 && pair.at(1).toInt() > 0);
        QVERIFY(pair.at(0).toInt() + pair.at(1).toInt() <= snippet.size());
        words << snippet.mid(pair.at(0).toInt(), pair.at(1).toInt());
    }
    QCOMPARE(words, highlighted);
}

void tst_SearchResultsModel::pagingAddsToGroups()
{
    SearchResultsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendPage(page(QStringLiteral("general:9,ops:8")));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.appendPage(page(QStringLiteral("ops:3,random:2")));
    // Added where they belong, without a reset: a view keeps its place and selection.
    QCOMPARE(reset.size(), 0);
    QCOMPARE(inserted.size(), 3); // ops' child, the random group, random's child
    QCOMPARE(inserted.at(0).at(0).value<QModelIndex>(), model.index(1, 0));
    QCOMPARE(inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.at(1).at(0).value<QModelIndex>(), QModelIndex());
    QCOMPARE(inserted.at(1).at(1).toInt(), 2);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.resultCount(), 0);
}

void tst_SearchResultsModel::resultsAndGroupsAreTold()
{
    SearchResultsModel model;
    model.setTitleFunction([](const QString &room) {
        return room.startsWith(QLatin1String("dm:")) ? QStringLiteral("@bob")
                                                     : QStringLiteral("#") + room;
    });
    model.appendPage(page(QStringLiteral("general:9,dm:alice:bob:7")));
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("#general"));
    QCOMPARE(model.index(1, 0).data(SearchResultsModel::TitleRole).toString(),
             QStringLiteral("@bob"));
    const QModelIndex result = model.index(0, 0, model.index(1, 0));
    QCOMPARE(result.data(SearchResultsModel::IdRole).toLongLong(), 7);
    QCOMPARE(result.data(SearchResultsModel::UserRole).toString(), QStringLiteral("alice"));
    QCOMPARE(result.data(SearchResultsModel::TopicRole).toString(),
             QStringLiteral("chatter:room:dm:alice:bob"));
    QCOMPARE(result.data(SearchResultsModel::AtRole).toDateTime(),
             QDateTime(QDate(2026, 12, 5), QTime(9, 0), Qt::UTC));
    QVERIFY(result.data(Qt::AccessibleTextRole).toString().contains(QLatin1String("deploy")));
}

void tst_SearchResultsModel::rejectsResultsWithoutPlace()
{
    QVERIFY(!SearchResult::fromJson({{QStringLiteral("id"), 3}}));
    QVERIFY(!SearchResult::fromJson({{QStringLiteral("room"), QStringLiteral("general")}}));
    QVERIFY(SearchResult::fromJson(
        {{QStringLiteral("room"), QStringLiteral("general")}, {QStringLiteral("id"), 3}}));
}

QTEST_GUILESS_MAIN(tst_SearchResultsModel)
#include "tst_searchresultsmodel.moc"
