// SPDX-License-Identifier: MIT
#pragma once

#include "serializer.h"

namespace chatter {

//! vsn 1.0.0: JSON objects `{topic, event, payload, ref}`. Server frames never carry join_ref;
//! a join without join_ref uses its own ref as the channel's join_ref. No binary frames.
class V1JsonSerializer final : public Serializer
{
public:
    Version version() const override { return Version::V1; }
    DecodeResult decodeText(QByteArrayView utf8) const override;
    DecodeResult decodeBinary(QByteArrayView bytes) const override;
    EncodeResult encode(const Message &message) const override;
};

} // namespace chatter
