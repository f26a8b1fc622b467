// SPDX-License-Identifier: MIT
#include "tokenbucket.h"

#include <QTest>

using chatter::server::TokenBucket;

class tst_TokenBucket : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void take_data();
    void take();
};

using Steps = QList<qint64>; // times of take(), in microseconds
using Results = QList<bool>;

void tst_TokenBucket::take_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("burst");
    QTest::addColumn<Steps>("steps");
    QTest::addColumn<Results>("expected");

    QTest::newRow("burst, then empty")
        << 10.0 << 3.0 << Steps{0, 0, 0, 0} << Results{true, true, true, false};
    QTest::newRow("refills at the rate")
        << 10.0 << 1.0 << Steps{0, 50'000, 100'000, 150'000, 200'000}
        << Results{true, false, true, false, true};
    QTest::newRow("never more than the burst")
        << 1000.0 << 2.0 << Steps{0, 10'000'000, 10'000'000, 10'000'000}
        << Results{true, true, true, false};
    // 2,000/s is a token every 500 µs: two quarter-millisecond gaps make one.
    QTest::newRow("sub-millisecond gaps add up") << 2000.0 << 1.0 << Steps{0, 250, 500, 750, 1000}
                                                 << Results{true, false, true, false, true};
    QTest::newRow("a refused take costs nothing")
        << 1.0 << 1.0 << Steps{0, 1, 2, 1'000'000} << Results{true, false, false, true};
    QTest::newRow("a clock that stands still")
        << 100.0 << 1.0 << Steps{5, 5, 5} << Results{true, false, false};
}

void tst_TokenBucket::take()
{
    QFETCH(double, rate);
    QFETCH(double, burst);
    QFETCH(Steps, steps);
    QFETCH(Results, expected);
    TokenBucket bucket(rate, burst);
    Results results;
    for (qint64 us : steps)
        results.append(bucket.take(us * 1000));
    QCOMPARE(results, expected);
}

QTEST_GUILESS_MAIN(tst_TokenBucket)
#include "tst_tokenbucket.moc"
