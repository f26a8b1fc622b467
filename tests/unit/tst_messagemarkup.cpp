// SPDX-License-Identifier: MIT
// The message markup against the cases the browser's port must pass too.
#include "messagemarkup.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace chatter::markup;

class TestMessageMarkup : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sharedCases_data();
    void sharedCases();
    void mentionedNames_data();
    void mentionedNames();
    void plainText_data();
    void plainText();
};

void TestMessageMarkup::sharedCases_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QJsonArray>("expected");
    QFile file(QStringLiteral(CHATTER_MARKUP_CASES));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonArray cases = QJsonDocument::fromJson(file.readAll()).array();
    QVERIFY(cases.size() >= 30);
    for (const QJsonValue &entry : cases) {
        const QJsonObject c = entry.toObject();
        QTest::newRow(qPrintable(c.value(QLatin1String("name")).toString()))
            << c.value(QLatin1String("body")).toString()
            << c.value(QLatin1String("tokens")).toArray();
    }
}

void TestMessageMarkup::sharedCases()
{
    QFETCH(QString, body);
    QFETCH(QJsonArray, expected);
    QJsonArray actual;
    for (const Token &token : tokenize(body))
        actual.append(QJsonObject{{QStringLiteral("t"), kindName(token.kind)},
                                  {QStringLiteral("s"), token.text}});
    QCOMPARE(QJsonDocument(actual).toJson(QJsonDocument::Compact),
             QJsonDocument(expected).toJson(QJsonDocument::Compact));
}

void TestMessageMarkup::mentionedNames_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("none") << "no one here" << QStringList();
    QTest::newRow("one") << "hi @alice" << QStringList{"alice"};
    QTest::newRow("each once, case-insensitively")
        << "@Alice @bob @ALICE @alice." << QStringList{"Alice", "bob"};
    QTest::newRow("not in code") << "`@alice` and\n```\n@bob\n```\n@carol" << QStringList{"carol"};
    QTest::newRow("not in an address") << "bob@example.com" << QStringList();
    QTest::newRow("here") << "@here standup" << QStringList{"here"};
}

void TestMessageMarkup::mentionedNames()
{
    QFETCH(QString, body);
    QFETCH(QStringList, names);
    QCOMPARE(chatter::markup::mentionedNames(body), names);
}

void TestMessageMarkup::plainText_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("plain");
    // The same cases as tests/js/markup.test.mjs: quotes read alike in both clients.
    QTest::newRow("markup goes")
        << "see `make test` on **staging**:\n```\nerror: refused\n```\n*soon*"
        << "see make test on staging: error: refused soon";
    QTest::newRow("text stays") << "2*3*4 <b>x</b>"
                                << "2*3*4 <b>x</b>";
    QTest::newRow("one line") << "  a\n\n  b  "
                              << "a b";
}

void TestMessageMarkup::plainText()
{
    QFETCH(QString, body);
    QFETCH(QString, plain);
    QCOMPARE(chatter::markup::plainText(body), plain);
}

QTEST_APPLESS_MAIN(TestMessageMarkup)
#include "tst_messagemarkup.moc"
