// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace chatter::server {

//! A complete, unfragmented server-to-client WebSocket frame (RFC 6455 §5.2: FIN set, no
//! mask). Server frames are the same bytes for every recipient, so a broadcast is framed once
//! and written as is to each socket, instead of QWebSocket re-converting and re-framing the
//! text per recipient.
QByteArray serverWebSocketFrame(bool binary, QByteArrayView payload);

} // namespace chatter::server
