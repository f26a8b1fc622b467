// SPDX-License-Identifier: MIT
#include "bufferedinput.h"

#include <QMetaObject>
#include <QTcpSocket>

namespace chatter::server {

void rereadBufferedInput(QTcpSocket *socket)
{
    QMetaObject::invokeMethod(
        socket,
        [socket] {
            if (socket->bytesAvailable() > 0)
                Q_EMIT socket->readyRead();
        },
        Qt::QueuedConnection);
}

} // namespace chatter::server
