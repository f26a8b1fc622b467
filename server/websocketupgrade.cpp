// SPDX-License-Identifier: MIT
#include "websocketupgrade.h"

#include <QCryptographicHash>

namespace chatter::server::websocketupgrade {

QByteArray acceptKey(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key.trimmed());
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64();
}

QByteArray switchingProtocols(QByteArrayView key, bool phoenixSubprotocol)
{
    QByteArray response;
    response.reserve(160);
    response += "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                "Sec-WebSocket-Accept: ";
    response += acceptKey(key);
    response += "\r\n";
    if (phoenixSubprotocol)
        response += "Sec-WebSocket-Protocol: phoenix\r\n";
    response += "\r\n";
    return response;
}

} // namespace chatter::server::websocketupgrade
