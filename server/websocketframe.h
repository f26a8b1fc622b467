// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace chatter::server {

//! A complete, unfragmented server-to-client WebSocket frame (RFC 6455 §5.2: FIN set, no
//! mask). Server frames are the same bytes for every recipient, so a broadcast is framed once
//! and written as is to each socket.
QByteArray serverWebSocketFrame(bool binary, QByteArrayView payload);

//! A pong answering a ping with `payload` (at most 125 bytes, which the reader enforces).
QByteArray serverPongFrame(QByteArrayView payload);

//! A close frame; `code` 1005 (none received) gives an empty payload. The reason is cut to
//! fit the 125-byte control frame limit, on a UTF-8 character boundary.
QByteArray serverCloseFrame(quint16 code, const QString &reason);

} // namespace chatter::server
