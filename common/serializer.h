// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"
#include "message.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

namespace chatter {

//! One encoded WebSocket message: the bytes and whether they go out as a binary frame.
//! Text frames also keep a QString copy because QWebSocket sends text from QString; making it
//! once per broadcast keeps the UTF-8 conversion off the per-recipient path.
struct Frame
{
    QByteArray data;
    QString text;
    bool binary = false;

    static Frame makeText(QByteArray utf8);
    static Frame makeBinary(QByteArray bytes);
};

//! The outcome of decoding one inbound frame: a message, or why the frame is malformed.
using DecodeResult = Expected<Message>;
//! The outcome of encoding: a frame, or why the message cannot be put on the wire.
using EncodeResult = Expected<Frame>;

//! A Phoenix wire format ("vsn"). Implementations are stateless and thread-safe.
class Serializer
{
public:
    enum class Version
    {
        V1 = 1,
        V2 = 2
    };

    virtual ~Serializer() = default;
    virtual Version version() const = 0;
    virtual DecodeResult decodeText(QByteArrayView utf8) const = 0;
    virtual DecodeResult decodeBinary(QByteArrayView bytes) const = 0;
    virtual EncodeResult encode(const Message &message) const = 0;

    //! The serializer for a `vsn` query value (absent means "1.0.0"), or null when no
    //! serializer matches: `~> 1.0.0` is V1, `~> 2.0.0` is V2, anything else is refused.
    static const Serializer *forVsn(const QString &vsn);
    static const Serializer *forVersion(Version version);
};

} // namespace chatter
