// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace chatter::server {

//! One frame carried in a long-poll POST body, as the serializer will receive it.
struct LongPollFrame
{
    QByteArray data;
    bool binary = false;
};

//! Splits a long-poll POST body into frames (phoenix-protocol.md §7): an `application/x-ndjson`
//! body holds one frame a line, JSON text (starting with `[`) or a base64 binary frame; any
//! other body is one text frame. Empty lines are skipped, and at most `maxFrames` are kept, as
//! Phoenix does. Pure, so the fuzz harness in tests/fuzz/ can drive it without a session.
QList<LongPollFrame> splitLongPollBody(QByteArrayView contentType, const QByteArray &body,
                                       int maxFrames);

} // namespace chatter::server
