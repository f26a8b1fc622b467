// SPDX-License-Identifier: MIT
#pragma once

#include "serializer.h"

#include <QJsonArray>

namespace chatter {

//! vsn 2.0.0: `[join_ref, ref, topic, event, payload]` text frames plus the binary layout.
class V2Serializer final : public Serializer
{
public:
    Version version() const override { return Version::V2; }
    DecodeResult decodeText(QByteArrayView utf8) const override;
    DecodeResult decodeBinary(QByteArrayView bytes) const override;
    EncodeResult encode(const Message &message) const override;
    //! The message in a frame already parsed as a JSON array (5 or more elements: refs null,
    //! strings or numbers, topic and event strings). For readers that check the array first,
    //! such as ClusterEnvelope, which wants exactly 5.
    static DecodeResult decodeArray(const QJsonArray &array);
};

namespace jsonwire {
//! Parses JSON text (an object or an array, strict about strings).
Expected<QJsonValue> parse(QByteArrayView utf8);
//! Refs may be null, a string, or (from third-party clients) a number.
bool isValidRef(const QJsonValue &ref);
QByteArray compact(const QJsonValue &value);
} // namespace jsonwire

} // namespace chatter
