// SPDX-License-Identifier: MIT
#include "rateallowance.h"
#include "tokenbucket.h"

#include <QTest>

using chatter::server::RateAllowance;
using chatter::server::TokenBucket;

//! RateAllowance keeps a TokenBucket's limit in one number: both must answer alike.
class tst_RateAllowance : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void takesLikeTheBucket_data();
    void takesLikeTheBucket();
    void allowanceOfNothing();
};

using Steps = QList<qint64>; // times of take(), in microseconds
using Results = QList<bool>;

void tst_RateAllowance::takesLikeTheBucket_data()
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
    QTest::newRow("sub-millisecond gaps add up") << 2000.0 << 1.0 << Steps{0, 250, 500, 750, 1000}
                                                 << Results{true, false, true, false, true};
    QTest::newRow("a refused take costs nothing")
        << 1.0 << 1.0 << Steps{0, 1, 2, 1'000'000} << Results{true, false, false, true};
    QTest::newRow("a clock that stands still")
        << 100.0 << 1.0 << Steps{5, 5, 5} << Results{true, false, false};
    // 7 a minute (the room-creation limit's form): one every 8.571428… s after the burst.
    QTest::newRow("7 a minute") << 7.0 / 60 << 7.0
                                << Steps{0, 0, 0, 0, 0, 0, 0, 0, 8'571'000, 8'572'000, 9'000'000}
                                << Results{true, true,  true,  true, true, true,
                                           true, false, false, true, false};
}

void tst_RateAllowance::takesLikeTheBucket()
{
    QFETCH(double, rate);
    QFETCH(double, burst);
    QFETCH(Steps, steps);
    QFETCH(Results, expected);
    RateAllowance allowance;
    TokenBucket bucket(rate, burst);
    Results allowed, bucketed;
    for (qint64 us : steps) {
        allowed.append(allowance.take(us * 1000, rate, burst));
        bucketed.append(bucket.take(us * 1000));
    }
    QCOMPARE(allowed, expected);
    QCOMPARE(bucketed, expected);
}

void tst_RateAllowance::allowanceOfNothing()
{
    RateAllowance allowance;
    QVERIFY(!allowance.take(1'000'000, 0.0, 5.0)); // no rate: never
    QVERIFY(!allowance.take(1'000'000, 5.0, 0.0)); // no burst: never
    QVERIFY(allowance.take(1'000'000, 5.0, 1.0));
}

QTEST_GUILESS_MAIN(tst_RateAllowance)
#include "tst_rateallowance.moc"
