// SPDX-License-Identifier: MIT
#pragma once

#include "batchsender.h"

#include "broadcast.h"
#include "channel.h"
#include "connection.h"
#include "enginesnapshot.h"
#include "eventlog.h"
#include "handshakevalidator.h"
#include "historyreader.h"
#include "presencediffbuffer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponse;
class QWebSocketServer;

namespace chatter::server {

class Channel;
class ChannelRouter;
class Engine;
class HttpFeeder;
class PubSub;
class LongPollEndpoint;

//! One server thread: owns a share of the connections from their first byte to their close,
//! the channels on them, and the local topic → subscriber table used for fan-out.
class Worker : public QObject
{
    Q_OBJECT
public:
    Worker(int index, Engine &engine);
    ~Worker() override;

    //! Takes over an accepted socket descriptor (called queued, on this worker's thread).
    void adoptDescriptor(qintptr descriptor);

    void subscribe(Channel *channel);
    void unsubscribe(Channel *channel);
    //! Publishes to every subscriber on every worker. Fails (with `error`) when the message
    //! cannot be put on the wire at all, e.g. a binary field over 255 bytes.
    bool publish(const std::shared_ptr<const Broadcast> &broadcast, QString *error);
    //! Fans a broadcast out to this worker's subscribers of its topic.
    void deliver(const std::shared_ptr<const Broadcast> &broadcast);

    //! Broadcasts a presence diff of `topic`, merged with the others of the same moment: at
    //! the end of this loop turn after a quiet spell, at most once per window during a storm.
    void queuePresenceDiff(const QString &topic, const QJsonObject &diff);
    //! Broadcasts `topic`'s waiting presence diff now, if it has one.
    void flushPresenceDiff(const QString &topic);

    //! Routes a deferred channel reply to its connection, if that is still open.
    void completeReply(const ReplyHandle &handle, const ChannelReply &reply);
    //! This thread's read connection to the history.
    HistoryReader &history();
    //! Collects the sends of a delivery into one submission.
    BatchSender &batchSender() { return m_batch; }

    //! Logs an event and hands it to the monitor's event stream.
    void record(EngineEvent::Kind kind, const ConnectInfo &info, const QString &topic,
                const QString &text);
    void recordConnect(const ConnectInfo &info);
    //! The rows of this worker's sockets, plus its traffic totals (added into `totals`).
    QList<SocketRow> snapshot(EngineSnapshot *totals) const;
    //! Admin actions on one socket; false if it is not on this worker.
    bool disconnectSocket(quint64 id, quint16 code, const QString &reason);
    bool removeFromTopic(quint64 id, const QString &topic);
    void disconnectAddress(const QHostAddress &address);

    //! Closes (code 1001) every socket whose socket id is `socketId`; returns how many.
    int disconnectSocketId(const QString &socketId);
    //! Closes every socket, e.g. 1012 when the server restarts.
    void closeAll(quint16 code, const QString &reason);
    int connectionCount() const { return int(m_connections.size()); }
    //! Takes ownership of a connection made by a transport (long-poll sessions).
    void addConnection(Connection *connection);
    Connection *connection(quint64 id) const { return m_connections.value(id); }
    int index() const { return m_index; }
    const HandshakeValidator &validator() const { return m_validator; }
    LongPollEndpoint &longPoll() { return *m_longPoll; }
    QString dispatcherName() const;

    const ServerConfig &config() const;
    const ChannelRouter &router() const;
    Engine &engine() { return m_engine; }

private:
    void routeRequest(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, const QByteArray &body);
    void acceptWebSocket(QTcpSocket *socket, qsizetype headSize, ConnectInfo info);
    void keepEarlyInput(const QString &key, QTcpSocket *socket);
    void onWebSocketReady();
    void onConnectionFinished(Connection *connection);
    void sweepIdle();
    void flushPresenceDiffs();
    void setupHttp();
    QHttpServerResponse serveAsset(const QHttpServerRequest &request) const;

    int m_index;
    Engine &m_engine;
    HandshakeValidator m_validator;
    QWebSocketServer *m_webSockets = nullptr;
    QHttpServer *m_http = nullptr;
    HttpFeeder *m_httpFeeder = nullptr;
    struct Handshake
    {
        ConnectInfo info;
        QPointer<QTcpSocket> tcp;
        const QTcpSocket *rawTcp = nullptr; //!< identity only, valid after destruction too
        QByteArray head;                    //!< the request head, which Qt's handshake reads
        QByteArray early; //!< WebSocket input that came behind the head, before the hand-over
    };
    QHash<QString, Handshake> m_handshakes; //!< by "address/port", until Qt finishes the upgrade
    QHash<quint64, Connection *> m_connections;
    BatchSender m_batch;
    int m_deliveryDepth = 0;   //!< nested deliver() calls in progress
    QSet<Channel *> m_retired; //!< unsubscribed while a delivery was in progress
    LongPollEndpoint *m_longPoll = nullptr;
    QHash<QString, QList<Channel *>> m_subscribers;
    QTimer m_idleSweep;
    PresenceDiffBuffer m_presenceDiffs;
    QTimer m_presenceFlush;
    QElapsedTimer m_presenceFlushed; //!< since the last flush
    bool m_tearingDown = false;
    std::unique_ptr<HistoryReader> m_history;
    ConnectionStats m_closedTotals; //!< traffic of connections that are gone
};

} // namespace chatter::server
