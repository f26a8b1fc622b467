// SPDX-License-Identifier: MIT
#include "chatvalidation.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace chatter::validation;

class tst_ChatValidation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nickname_data();
    void nickname();
    void roomName_data();
    void roomName();
    void body_data();
    void body();
    void clientKind_data();
    void clientKind();
    void emoji_data();
    void emoji();
};

void tst_ChatValidation::nickname_data()
{
    QTest::addColumn<QJsonValue>("nick");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << QJsonValue("ann") << true;
    QTest::newRow("punctuation") << QJsonValue("a.b_c-d") << true;
    QTest::newRow("unicode letters") << QJsonValue(QStringLiteral("J\u00fcrgen")) << true;
    QTest::newRow("32 chars") << QJsonValue(QString(32, QLatin1Char('x'))) << true;
    QTest::newRow("33 chars") << QJsonValue(QString(33, QLatin1Char('x'))) << false;
    QTest::newRow("empty") << QJsonValue("") << false;
    QTest::newRow("space") << QJsonValue("a b") << false;
    QTest::newRow("html") << QJsonValue("<b>") << false;
    QTest::newRow("reserved") << QJsonValue("System") << false;
    QTest::newRow("number") << QJsonValue(5) << false;
    QTest::newRow("object") << QJsonValue(QJsonObject{{"id", "5"}}) << false;
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << false;
}

void tst_ChatValidation::nickname()
{
    QFETCH(QJsonValue, nick);
    QFETCH(bool, valid);
    QCOMPARE(checkNickname(nick).has_value(), valid);
}

void tst_ChatValidation::roomName_data()
{
    QTest::addColumn<QString>("room");
    QTest::addColumn<bool>("valid");
    QTest::newRow("lobby") << "lobby" << true;
    QTest::newRow("all allowed") << "A-z.0_9" << true;
    QTest::newRow("64") << QString(64, QLatin1Char('r')) << true;
    QTest::newRow("65") << QString(65, QLatin1Char('r')) << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("colon") << "a:b" << false;
    QTest::newRow("space") << "a b" << false;
    QTest::newRow("unicode") << QStringLiteral("caf\u00e9") << false;
}

void tst_ChatValidation::roomName()
{
    QFETCH(QString, room);
    QFETCH(bool, valid);
    QCOMPARE(checkRoomName(room).has_value(), valid);
    if (!valid)
        QCOMPARE(checkRoomName(room).error(), QStringLiteral("invalid room name"));
}

void tst_ChatValidation::body_data()
{
    QTest::addColumn<QJsonValue>("body");
    QTest::addColumn<QString>("reason");
    QTest::newRow("text") << QJsonValue("hello") << "";
    QTest::newRow("max") << QJsonValue(QString(MaxBodyLength, QLatin1Char('b'))) << "";
    QTest::newRow("too long") << QJsonValue(QString(MaxBodyLength + 1, QLatin1Char('b')))
                              << "body too long";
    QTest::newRow("blank") << QJsonValue(" \n\t") << "body is empty";
    QTest::newRow("empty") << QJsonValue("") << "body is empty";
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << "body missing";
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << "body missing";
    QTest::newRow("number") << QJsonValue(3) << "body must be a string";
    QTest::newRow("array") << QJsonValue(QJsonArray{"x"}) << "body must be a string";
}

void tst_ChatValidation::body()
{
    QFETCH(QJsonValue, body);
    QFETCH(QString, reason);
    const auto checked = checkBody(body);
    QCOMPARE(checked ? QString() : checked.error(), reason);
}

void tst_ChatValidation::clientKind_data()
{
    QTest::addColumn<QJsonValue>("client");
    QTest::addColumn<bool>("valid");
    QTest::newRow("absent") << QJsonValue(QJsonValue::Undefined) << true;
    for (const char *kind : {"desktop", "web", "mobile", "bot"})
        QTest::newRow(kind) << QJsonValue(QString::fromLatin1(kind)) << true;
    QTest::newRow("unknown word") << QJsonValue("evil") << false;
    QTest::newRow("case differs") << QJsonValue("Web") << false;
    QTest::newRow("empty") << QJsonValue("") << false;
    QTest::newRow("200 KB") << QJsonValue(QString(200 * 1024, QLatin1Char('x'))) << false;
    QTest::newRow("nested") << QJsonValue(QJsonObject{{"a", "web"}}) << false;
}

void tst_ChatValidation::clientKind()
{
    QFETCH(QJsonValue, client);
    QFETCH(bool, valid);
    QCOMPARE(checkClientKind(client).has_value(), valid);
}

void tst_ChatValidation::emoji_data()
{
    QTest::addColumn<QJsonValue>("emoji");
    QTest::addColumn<bool>("valid");
    QTest::newRow("thumbs up") << QJsonValue(QStringLiteral("\U0001F44D")) << true;
    QTest::newRow("family (ZWJ sequence)")
        << QJsonValue(QStringLiteral("\U0001F468\u200D\U0001F469\u200D\U0001F467")) << true;
    QTest::newRow("a word") << QJsonValue("+1") << true;
    QTest::newRow("32 units") << QJsonValue(QString(32, QLatin1Char('x'))) << true;
    QTest::newRow("33 units") << QJsonValue(QString(33, QLatin1Char('x'))) << false;
    QTest::newRow("empty") << QJsonValue("") << false;
    QTest::newRow("space") << QJsonValue("a b") << false;
    QTest::newRow("no-break space") << QJsonValue(QStringLiteral("a\u00A0b")) << false;
    QTest::newRow("newline") << QJsonValue("a\n") << false;
    QTest::newRow("control") << QJsonValue(QStringLiteral("a\u0007")) << false;
    QTest::newRow("number") << QJsonValue(1) << false;
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << false;
}

void tst_ChatValidation::emoji()
{
    QFETCH(QJsonValue, emoji);
    QFETCH(bool, valid);
    const auto checked = checkEmoji(emoji);
    QCOMPARE(bool(checked), valid);
    if (!valid)
        QCOMPARE(checked.error(), QStringLiteral("invalid emoji"));
}

QTEST_GUILESS_MAIN(tst_ChatValidation)
#include "tst_chatvalidation.moc"
