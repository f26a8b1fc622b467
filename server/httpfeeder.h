// SPDX-License-Identifier: MIT
#pragma once

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
    explicit HttpFeeder(QObject *parent = nullptr);

    //! Binds `server` to this feeder without Qt's "not listening" warning, which is expected here.
    void attach(QAbstractHttpServer *server);
    void feed(QTcpSocket *socket);
};

} // namespace chatter::server
