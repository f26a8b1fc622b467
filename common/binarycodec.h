// SPDX-License-Identifier: MIT
#pragma once

#include "serializer.h"

namespace chatter::binarycodec {

//! Decodes a client push (kind 0, 5-byte header). Any other kind or a short frame is malformed.
DecodeResult decodeClientPush(QByteArrayView bytes);

//! Encodes a server push, reply or broadcast (phoenix-protocol.md §2.5). A field over 255 bytes
//! is refused rather than truncated, since a truncated topic would reach the wrong channel.
EncodeResult encode(const Message &message);

} // namespace chatter::binarycodec
