// SPDX-License-Identifier: MIT
// The text side of search (docs/files-and-search.md): how a typed query becomes an FTS5
// expression, PostgreSQL tsquery calls with their bound values, and filters; how a snippet with
// FTS5's or ts_headline's markers becomes text and highlights; and the cursor's tie to its
// topic and query.
#include "searchquery.h"
#include "searchrequest.h"
#include "searchsnippet.h"

#include <QTest>

using namespace chatter::server;

using Place = SearchQuery::Place;
using Highlights = QList<QPair<int, int>>;

Q_DECLARE_METATYPE(QList<SearchQuery::Place>)

class tst_SearchQuery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void tsquery_data();
    void tsquery();
    void refuses_data();
    void refuses();
    void snippets_data();
    void snippets();
    void headlines_data();
    void headlines();
    void leadingWords();
    void cursorIsTiedToTopicAndQuery();
};

void tst_SearchQuery::parses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("match");
    QTest::addColumn<QStringList>("from");
    QTest::addColumn<QList<Place>>("in");

    const QStringList none;
    const QList<Place> nowhere;
    QTest::newRow("words") << "deploy log"
                           << R"("deploy" "log")" << none << nowhere;
    QTest::newRow("spaces") << "  deploy \t log  "
                            << R"("deploy" "log")" << none << nowhere;
    QTest::newRow("phrase") << R"("deploy log")"
                            << R"("deploy log")" << none << nowhere;
    QTest::newRow("phrase and word") << R"(friday "deploy  log")"
                                     << R"("friday" "deploy log")" << none << nowhere;
    QTest::newRow("unclosed phrase") << R"(a "deploy log)"
                                     << R"("a" "deploy log")" << none << nowhere;
    QTest::newRow("empty phrase dropped") << R"("" word)"
                                          << R"("word")" << none << nowhere;
    QTest::newRow("prefix") << "depl*"
                            << R"("depl"*)" << none << nowhere;
    QTest::newRow("prefix of two") << "de*"
                                   << R"("de"*)" << none << nowhere;
    QTest::newRow("short prefix is a word") << "d*"
                                            << R"("d")" << none << nowhere;
    QTest::newRow("stars collapse") << "depl**"
                                    << R"("depl"*)" << none << nowhere;
    QTest::newRow("star alone") << "* x"
                                << R"("x")" << none << nowhere;
    // FTS5's own syntax is text: quoted, never an operator.
    QTest::newRow("OR is a word") << "a OR b"
                                  << R"("a" "OR" "b")" << none << nowhere;
    QTest::newRow("NEAR is a word") << "NEAR(a b)"
                                    << R"q("NEAR(a" "b)")q" << none << nowhere;
    QTest::newRow("column filter is a word") << "body:secret"
                                             << R"("body:secret")" << none << nowhere;
    QTest::newRow("caret") << "^start"
                           << R"("^start")" << none << nowhere;
    QTest::newRow("minus") << "-not"
                           << R"("-not")" << none << nowhere;
    QTest::newRow("quote inside a word") << R"(it"s)"
                                         << R"("it" "s")" << none << nowhere;
    QTest::newRow("from") << "from:Alice deploy"
                          << R"("deploy")" << QStringList{"alice"} << nowhere;
    QTest::newRow("from with @") << "from:@Bob"
                                 << "" << QStringList{"bob"} << nowhere;
    QTest::newRow("from folded beyond ASCII")
        << QString::fromUtf8("from:ZOË") << "" << QStringList{QString::fromUtf8("zoë")} << nowhere;
    QTest::newRow("From: in capitals") << "FROM:ann"
                                       << "" << QStringList{"ann"} << nowhere;
    QTest::newRow("from twice") << "from:a from:b from:A"
                                << "" << QStringList{"a", "b"} << nowhere;
    QTest::newRow("from without a name is a word") << "from:"
                                                   << R"("from:")" << none << nowhere;
    QTest::newRow("in room") << "in:general x"
                             << R"("x")" << none << QList<Place>{{Place::Kind::Room, "general"}};
    QTest::newRow("in #room") << "in:#general"
                              << "" << none << QList<Place>{{Place::Kind::Room, "general"}};
    QTest::newRow("in @nick") << "in:@Bob"
                              << "" << none << QList<Place>{{Place::Kind::Direct, "bob"}};
    QTest::newRow("in without a name is a word") << "in:# x"
                                                 << R"("in:#" "x")" << none << nowhere;
    QTest::newRow("everything") << R"(from:ann in:#dev "deploy log" frid* now)"
                                << R"("deploy log" "frid"* "now")" << QStringList{"ann"}
                                << QList<Place>{{Place::Kind::Room, "dev"}};
}

void tst_SearchQuery::parses()
{
    QFETCH(QString, text);
    QFETCH(QString, match);
    QFETCH(QStringList, from);
    QFETCH(QList<Place>, in);
    const auto query = SearchQuery::parse(text);
    QVERIFY2(query, qPrintable(query ? QString() : query.error()));
    QCOMPARE(query->match, match);
    QCOMPARE(query->from, from);
    QCOMPARE(query->in, in);
    QCOMPARE(query->filtersOnly(), match.isEmpty());
}

void tst_SearchQuery::tsquery_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QStringList>("values");
    const QString phrase = QStringLiteral("phraseto_tsquery('chatter_search', ?)");
    const QString prefix = QStringLiteral("to_tsquery('chatter_search', ?)");
    QTest::newRow("filters only") << "from:ann" << QString() << QStringList{};
    QTest::newRow("word") << "deploy" << phrase << QStringList{"deploy"};
    QTest::newRow("words and a phrase") << R"(friday "deploy  log")" << phrase + " && " + phrase
                                        << QStringList{"friday", "deploy log"};
    QTest::newRow("prefix") << "depl*" << prefix << QStringList{"'depl':*"};
    QTest::newRow("short prefix is a word") << "d*" << phrase << QStringList{"d"};
    // A word's text is plain text to phraseto_tsquery; a prefix is one quoted lexeme: its
    // quotes doubled, its backslashes escaped, its operators inside the quotes.
    QTest::newRow("operators stay text") << "a&|!(b):*<->" << phrase << QStringList{"a&|!(b):*<->"};
    QTest::newRow("quote in a prefix") << "it's*" << prefix << QStringList{"'it''s':*"};
    QTest::newRow("backslash in a prefix") << R"(a\b*)" << prefix << QStringList{R"('a\\b':*)"};
    QTest::newRow("operators in a prefix") << "x|y&!:*" << prefix << QStringList{"'x|y&!:':*"};
    QTest::newRow("everything") << R"(from:ann "deploy log" frid* now)"
                                << phrase + " && " + prefix + " && " + phrase
                                << QStringList{"deploy log", "'frid':*", "now"};
}

void tst_SearchQuery::tsquery()
{
    QFETCH(QString, text);
    QFETCH(QString, sql);
    QFETCH(QStringList, values);
    const auto query = SearchQuery::parse(text);
    QVERIFY(query);
    const SearchQuery::Bound bound = query->tsquery();
    QCOMPARE(bound.sql, sql);
    QCOMPARE(bound.values, values);
    QCOMPARE(bound.sql.count(QLatin1Char('?')), bound.values.size());
}

void tst_SearchQuery::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("nothing") << ""
                             << "empty query";
    QTest::newRow("spaces") << "   \t"
                            << "empty query";
    QTest::newRow("empty phrase") << R"("  ")"
                                  << "empty query";
    QTest::newRow("stars") << "** *"
                           << "empty query";
    QTest::newRow("257 characters") << QString(257, QLatin1Char('a')) << "query too long";
    QTest::newRow("257 of spaces") << QString(257, QLatin1Char(' ')) << "query too long";
}

void tst_SearchQuery::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const auto query = SearchQuery::parse(text);
    QVERIFY(!query);
    QCOMPARE(query.error(), error);
    // 256 is still a query.
    QVERIFY(SearchQuery::parse(QString(256, QLatin1Char('a'))));
}

void tst_SearchQuery::snippets_data()
{
    QTest::addColumn<QString>("marked");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("text");
    QTest::addColumn<Highlights>("highlights");
    const QString o(SearchSnippet::Open), c(SearchSnippet::Close);
    QTest::newRow("none") << "plain"
                          << "plain"
                          << "plain" << Highlights{};
    QTest::newRow("one") << "the " + o + "deploy" + c + " log"
                         << "the deploy log"
                         << "the deploy log" << Highlights{{4, 6}};
    QTest::newRow("two, cut") << QString::fromUtf8("…a ") + o + "b" + c + " " + o + "cc" + c +
                                     QString::fromUtf8("…")
                              << "x a b cc y" << QString::fromUtf8("…a b cc…")
                              << Highlights{{3, 1}, {5, 2}};
    QTest::newRow("at the start") << o + "Héllo" + c + " world"
                                  << "Héllo world"
                                  << "Héllo world" << Highlights{{0, 5}};
    // UTF-16 code units: an emoji before the match counts two.
    QTest::newRow("after an emoji")
        << QString::fromUtf8("😀 ") + o + "ok" + c << QString::fromUtf8("😀 ok")
        << QString::fromUtf8("😀 ok") << Highlights{{3, 2}};
    QTest::newRow("a match of astral characters")
        << o + QString::fromUtf8("𝒜𝒷") + c << QString::fromUtf8("𝒜𝒷") << QString::fromUtf8("𝒜𝒷")
        << Highlights{{0, 4}};
    QTest::newRow("markup stays text") << o + "<b>" + c << "<b>"
                                       << "<b>" << Highlights{{0, 3}};
    // A body that holds the marker characters itself: the text without them, no highlights.
    QTest::newRow("marker in the body") << "a" + o + "\x02" + "b" + c
                                        << "a\x02"
                                           "b"
                                        << "ab" << Highlights{};
}

void tst_SearchQuery::snippets()
{
    QFETCH(QString, marked);
    QFETCH(QString, body);
    QFETCH(QString, text);
    QFETCH(Highlights, highlights);
    const SearchSnippet snippet = SearchSnippet::fromMarked(marked, body);
    QCOMPARE(snippet.text, text);
    QCOMPARE(snippet.highlights, highlights);
    for (const auto &[start, length] : snippet.highlights)
        QVERIFY(start >= 0 && length > 0 && start + length <= snippet.text.size());
}

void tst_SearchQuery::headlines_data()
{
    // ts_headline marks as snippet() does but never says where it cut: the server adds `…`.
    QTest::addColumn<QString>("marked");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("text");
    QTest::addColumn<Highlights>("highlights");
    const QString o(SearchSnippet::Open), c(SearchSnippet::Close);
    const QString e = QString::fromUtf8("…");
    QTest::newRow("the whole body") << "the " + o + "deploy" + c + " log"
                                    << "the deploy log"
                                    << "the deploy log" << Highlights{{4, 6}};
    QTest::newRow("cut after") << o + "a" + c + " b"
                               << "a b c"
                               << "a b" + e << Highlights{{0, 1}};
    QTest::newRow("cut before") << "b " + o + "c" + c << "a b c" << e + "b c" << Highlights{{3, 1}};
    QTest::newRow("cut on both sides")
        << o + "b" + c << "a b c" << e + "b" + e << Highlights{{1, 1}};
    QTest::newRow("only spaces cut off") << o + "b" + c << "  b\n"
                                         << "b" << Highlights{{0, 1}};
    QTest::newRow("marker in the body") << o + "a" + c << "a\x02"
                                        << "a" + e << Highlights{};
}

void tst_SearchQuery::headlines()
{
    QFETCH(QString, marked);
    QFETCH(QString, body);
    QFETCH(QString, text);
    QFETCH(Highlights, highlights);
    const SearchSnippet snippet = SearchSnippet::fromHeadline(marked, body);
    QCOMPARE(snippet.text, text);
    QCOMPARE(snippet.highlights, highlights);
}

void tst_SearchQuery::leadingWords()
{
    QCOMPARE(SearchSnippet::leading(QStringLiteral("short one")).text, QStringLiteral("short one"));
    QCOMPARE(SearchSnippet::leading(QStringLiteral(" a\n b ")).text, QStringLiteral("a b"));
    const QString twelve = QStringLiteral("1 2 3 4 5 6 7 8 9 10 11 12");
    QCOMPARE(SearchSnippet::leading(twelve).text, twelve);
    QCOMPARE(SearchSnippet::leading(twelve + QStringLiteral(" 13 14")).text,
             twelve + QChar(0x2026));
    QVERIFY(SearchSnippet::leading(twelve).highlights.isEmpty());
}

void tst_SearchQuery::cursorIsTiedToTopicAndQuery()
{
    using namespace searchrequest;
    const QString topic = QStringLiteral("chatter:room:general");
    const QString cursor = encodeCursor({40, 0}, topic, QStringLiteral("deploy"));
    const auto back = decodeCursor(cursor, topic, QStringLiteral("deploy"));
    QVERIFY(back);
    QCOMPARE(back->offset, 40);
    QCOMPARE(back->beforeId, 0);
    const auto before = decodeCursor(encodeCursor({0, 99}, topic, QStringLiteral("from:a")), topic,
                                     QStringLiteral("from:a"));
    QVERIFY(before);
    QCOMPARE(before->beforeId, 99);
    // Another topic or query, a made-up cursor: none of them is a cursor.
    QVERIFY(!decodeCursor(cursor, QStringLiteral("chatter:user:bob"), QStringLiteral("deploy")));
    QVERIFY(!decodeCursor(cursor, topic, QStringLiteral("deploy2")));
    // A cursor says where a page starts and nothing else: one made by hand with another
    // field, or a negative offset, is refused.
    const QByteArray extra = R"({"d":"x","o":0,"room":"secret"})";
    QVERIFY(!decodeCursor(QString::fromLatin1(extra.toBase64(QByteArray::Base64UrlEncoding)), topic,
                          QStringLiteral("deploy")));
    QVERIFY(!decodeCursor(QStringLiteral("!!"), topic, QStringLiteral("deploy")));
    QVERIFY(!decodeCursor(QString(), topic, QStringLiteral("deploy")));
    const QByteArray negative = R"({"d":"x","o":-5})";
    QVERIFY(!decodeCursor(QString::fromLatin1(negative.toBase64(QByteArray::Base64UrlEncoding)),
                          topic, QStringLiteral("deploy")));
}

QTEST_APPLESS_MAIN(tst_SearchQuery)
#include "tst_searchquery.moc"
