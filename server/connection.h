// SPDX-License-Identifier: MIT
#pragma once

#include "serializer.h"

namespace chatter::server {

//! A transport as the protocol layer sees it: something that carries encoded frames to one
//! client and can be closed with a WebSocket close code. The long-poll transport fits here too.
class Connection
{
public:
    virtual ~Connection() = default;
    virtual void sendFrame(const Frame &frame) = 0;
    //! Never 1000 for a server-initiated close: phoenix.js would stop reconnecting.
    virtual void closeWith(quint16 code, const QString &reason) = 0;
};

} // namespace chatter::server
