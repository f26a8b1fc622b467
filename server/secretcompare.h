// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>

namespace chatter::server {

//! Whether two secrets (access tokens, MACs) are equal, in time that depends on neither their
//! contents nor their lengths: both are hashed first, and the digests compared with OpenSSL's
//! CRYPTO_memcmp. A plain comparison stops at the first differing byte, and the time it takes
//! tells a patient attacker on the LAN how much of a guess was right.
bool secretsEqual(QByteArrayView a, QByteArrayView b);

} // namespace chatter::server
