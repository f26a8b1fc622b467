// SPDX-License-Identifier: MIT
#include "topicpattern.h"

#include <QTest>

using chatter::TopicPattern;

class tst_TopicPattern : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matching_data();
    void matching();
};

void tst_TopicPattern::matching_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<QString>("wildcard");
    QTest::newRow("room") << "chatter:room:*"
                          << "chatter:room:lobby" << true << "lobby";
    QTest::newRow("empty rest") << "chatter:room:*"
                                << "chatter:room:" << true << "";
    QTest::newRow("nested rest") << "chatter:room:*"
                                 << "chatter:room:a:b" << true << "a:b";
    QTest::newRow("other prefix") << "chatter:room:*"
                                  << "chatter:rooms:x" << false << "";
    QTest::newRow("shorter") << "chatter:room:*"
                             << "chatter:room" << false << "";
    QTest::newRow("case matters") << "chatter:room:*"
                                  << "Chatter:room:x" << false << "";
    QTest::newRow("exact") << "chatter:lobby"
                           << "chatter:lobby" << true << "";
    QTest::newRow("exact longer") << "chatter:lobby"
                                  << "chatter:lobby2" << false << "";
}

void tst_TopicPattern::matching()
{
    QFETCH(QString, pattern);
    QFETCH(QString, topic);
    QFETCH(bool, matches);
    QFETCH(QString, wildcard);
    const TopicPattern p(pattern);
    QCOMPARE(p.matches(topic), matches);
    QCOMPARE(p.wildcardPart(topic), wildcard);
}

QTEST_GUILESS_MAIN(tst_TopicPattern)
#include "tst_topicpattern.moc"
