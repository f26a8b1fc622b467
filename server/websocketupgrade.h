// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace chatter::server::websocketupgrade {

//! The `Sec-WebSocket-Accept` value for a request's `Sec-WebSocket-Key` (RFC 6455, 4.2.2):
//! base64 of the SHA-1 of the key and the protocol's fixed GUID.
QByteArray acceptKey(QByteArrayView key);

//! The whole `101 Switching Protocols` response to a validated upgrade request
//! (HandshakeValidator), selecting the `phoenix` subprotocol when the client offered it.
QByteArray switchingProtocols(QByteArrayView key, bool phoenixSubprotocol);

} // namespace chatter::server::websocketupgrade
