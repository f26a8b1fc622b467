// SPDX-License-Identifier: MIT
#pragma once

#include "connectinfo.h"
#include "serializer.h"

#include <QObject>

namespace chatter::server {

class SocketSession;

//! Traffic of one connection, counted on its worker thread.
struct ConnectionStats
{
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;

    ConnectionStats &operator+=(const ConnectionStats &other)
    {
        messagesIn += other.messagesIn;
        messagesOut += other.messagesOut;
        bytesIn += other.bytesIn;
        bytesOut += other.bytesOut;
        return *this;
    }
};
struct ServerConfig;
class Connection;

//! Who is told, by a plain call, that a connection ended (its worker). A call rather than a
//! signal-slot connection per connection: that costs ~0.3 KiB for every idle socket.
class ConnectionOwner
{
public:
    //! The connection is gone; the owner forgets and deletes it (later, not inside the call).
    virtual void connectionFinished(Connection *connection) = 0;

protected:
    ~ConnectionOwner() = default;
};

//! A client connection as the worker and the protocol layer see it, whatever its transport
//! (WebSocket, long-poll): it carries encoded frames to one client and can be closed with a
//! WebSocket close code. Lives on its worker's thread.
class Connection : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void sendFrame(const Frame &frame) = 0;
    //! A broadcast frame with its WebSocket framing already built (shared by all recipients);
    //! transports that are not WebSocket use `frame`.
    virtual void sendPrebuilt(const Frame &frame, const QByteArray &webSocketFrame)
    {
        sendFrame(frame);
    }
    //! Never 1000 for a server-initiated close: phoenix.js would stop reconnecting.
    virtual void closeWith(quint16 code, const QString &reason) = 0;
    virtual SocketSession &session() = 0;
    virtual const ConnectInfo &info() const = 0;
    virtual bool isClosing() const = 0;
    //! Called periodically; closes the connection if it has been idle too long.
    virtual void sweep(const ServerConfig &config) = 0;
    //! Output accepted but not yet written to the network.
    virtual qint64 queuedBytes() const = 0;
    //! Stops (or resumes) reading the client's input while many of its requests wait for an
    //! answer: under overload the rest then waits in the kernel and, through TCP, at the
    //! client, instead of in the server's memory. Transports that cannot pause ignore it.
    virtual void setInputPaused(bool paused) { Q_UNUSED(paused); }

    ConnectionStats stats;

    void setOwner(ConnectionOwner *owner) { m_owner = owner; }

protected:
    //! Tells the owner, which forgets and deletes the connection.
    void announceFinished()
    {
        if (m_owner)
            m_owner->connectionFinished(this);
    }

private:
    ConnectionOwner *m_owner = nullptr;
};

} // namespace chatter::server
