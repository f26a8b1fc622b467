// SPDX-License-Identifier: MIT
#pragma once

#include "requeststream.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace chatter::server {

class Worker;

//! Stands in front of QHttpServer on every plain-HTTP connection of one worker. It sees each
//! byte before Qt's parser does (its readyRead slot is connected first, and Qt reads all that
//! is buffered on every readyRead), follows the requests with a RequestStream and answers for
//! Qt where Qt would buffer without bound or wait for ever: 431 for any oversized head, 413
//! for a body over its route's limit, 408 for a request that trickles in, and it closes
//! kept-alive connections that stay idle. Lives on the worker's thread, as a child of its
//! HttpRoutes.
class HttpGate : public QObject
{
    Q_OBJECT
public:
    HttpGate(Worker &worker, QObject *parent);

    //! Watches `socket`, whose first request head has arrived but not been read. Must be called
    //! before QHttpServer connects to the socket.
    void watch(QTcpSocket *socket);
    int watchedCount() const { return int(m_watched.size()); }

private:
    struct Watched
    {
        QPointer<QTcpSocket> socket;
        RequestStream stream;
        quint64 answered = 0; //!< requests whose answer has started to go out
        QDeadlineTimer deadline;
        quint64 uploadExtended = 0; //!< the request (1-based) whose upload deadline is set
    };
    void onReadyRead(QTcpSocket *socket);
    void onBytesWritten(QTcpSocket *socket);
    //! The deadline that applies to the connection's state now.
    void rearm(Watched &watched);
    void refuse(QTcpSocket *socket, int status, const QByteArray &body = {},
                const QByteArray &headers = {});
    void sweep();

    Worker &m_worker;
    QHash<const QTcpSocket *, Watched> m_watched;
    QTimer m_sweep;
};

} // namespace chatter::server
