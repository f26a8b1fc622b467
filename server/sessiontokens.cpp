// SPDX-License-Identifier: MIT
#include "sessiontokens.h"

#include <mutex>
#include <QCryptographicHash>
#include <sodium.h>

namespace chatter::server::sessiontokens {

Token generate()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0)
            qFatal("libsodium could not be initialised");
    });
    QByteArray random(32, Qt::Uninitialized);
    randombytes_buf(random.data(), size_t(random.size()));
    Token token;
    token.text = QString::fromLatin1(
        random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    token.hash = hashOf(token.text);
    return token;
}

QByteArray hashOf(const QString &text)
{
    // A token has 256 random bits: a fast hash is enough (nothing to guess), and it keeps a
    // stolen database from holding usable tokens.
    return QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
}

} // namespace chatter::server::sessiontokens
