// SPDX-License-Identifier: MIT
#include "passwords.h"

#include <mutex>
#include <sodium.h>

namespace chatter::server::passwords {
namespace {

bool sodiumReady()
{
    static std::once_flag once;
    static bool ready = false;
    std::call_once(once, [] { ready = sodium_init() >= 0; });
    return ready;
}

} // namespace

Cost interactiveCost()
{
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Cost minimumCost()
{
    return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Expected<void> checkNew(const QString &password)
{
    if (password.size() < MinLength)
        return failure(QStringLiteral("password must have at least %1 characters").arg(MinLength));
    if (password.size() > MaxLength)
        return failure(QStringLiteral("password must have at most %1 characters").arg(MaxLength));
    return {};
}

Expected<QByteArray> hash(const QString &password, Cost cost)
{
    if (!sodiumReady())
        return failure(QStringLiteral("libsodium could not be initialised"));
    const QByteArray utf8 = password.toUtf8();
    QByteArray out(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str_alg(out.data(), utf8.constData(), quint64(utf8.size()), cost.opsLimit,
                              cost.memLimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return failure(QStringLiteral("out of memory while hashing a password"));
    out.truncate(qsizetype(qstrnlen(out.constData(), out.size())));
    return out;
}

bool verify(const QByteArray &hash, const QString &password)
{
    if (!sodiumReady() || hash.isEmpty() || hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    // crypto_pwhash_str_verify wants a NUL-terminated string; QByteArray keeps one.
    const QByteArray utf8 = password.toUtf8();
    return crypto_pwhash_str_verify(hash.constData(), utf8.constData(), quint64(utf8.size())) == 0;
}

} // namespace chatter::server::passwords
