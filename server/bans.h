// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <mutex>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QString>

namespace chatter::server {

//! Time-limited bans of nicknames and peer addresses, checked at every connect. Thread-safe.
class Bans
{
public:
    void banNickname(const QString &nickname, QDateTime until);
    void banAddress(const QHostAddress &address, QDateTime until);
    //! Fails with the reason when `nickname` from `address` may not connect now.
    Expected<void> check(const QString &nickname, const QHostAddress &address) const;

private:
    mutable std::mutex m_mutex;
    QHash<QString, QDateTime> m_nicknames;
    QHash<QString, QDateTime> m_addresses;
};

} // namespace chatter::server
