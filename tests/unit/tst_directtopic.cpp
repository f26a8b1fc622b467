// SPDX-License-Identifier: MIT
// The DM topic rule (docs/conversations.md): `chatter:dm:<a>:<b>`, both sides case-folded and
// sorted by code point, joined only by the two registered accounts it names.
#include "directtopic.h"

#include <QHash>
#include <QTest>

using namespace chatter::server;

class TstDirectTopic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void spelling_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("topic");
        QTest::newRow("sorted") << "alice"
                                << "bob"
                                << "chatter:dm:alice:bob";
        QTest::newRow("either order") << "bob"
                                      << "alice"
                                      << "chatter:dm:alice:bob";
        QTest::newRow("case-folded") << "Bob"
                                     << "ALICE"
                                     << "chatter:dm:alice:bob";
        QTest::newRow("greek sigma folds") << "ΣΟΦΙΑ"
                                           << "alice" << QStringLiteral("chatter:dm:alice:σοφια");
        // By code point: U+FF41 (fullwidth a) before U+1D4B6 (a mathematical letter), although
        // UTF-16 code units would sort the surrogate pair first.
        QTest::newRow("code point order")
            << QStringLiteral("\U0001D4B6x") << QStringLiteral("\uFF21")
            << QStringLiteral("chatter:dm:\uFF41:\U0001D4B6x");
        QTest::newRow("oneself") << "alice"
                                 << "Alice"
                                 << "";
        QTest::newRow("empty") << ""
                               << "bob"
                               << "";
    }
    void spelling()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, topic);
        QCOMPARE(directtopic::of(a, b), topic);
        if (topic.isEmpty())
            return;
        const auto pair = directtopic::parse(topic);
        QVERIFY(pair);
        QCOMPARE(directtopic::of(pair->first, pair->second), topic);
        QCOMPARE(directtopic::topicOf(directtopic::keyOf(topic)), topic);
        QVERIFY(directtopic::isKey(directtopic::keyOf(topic)));
    }

    void join_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<QString>("joiner");
        QTest::addColumn<bool>("registered");
        QTest::addColumn<QString>("result"); //!< the other side, or "!reason"
        const QString dm = QStringLiteral("chatter:dm:alice:bob");
        QTest::newRow("first side") << dm << "Alice" << true << "Bob";
        QTest::newRow("second side") << dm << "bob" << true << "Alice";
        QTest::newRow("a third account") << dm << "carol" << true << "!forbidden";
        QTest::newRow("a guest named as a side") << dm << "alice" << false << "!forbidden";
        QTest::newRow("unsorted") << "chatter:dm:bob:alice"
                                  << "alice" << true << "!forbidden";
        QTest::newRow("not folded") << "chatter:dm:Alice:bob"
                                    << "alice" << true << "!forbidden";
        QTest::newRow("oneself") << "chatter:dm:alice:alice"
                                 << "alice" << true << "!forbidden";
        QTest::newRow("one side") << "chatter:dm:alice"
                                  << "alice" << true << "!forbidden";
        QTest::newRow("empty side") << "chatter:dm:alice:"
                                    << "alice" << true << "!forbidden";
        QTest::newRow("three sides") << "chatter:dm:alice:bob:carol"
                                     << "alice" << true << "!forbidden";
        QTest::newRow("a room topic") << "chatter:room:alice"
                                      << "alice" << true << "!forbidden";
        QTest::newRow("not registered") << "chatter:dm:alice:zed"
                                        << "alice" << true << "!no such account";
        QTest::newRow("a look-alike is not the account") << "chatter:dm:alice:b0b"
                                                         << "alice" << true << "!no such account";
        QTest::newRow("unicode") << QStringLiteral("chatter:dm:alice:σοφια") << "alice" << true
                                 << QStringLiteral("Σοφια");
    }
    void join()
    {
        QFETCH(QString, topic);
        QFETCH(QString, joiner);
        QFETCH(bool, registered);
        QFETCH(QString, result);
        // The accounts, by case-folded nickname, as AccountDirectory would find them.
        const QHash<QString, QString> accounts{{QStringLiteral("alice"), QStringLiteral("Alice")},
                                               {QStringLiteral("bob"), QStringLiteral("Bob")},
                                               {QStringLiteral("carol"), QStringLiteral("carol")},
                                               {QStringLiteral("σοφια"), QStringLiteral("Σοφια")}};
        const auto checked = directtopic::checkJoin(
            topic, joiner, registered, [&](const QString &folded) -> std::optional<QString> {
                const auto it = accounts.constFind(folded);
                return it == accounts.constEnd() ? std::nullopt : std::optional<QString>(*it);
            });
        if (result.startsWith(QLatin1Char('!'))) {
            QVERIFY(!checked);
            QCOMPARE(checked.error(), result.mid(1));
        } else {
            QVERIFY2(checked, qPrintable(checked ? QString() : checked.error()));
            QCOMPARE(*checked, result);
        }
    }
};

QTEST_GUILESS_MAIN(TstDirectTopic)
#include "tst_directtopic.moc"
