// SPDX-License-Identifier: MIT
#include "websocketframe.h"

namespace chatter::server {

QByteArray serverWebSocketFrame(bool binary, QByteArrayView payload)
{
    constexpr char Fin = char(0x80);
    constexpr char TextOpcode = 0x1;
    constexpr char BinaryOpcode = 0x2;
    const qsizetype length = payload.size();
    QByteArray frame;
    frame.reserve(length + 10);
    frame.append(char(Fin | (binary ? BinaryOpcode : TextOpcode)));
    if (length < 126) {
        frame.append(char(length));
    } else if (length <= 0xffff) {
        frame.append(char(126)).append(char(length >> 8)).append(char(length & 0xff));
    } else {
        frame.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(length) >> shift) & 0xff));
    }
    frame.append(payload.data(), length);
    return frame;
}

} // namespace chatter::server
