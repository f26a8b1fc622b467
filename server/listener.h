// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>

#include <functional>

class QSocketNotifier;
class QTimer;

namespace chatter::server {

//! The listening socket: accepts on one thread and hands each descriptor straight to a
//! worker, so Qt's pending-connection queue (default 30) never fills and drops a connect
//! burst. QTcpServer binds and listens (addresses, dual stack, errors); accepting is done here
//! with accept4(), which returns the descriptor already non-blocking and the peer's address
//! with it: three system calls fewer per connection (getpeername, two fcntl) than taking
//! QTcpServer's descriptor. Lives on the engine's (main) thread.
class Listener final : public QObject
{
    Q_OBJECT
public:
    //! Called for every accepted connection with a non-blocking, close-on-exec descriptor.
    using Dispatch = std::function<void(int descriptor, const QHostAddress &peer, quint16 port)>;
    explicit Listener(Dispatch dispatch, QObject *parent = nullptr);
    ~Listener() override;

    void setListenBacklogSize(int size) { m_server.setListenBacklogSize(size); }
    bool listen(const QHostAddress &address, quint16 port);
    void close();
    bool isListening() const { return m_server.isListening(); }
    quint16 serverPort() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }

private:
    void acceptPending();

    Dispatch m_dispatch;
    QTcpServer m_server; //!< binds and listens; never accepts (its own notifier is paused)
    QSocketNotifier *m_ready = nullptr;
    //! Re-enables accepting after the process ran out of descriptors.
    QTimer *m_retry = nullptr;
};

} // namespace chatter::server
