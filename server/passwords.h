// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

namespace chatter::server::passwords {

//! Argon2id cost. Hashing is slow on purpose (tens of milliseconds and 64 MiB with the
//! interactive limits): call these from a thread pool, never from an event-loop thread.
struct Cost
{
    unsigned long long opsLimit = 0;
    size_t memLimit = 0;
};
//! libsodium's interactive limits: what the server uses.
Cost interactiveCost();
//! The smallest cost libsodium accepts, for tests that hash many passwords.
Cost minimumCost();

constexpr int MinLength = 8;
constexpr int MaxLength = 256;
//! Fails with the reason when a new password is too short or too long.
Expected<void> checkNew(const QString &password);

//! A self-describing Argon2id hash string ("$argon2id$v=19$m=...").
Expected<QByteArray> hash(const QString &password, Cost cost = interactiveCost());
//! Whether `password` matches `hash`; false for any malformed hash.
bool verify(const QByteArray &hash, const QString &password);

} // namespace chatter::server::passwords
