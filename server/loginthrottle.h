// SPDX-License-Identifier: MIT
#pragma once

#include <mutex>
#include <QHash>
#include <QString>

namespace chatter::server {

//! Password tries per client address and per account (docs/identity.md, "Brute force"): each
//! a bucket of `burst` tries that refills one try every `refillSecs`. A try is taken before the
//! password is checked (so parallel requests cannot overrun it) and given back when it was
//! right: only failures use the budget. Thread-safe; time comes from the caller.
class LoginThrottle
{
public:
    struct Limit
    {
        double burst = 5;
        double refillSecs = 30;
    };
    LoginThrottle(Limit perAddress, Limit perAccount);

    //! Takes one try from both buckets (an empty `account` has none): 0 when allowed, else the
    //! seconds until one is (and nothing is taken).
    int acquire(const QString &address, const QString &account, qint64 nowMs);
    //! The try was a success: it does not count.
    void refund(const QString &address, const QString &account);

private:
    struct Bucket
    {
        double tries = 0;
        qint64 atMs = 0;
    };
    static double refill(Bucket &bucket, const Limit &limit, qint64 nowMs);
    static void forget(QHash<QString, Bucket> &buckets, const Limit &limit, qint64 nowMs);

    const Limit m_address;
    const Limit m_account;
    std::mutex m_mutex;
    QHash<QString, Bucket> m_addresses;
    QHash<QString, Bucket> m_accounts;
};

} // namespace chatter::server
