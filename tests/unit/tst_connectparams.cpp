// SPDX-License-Identifier: MIT
#include "connectparams.h"

#include <QJsonDocument>
#include <QTest>

class tst_ConnectParams : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
};

void tst_ConnectParams::parse_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("plain") << "user=ann&vsn=2.0.0" << QByteArray(R"({"user":"ann","vsn":"2.0.0"})");
    QTest::newRow("phoenix.js null param") << "&vsn=2.0.0" << QByteArray(R"({"vsn":"2.0.0"})");
    QTest::newRow("checklist 8") << "&vsn=2.0.0&user[id]=5&ids[0]=a"
                                 << QByteArray(
                                        R"({"ids":{"0":"a"},"user":{"id":"5"},"vsn":"2.0.0"})");
    QTest::newRow("deep") << "a[b][c]=1&a[b][d]=2"
                          << QByteArray(R"({"a":{"b":{"c":"1","d":"2"}}})");
    QTest::newRow("last wins") << "token=a&token=b" << QByteArray(R"({"token":"b"})");
    QTest::newRow("percent") << "user=J%C3%BCrgen&msg=a%20b+c"
                             << QByteArray(R"({"msg":"a b c","user":"Jürgen"})");
    QTest::newRow("no value") << "flag&x=" << QByteArray(R"({"flag":"","x":""})");
    QTest::newRow("broken bracket") << "a[b=1" << QByteArray(R"({"a[b":"1"})");
    QTest::newRow("empty") << "" << QByteArray("{}");
}

void tst_ConnectParams::parse()
{
    QFETCH(QString, query);
    QFETCH(QByteArray, json);
    QCOMPARE(chatter::connectparams::parse(query), QJsonDocument::fromJson(json).object());
}

QTEST_GUILESS_MAIN(tst_ConnectParams)
#include "tst_connectparams.moc"
