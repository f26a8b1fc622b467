// SPDX-License-Identifier: MIT
#include "loginthrottle.h"

#include <QTest>

using namespace chatter::server;

//! Password tries per address (5, then one per 30 s) and per account (10, then one per
//! minute), as the engine sets them up (docs/identity.md).
class tst_LoginThrottle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void perAddress();
    void perAccount();
    void successesDoNotCount();
};

namespace {

LoginThrottle engineLimits()
{
    return LoginThrottle(LoginThrottle::Limit{5, 30}, LoginThrottle::Limit{10, 60});
}

constexpr qint64 T0 = 1'000'000;

} // namespace

void tst_LoginThrottle::perAddress()
{
    LoginThrottle throttle = engineLimits();
    for (int i = 0; i < 5; ++i)
        QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.1"), QStringLiteral("a"), T0), 0);
    QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.1"), QStringLiteral("b"), T0), 30);
    QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.1"), QStringLiteral("b"), T0 + 20'000), 10);
    QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.1"), QStringLiteral("b"), T0 + 30'000), 0);
    QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.1"), QStringLiteral("b"), T0 + 30'000), 30);
    // Another address has its own budget.
    QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.2"), QStringLiteral("b"), T0), 0);
}

void tst_LoginThrottle::perAccount()
{
    LoginThrottle throttle = engineLimits();
    for (int i = 0; i < 10; ++i) {
        const QString address = QStringLiteral("10.0.%1.1").arg(i);
        QCOMPARE(throttle.acquire(address, QStringLiteral("alice"), T0), 0);
    }
    // From anywhere: the account waits a minute for its next try.
    QCOMPARE(throttle.acquire(QStringLiteral("10.9.9.9"), QStringLiteral("alice"), T0), 60);
    QCOMPARE(throttle.acquire(QStringLiteral("10.9.9.9"), QStringLiteral("bob"), T0), 0);
    QCOMPARE(throttle.acquire(QStringLiteral("10.9.9.9"), QStringLiteral("alice"), T0 + 60'000), 0);
}

void tst_LoginThrottle::successesDoNotCount()
{
    LoginThrottle throttle = engineLimits();
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(throttle.acquire(QStringLiteral("10.0.0.1"), QStringLiteral("alice"), T0), 0);
        throttle.refund(QStringLiteral("10.0.0.1"), QStringLiteral("alice"));
    }
}

QTEST_GUILESS_MAIN(tst_LoginThrottle)
#include "tst_loginthrottle.moc"
