// SPDX-License-Identifier: MIT
#include "ratelimitrows.h"
#include "tokenbucket.h"

#include <QTest>

using chatter::server::TokenBucket;

class tst_TokenBucket : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void take_data();
    void take();
    void pausedTimeIsCreditedAfterResuming();
    void creditExpires();
    void pauseAndResumeAreNotCounted();
};

void tst_TokenBucket::take_data()
{
    addRateLimitRows();
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

void tst_TokenBucket::pausedTimeIsCreditedAfterResuming()
{
    // 10/s, burst 5. A client keeping to 10/s through a 3 s pause has 30 messages waiting in
    // TCP when reading resumes; they arrive at once and must all pass.
    constexpr qint64 S = 1'000'000'000;
    TokenBucket bucket(10, 5);
    for (int i = 0; i < 5; ++i)
        QVERIFY(bucket.take(0));
    QVERIFY(!bucket.take(0));
    bucket.pause(0);
    bucket.resume(3 * S);
    int passed = 0;
    while (passed < 100 && bucket.take(3 * S))
        ++passed;
    // The refilled burst (5) plus 3 s of credit (30).
    QCOMPARE(passed, 35);
}

void tst_TokenBucket::creditExpires()
{
    constexpr qint64 S = 1'000'000'000;
    TokenBucket bucket(10, 1);
    QVERIFY(bucket.take(0));
    bucket.pause(0);
    bucket.resume(2 * S);        // 20 tokens of credit, until 4 s
    QVERIFY(bucket.take(2 * S)); // the refilled burst
    for (int i = 0; i < 5; ++i)
        QVERIFY(bucket.take(3 * S)); // a refilled token, then credit
    QVERIFY(bucket.take(5 * S));     // a refilled token
    QVERIFY(!bucket.take(5 * S));    // 16 tokens of credit left, but they expired at 4 s
}

void tst_TokenBucket::pauseAndResumeAreNotCounted()
{
    // Resuming without a pause, or pausing twice, grants nothing extra.
    constexpr qint64 S = 1'000'000'000;
    TokenBucket bucket(10, 1);
    bucket.resume(S);
    QVERIFY(bucket.take(S));
    QVERIFY(!bucket.take(S));
    bucket.pause(S);
    bucket.pause(2 * S); // still the first pause
    bucket.resume(2 * S);
    int passed = 0;
    while (passed < 100 && bucket.take(2 * S))
        ++passed;
    QCOMPARE(passed, 1 + 10); // the burst refilled, and 1 s of credit
}

QTEST_GUILESS_MAIN(tst_TokenBucket)
#include "tst_tokenbucket.moc"
