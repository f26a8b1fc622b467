// SPDX-License-Identifier: MIT
#pragma once

class QTcpSocket;

namespace chatter::server {

//! Input that arrived before a socket's new owner connected to readyRead would otherwise sit
//! unread until more came: this raises readyRead once more, on the next event-loop turn.
void rereadBufferedInput(QTcpSocket *socket);

} // namespace chatter::server
