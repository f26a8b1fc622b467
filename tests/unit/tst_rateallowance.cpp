// SPDX-License-Identifier: MIT
#include "rateallowance.h"
#include "ratelimitrows.h"
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

void tst_RateAllowance::takesLikeTheBucket_data()
{
    addRateLimitRows();
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
