// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace chatter::server {

//! One connected socket as the monitor shows it.
struct SocketRow
{
    quint64 id = 0;
    QString peer;
    QString user;
    QString clientKind;
    QString transport;
    QString vsn;
    QDateTime connectedAt;
    QStringList topics;
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    QDateTime lastHeartbeat;
    qint64 queuedBytes = 0;
    //! In a cluster: the name of the node the socket is on (docs/cluster.md); empty otherwise.
    QString node;
    //! The id of that node when it is another one (its sockets are listed through Redis and
    //! disconnected through the cluster); empty for this node's own sockets.
    QString nodeId;
};

struct RoomRow
{
    QString name;
    int members = 0;
    qint64 messages = 0;
    QString lastActivityAt;
};

//! One node of the cluster as the monitor shows it (docs/cluster.md, "The monitor and the
//! cluster"): from its heartbeat and the counters it publishes every 2 s.
struct NodeRow
{
    QString id; //!< the node's id (a UUID made at its start)
    QString name;
    QString address; //!< host:port of its listener
    QDateTime startedAt;
    int connections = 0;
    //! Totals since its start, closed connections included.
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    QDateTime lastSeen; //!< when its counters last arrived
    bool self = false;  //!< this node
};

//! The engine's state at one moment, gathered from every worker without stopping any.
struct EngineSnapshot
{
    QDateTime takenAt;
    QList<SocketRow> sockets;
    QList<RoomRow> rooms;
    // Totals since start, closed connections included.
    qint64 messagesIn = 0;
    qint64 messagesOut = 0;
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;
    qint64 storedMessages = 0;
    //! Connections and long-poll sessions turned away by --max-connections(-per-address).
    qint64 refusedConnections = 0;
};

} // namespace chatter::server

Q_DECLARE_METATYPE(chatter::server::EngineSnapshot)
Q_DECLARE_METATYPE(chatter::server::NodeRow)
