// SPDX-License-Identifier: MIT
#include "secretcompare.h"

#include <QCryptographicHash>

#include <openssl/crypto.h>

namespace chatter::server {

bool secretsEqual(QByteArrayView a, QByteArrayView b)
{
    const QByteArray da = QCryptographicHash::hash(a, QCryptographicHash::Sha256);
    const QByteArray db = QCryptographicHash::hash(b, QCryptographicHash::Sha256);
    return CRYPTO_memcmp(da.constData(), db.constData(), size_t(da.size())) == 0;
}

} // namespace chatter::server
