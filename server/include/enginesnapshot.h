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
};

struct RoomRow
{
    QString name;
    int members = 0;
    qint64 messages = 0;
    QString lastActivityAt;
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
