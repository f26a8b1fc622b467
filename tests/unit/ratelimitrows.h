// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QTest>

//! Times of take(), in microseconds, and what each take should answer.
using Steps = QList<qint64>;
using Results = QList<bool>;

//! The rows every rate limit (TokenBucket, RateAllowance) must answer alike: columns rate,
//! burst, steps, expected.
inline void addRateLimitRows()
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
    // 7 a minute (the room-creation limit's form): one every 8.571428… s after the burst.
    QTest::newRow("7 a minute") << 7.0 / 60 << 7.0
                                << Steps{0, 0, 0, 0, 0, 0, 0, 0, 8'571'000, 8'572'000, 9'000'000}
                                << Results{true, true,  true,  true, true, true,
                                           true, false, false, true, false};
}
