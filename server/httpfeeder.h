// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QPointer>
#include <QTcpServer>

class QAbstractHttpServer;
class QTcpSocket;

namespace chatter::server {

//! A QTcpServer that never listens: the front door hands it connections that turned out to be
//! plain HTTP, so that QHttpServer (bound to it) parses and answers them.
class HttpFeeder final : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;

    //! Binds `server` to this feeder without Qt's "not listening" warning, which is expected here.
    void attach(QAbstractHttpServer *server);
    void feed(QTcpSocket *socket);

    bool hasPendingConnections() const override;
    QTcpSocket *nextPendingConnection() override;

private:
    QList<QPointer<QTcpSocket>> m_pending;
};

} // namespace chatter::server
