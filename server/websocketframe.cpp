// SPDX-License-Identifier: MIT
#include "websocketframe.h"

#include <QString>

namespace chatter::server {

namespace {

constexpr char Fin = char(0x80);

QByteArray frame(char opcode, QByteArrayView payload)
{
    const qsizetype length = payload.size();
    QByteArray frame;
    frame.reserve(length + 10);
    frame.append(char(Fin | opcode));
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

} // namespace

QByteArray serverWebSocketFrame(bool binary, QByteArrayView payload)
{
    return frame(binary ? 0x2 : 0x1, payload);
}

QByteArray serverPongFrame(QByteArrayView payload)
{
    return frame(0xA, payload.first(std::min<qsizetype>(payload.size(), 125)));
}

QByteArray serverCloseFrame(quint16 code, const QString &reason)
{
    if (code == 1005)
        return frame(0x8, {});
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xff));
    QByteArray text = reason.toUtf8();
    if (text.size() > 123) {
        qsizetype cut = 123;
        while (cut > 0 && (uchar(text[cut]) & 0xc0) == 0x80)
            --cut; // never split a multi-byte character
        text.truncate(cut);
    }
    payload.append(text);
    return frame(0x8, payload);
}

} // namespace chatter::server
