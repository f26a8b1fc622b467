// SPDX-License-Identifier: MIT
#include "backoff.h"

#include <QTest>

using chatter::Backoff;

class tst_Backoff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void reconnect_data();
    void reconnect();
    void rejoin_data();
    void rejoin();
    void scaledDown();
};

void tst_Backoff::reconnect_data()
{
    QTest::addColumn<int>("tries");
    QTest::addColumn<int>("delay");
    // phoenix.js: [10, 50, 100, 150, 200, 250, 500, 1000, 2000][tries - 1] || 5000
    const QList<int> expected{10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000};
    for (int i = 0; i < expected.size(); ++i)
        QTest::addRow("try %d", i + 1) << i + 1 << expected.at(i);
    QTest::newRow("try 100") << 100 << 5000;
    QTest::newRow("try 0 counts as 1") << 0 << 10;
}

void tst_Backoff::reconnect()
{
    QFETCH(int, tries);
    QFETCH(int, delay);
    QCOMPARE(Backoff::reconnect().delayMs(tries), delay);
}

void tst_Backoff::rejoin_data()
{
    QTest::addColumn<int>("tries");
    QTest::addColumn<int>("delay");
    QTest::newRow("1") << 1 << 1000;
    QTest::newRow("2") << 2 << 2000;
    QTest::newRow("3") << 3 << 5000;
    QTest::newRow("4") << 4 << 10000;
    QTest::newRow("50") << 50 << 10000;
}

void tst_Backoff::rejoin()
{
    QFETCH(int, tries);
    QFETCH(int, delay);
    QCOMPARE(Backoff::rejoin().delayMs(tries), delay);
}

void tst_Backoff::scaledDown()
{
    const Backoff fast = Backoff::reconnect().scaledDown(100);
    QCOMPARE(fast.delayMs(1), 1); // never 0: a zero timer would spin
    QCOMPARE(fast.delayMs(9), 20);
    QCOMPARE(fast.delayMs(10), 50);
}

QTEST_GUILESS_MAIN(tst_Backoff)
#include "tst_backoff.moc"
