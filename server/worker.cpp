// SPDX-License-Identifier: MIT
#include "worker.h"

#include "channel.h"
#include "channelrouter.h"
#include "engine.h"
#include "events.h"
#include "httpfeeder.h"
#include "logging.h"
#include "longpollendpoint.h"
#include "pubsub.h"
#include "websocketconnection.h"

#include <QAbstractEventDispatcher>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonObject>
#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>

#include <fcntl.h>

namespace chatter::server {
namespace {

constexpr qsizetype MaxRequestHead = 16 * 1024;
constexpr int RequestHeadTimeoutMs = 10'000;
const QString SocketPath = QStringLiteral("/socket/websocket");

QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('/') + QString::number(port);
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

//! Data that arrived before a new owner connected to readyRead would otherwise sit unread.
void kickBufferedInput(QTcpSocket *socket)
{
    QMetaObject::invokeMethod(
        socket,
        [socket] {
            if (socket->bytesAvailable() > 0)
                Q_EMIT socket->readyRead();
        },
        Qt::QueuedConnection);
}

} // namespace

Worker::Worker(int index, Engine &engine)
    : m_index(index), m_engine(engine), m_validator(engine.config(), &engine.bans()),
      m_batch(engine.config().batchedSends)
{
    setObjectName(QStringLiteral("worker-%1").arg(index));
    m_webSockets =
        new QWebSocketServer(QStringLiteral("Chatter"), QWebSocketServer::NonSecureMode, this);
    m_webSockets->setSupportedSubprotocols({QStringLiteral("phoenix")});
    m_webSockets->setMaxPendingConnections(1 << 20);
    m_webSockets->setHandshakeTimeout(RequestHeadTimeoutMs);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &Worker::onWebSocketReady);
    setupHttp();

    m_idleSweep.setParent(this);
    m_idleSweep.setInterval(
        std::max(50, std::min(config().idleTimeoutMs, config().longPollSessionMs) / 4));
    connect(&m_idleSweep, &QTimer::timeout, this, &Worker::sweepIdle);

    m_presenceFlush.setParent(this);
    m_presenceFlush.setSingleShot(true);
    connect(&m_presenceFlush, &QTimer::timeout, this, &Worker::flushPresenceDiffs);
}

Worker::~Worker()
{
    // Connections are children, which ~QObject would delete after this worker's members; on
    // the way out their channels still leave topics and presence, which those members hold.
    m_tearingDown = true;
    const QList<Connection *> connections = m_connections.values();
    m_connections.clear();
    qDeleteAll(connections);
}

const ServerConfig &Worker::config() const
{
    return m_engine.config();
}

const ChannelRouter &Worker::router() const
{
    return m_engine.router();
}

QString Worker::dispatcherName() const
{
    const auto *dispatcher = thread()->eventDispatcher();
    return dispatcher ? QString::fromLatin1(dispatcher->metaObject()->className()) : QString();
}

void Worker::setupHttp()
{
    m_httpFeeder = new HttpFeeder(this);
    m_http = new QHttpServer(this);
    m_longPoll = new LongPollEndpoint(*this, m_engine.longPollSecret());
    m_http->route(QStringLiteral("/socket/longpoll"),
                  [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                      m_longPoll->handle(request, std::move(responder));
                  });
    m_http->route(QStringLiteral("/healthz"), [] {
        return QHttpServerResponse(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}});
    });
    // Everything that is not a socket or /healthz is the browser client, or a 404.
    m_http->route(QStringLiteral("/"),
                  [this](const QHttpServerRequest &request) { return serveAsset(request); });
    m_http->route(
        QStringLiteral("/assets/"),
        [this](const QUrl &, const QHttpServerRequest &request) { return serveAsset(request); });
    m_httpFeeder->attach(m_http);
}

QHttpServerResponse Worker::serveAsset(const QHttpServerRequest &request) const
{
    const auto asset = m_engine.assets().find(request.url().path());
    if (!asset)
        return QHttpServerResponse(QHttpServerResponder::StatusCode::NotFound);
    for (const auto &[name, value] : request.headers()) {
        if (name.compare("if-none-match", Qt::CaseInsensitive) == 0 && value == asset->etag) {
            QHttpServerResponse notModified(QHttpServerResponder::StatusCode::NotModified);
            notModified.setHeader("etag", asset->etag);
            return notModified;
        }
    }
    QHttpServerResponse response(asset->contentType, asset->body);
    response.setHeader("etag", asset->etag);
    response.setHeader("cache-control", asset->cacheControl);
    response.setHeader("x-content-type-options", "nosniff");
    // A second line of defence behind rendering user text as text: no inline or foreign code.
    response.setHeader(
        "content-security-policy",
        "default-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'");
    response.setHeader("referrer-policy", "same-origin");
    return response;
}

void Worker::adoptDescriptor(qintptr descriptor)
{
    if (!m_idleSweep.isActive())
        m_idleSweep.start();
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        qCWarning(lcNet) << "cannot adopt socket descriptor:" << socket->errorString();
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { routeRequest(socket); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // A client that never finishes its request head must not hold a descriptor for ever.
    QTimer::singleShot(RequestHeadTimeoutMs, socket, [socket] {
        if (socket->property("routed").toBool())
            return;
        socket->abort();
    });
}

void Worker::routeRequest(QTcpSocket *socket)
{
    RequestHead head;
    const QByteArray buffered = socket->peek(MaxRequestHead);
    switch (RequestHead::parse(buffered, &head)) {
    case RequestHead::Status::Incomplete:
        if (buffered.size() >= MaxRequestHead)
            refuse(socket, 431, {});
        return;
    case RequestHead::Status::Invalid:
        refuse(socket, 400, {});
        return;
    case RequestHead::Status::Complete:
        break;
    }
    socket->setProperty("routed", true);
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);

    if (head.path != SocketPath) {
        disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        m_httpFeeder->feed(socket);
        kickBufferedInput(socket);
        return;
    }
    HandshakeValidator::Decision decision = m_validator.validate(head, socket->peerAddress());
    if (decision.status != 101) {
        ConnectInfo peer;
        peer.peerAddress = socket->peerAddress();
        peer.peerPort = socket->peerPort();
        record(EngineEvent::Kind::Refused, peer, {},
               QStringLiteral("HTTP %1: %2").arg(decision.status).arg(decision.logReason));
        refuse(socket, decision.status, decision.body);
        return;
    }
    acceptWebSocket(socket, head.size, std::move(decision.info));
}

void Worker::refuse(QTcpSocket *socket, int status, const QByteArray &body)
{
    socket->setProperty("routed", true);
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                          "\r\ncontent-length: " + QByteArray::number(body.size()) +
                          "\r\ncache-control: no-store\r\nconnection: close\r\n\r\n" + body;
    socket->write(response);
    socket->disconnectFromHost();
}

void Worker::acceptWebSocket(QTcpSocket *socket, qsizetype headSize, ConnectInfo info)
{
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    info.id = m_engine.nextConnectionId();
    info.peerAddress = socket->peerAddress();
    info.peerPort = socket->peerPort();
    info.connectedAt = QDateTime::currentDateTimeUtc();
    const QString key = peerKey(info.peerAddress, info.peerPort);
    m_handshakes.insert(
        key, Handshake{std::move(info), socket, socket, socket->peek(headSize), QByteArray()});
    // Connected before Qt's own slots, so it runs first on every readyRead.
    connect(socket, &QTcpSocket::readyRead, this,
            [this, key, socket] { keepEarlyInput(key, socket); });
    keepEarlyInput(key, socket);
    // A handshake that Qt gives up on (timeout, bad request) deletes the socket: forget it.
    // The socket of a successful upgrade lives on inside QWebSocket, after its entry was taken.
    connect(socket, &QObject::destroyed, this, [this, key, socket] {
        const auto it = m_handshakes.constFind(key);
        if (it != m_handshakes.cend() && it->rawTcp == socket)
            m_handshakes.erase(it);
    });
    // QWebSocketServer reads the (still unread) request again and completes the upgrade.
    m_webSockets->handleConnection(socket);
    kickBufferedInput(socket);
}

void Worker::keepEarlyInput(const QString &key, QTcpSocket *socket)
{
    // Frames a client sends right behind its request must reach the session, not the
    // QWebSocket that Qt creates for a moment (and that would swallow them): everything past
    // the request head is taken out of the socket's buffer as it arrives, so Qt's handshake
    // reads exactly the head.
    const auto it = m_handshakes.find(key);
    if (it == m_handshakes.end() || it->rawTcp != socket)
        return;
    const qsizetype headSize = it->head.size();
    const qint64 available = socket->bytesAvailable();
    if (available >= headSize && socket->peek(headSize) == it->head) {
        if (available == headSize)
            return;
        const QByteArray all = socket->readAll();
        it->early += all.sliced(headSize);
        for (qsizetype i = headSize - 1; i >= 0; --i)
            socket->ungetChar(all[i]); // the head goes back for Qt to read
    } else if (available > 0) {
        it->early += socket->readAll(); // the head is gone: the rest is WebSocket input
    }
}

void Worker::onWebSocketReady()
{
    while (QWebSocket *socket = m_webSockets->nextPendingConnection()) {
        Handshake handshake = m_handshakes.take(peerKey(socket->peerAddress(), socket->peerPort()));
        ConnectInfo &info = handshake.info;
        // Qt is done once the 101 is out: the connection continues on a duplicate of the
        // descriptor, and Qt's own copy is closed without a byte on the wire (a close() of
        // one of two descriptors neither sends FIN nor resets).
        QTcpSocket *tcp = handshake.tcp;
        int descriptor = -1;
        QByteArray received;
        if (info.serializer && tcp && tcp->state() == QAbstractSocket::ConnectedState) {
            tcp->flush();
            if (tcp->bytesToWrite() == 0) {
                received = handshake.early + tcp->readAll();
                descriptor = ::fcntl(int(tcp->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
            }
        }
        // Later, not now: this runs inside the QTcpSocket's own readyRead.
        socket->abort();
        socket->deleteLater();
        if (tcp)
            tcp->deleteLater();
        if (descriptor < 0) {
            qCWarning(lcNet) << "upgraded socket could not be taken over; closing";
            continue;
        }
        addConnection(
            new WebSocketConnection(descriptor, std::move(received), std::move(info), *this));
    }
}

void Worker::addConnection(Connection *connection)
{
    connection->setParent(this);
    connect(connection, &Connection::finished, this, &Worker::onConnectionFinished);
    m_connections.insert(connection->info().id, connection);
    m_engine.noteConnected(+1);
}

void Worker::onConnectionFinished(Connection *connection)
{
    m_closedTotals.messagesIn += connection->stats.messagesIn;
    m_closedTotals.messagesOut += connection->stats.messagesOut;
    m_closedTotals.bytesIn += connection->stats.bytesIn;
    m_closedTotals.bytesOut += connection->stats.bytesOut;
    if (m_connections.remove(connection->info().id) > 0)
        m_engine.noteConnected(-1);
    connection->deleteLater();
}

void Worker::sweepIdle()
{
    // A copy: a sweep may close and so remove connections.
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections)
        connection->sweep(config());
}

void Worker::subscribe(Channel *channel)
{
    QList<Channel *> &list = m_subscribers[channel->topic()];
    if (list.isEmpty())
        m_engine.pubsub().addWorker(channel->topic(), this);
    list.append(channel);
}

void Worker::unsubscribe(Channel *channel)
{
    if (m_deliveryDepth > 0)
        m_retired.insert(channel);
    auto it = m_subscribers.find(channel->topic());
    if (it == m_subscribers.end())
        return;
    it->removeOne(channel);
    if (it->isEmpty()) {
        m_subscribers.erase(it);
        m_engine.pubsub().removeWorker(channel->topic(), this);
    }
}

void Worker::queuePresenceDiff(const QString &topic, const QJsonObject &diff)
{
    if (m_tearingDown)
        return; // nobody is left to tell, and this thread's timers are gone
    m_presenceDiffs.add(topic, diff);
    if (m_presenceFlush.isActive())
        return;
    const qint64 window = config().presenceWindowMs;
    const qint64 sinceLast = m_presenceFlushed.isValid() ? m_presenceFlushed.elapsed() : window;
    m_presenceFlush.start(int(std::max<qint64>(0, window - sinceLast)));
}

void Worker::flushPresenceDiff(const QString &topic)
{
    if (!m_presenceDiffs.contains(topic))
        return;
    publish(Broadcast::create(
                Message::broadcast(topic, events::PresenceDiff, m_presenceDiffs.take(topic))),
            nullptr);
}

void Worker::flushPresenceDiffs()
{
    // Emptied meanwhile by broadcasts on its topics: the window has not restarted.
    if (m_presenceDiffs.isEmpty())
        return;
    m_presenceFlushed.start();
    const QList<PresenceDiffBuffer::TopicDiff> diffs = m_presenceDiffs.take();
    for (const PresenceDiffBuffer::TopicDiff &pending : diffs)
        publish(Broadcast::create(
                    Message::broadcast(pending.topic, events::PresenceDiff, pending.diff)),
                nullptr);
}

bool Worker::publish(const std::shared_ptr<const Broadcast> &broadcast, QString *error)
{
    // Presence waiting for its window goes out first: members learn that bob joined before
    // they read what he says.
    const QString &topic = broadcast->message().topic;
    if (!m_presenceDiffs.isEmpty() && broadcast->message().event != events::PresenceDiff)
        flushPresenceDiff(topic);
    // Every recipient needs the V2 frame; encoding it here surfaces unencodable messages to the
    // sender instead of failing silently on each worker.
    if (!broadcast->frameFor(Serializer::forVersion(Serializer::Version::V2))) {
        if (error)
            *error = broadcast->encodeError(Serializer::forVersion(Serializer::Version::V2));
        return false;
    }
    m_engine.pubsub().publish(broadcast, this);
    return true;
}

void Worker::deliver(const std::shared_ptr<const Broadcast> &broadcast)
{
    // A copy: delivering may make subscribers leave mid-loop (a presence leave delivered
    // from inside this one, say); those are remembered as retired and skipped, never touched.
    const QList<Channel *> subscribers = m_subscribers.value(broadcast->message().topic);
    ++m_deliveryDepth;
    m_batch.begin();
    for (Channel *channel : subscribers) {
        if (channel == broadcast->excluded())
            continue;
        if (!m_retired.isEmpty() && m_retired.contains(channel))
            continue;
        channel->session().deliverBroadcast(*channel, *broadcast);
    }
    m_batch.end();
    if (--m_deliveryDepth == 0)
        m_retired.clear();
}

void Worker::completeReply(const ReplyHandle &handle, const ChannelReply &reply)
{
    if (Connection *connection = m_connections.value(handle.connectionId))
        connection->session().completeDeferred(handle, reply);
}

HistoryReader &Worker::history()
{
    if (!m_history)
        m_history = std::make_unique<HistoryReader>(m_engine.databasePath());
    return *m_history;
}

int Worker::disconnectSocketId(const QString &socketId)
{
    int closed = 0;
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (connection->info().socketId == socketId && !connection->isClosing()) {
            record(EngineEvent::Kind::Disconnect, connection->info(), {},
                   QStringLiteral("disconnect requested - closing with 1001"));
            connection->closeWith(1001, QStringLiteral("disconnected"));
            ++closed;
        }
    }
    return closed;
}

void Worker::record(EngineEvent::Kind kind, const ConnectInfo &info, const QString &topic,
                    const QString &text)
{
    QString line = EngineEvent::kindName(kind) + QLatin1String(": ");
    if (info.id)
        line += QStringLiteral("socket %1 user %2 ").arg(info.id).arg(info.user);
    else
        line += QStringLiteral("peer %1 ").arg(info.peerAddress.toString());
    if (!topic.isEmpty())
        line += QStringLiteral("topic %1 ").arg(topic);
    line += text;
    const bool problem =
        kind == EngineEvent::Kind::ProtocolError || kind == EngineEvent::Kind::SlowReader;
    if (problem)
        qCWarning(kind == EngineEvent::Kind::ProtocolError ? lcProtocol() : lcNet()).noquote()
            << line.trimmed();
    else
        qCInfo(kind == EngineEvent::Kind::Join || kind == EngineEvent::Kind::Leave ? lcChannel()
                                                                                   : lcNet())
                .noquote()
            << line.trimmed();
    m_engine.events().record(
        EngineEvent{QDateTime::currentDateTimeUtc(), kind, info.id, info.user, topic, text});
}

void Worker::recordConnect(const ConnectInfo &info)
{
    record(EngineEvent::Kind::Connect, info, {},
           QStringLiteral("peer %1:%2 vsn %3 client %4 transport %5")
               .arg(info.peerAddress.toString())
               .arg(info.peerPort)
               .arg(info.vsnName(),
                    info.clientKind.isEmpty() ? QStringLiteral("-") : info.clientKind,
                    info.transport));
}

QList<SocketRow> Worker::snapshot(EngineSnapshot *totals) const
{
    QList<SocketRow> rows;
    rows.reserve(m_connections.size());
    ConnectionStats sum = m_closedTotals;
    for (Connection *connection : std::as_const(m_connections)) {
        const ConnectInfo &info = connection->info();
        const ConnectionStats &s = connection->stats;
        sum.messagesIn += s.messagesIn;
        sum.messagesOut += s.messagesOut;
        sum.bytesIn += s.bytesIn;
        sum.bytesOut += s.bytesOut;
        rows.append(SocketRow{
            info.id, QStringLiteral("%1:%2").arg(info.peerAddress.toString()).arg(info.peerPort),
            info.user, info.clientKind, info.transport, info.vsnName(), info.connectedAt,
            connection->session().topics(), s.messagesIn, s.messagesOut, s.bytesIn, s.bytesOut,
            connection->session().lastHeartbeat(), connection->queuedBytes()});
    }
    totals->messagesIn += sum.messagesIn;
    totals->messagesOut += sum.messagesOut;
    totals->bytesIn += sum.bytesIn;
    totals->bytesOut += sum.bytesOut;
    return rows;
}

bool Worker::disconnectSocket(quint64 id, quint16 code, const QString &reason)
{
    Connection *connection = m_connections.value(id);
    if (!connection)
        return false;
    connection->closeWith(code, reason);
    return true;
}

bool Worker::removeFromTopic(quint64 id, const QString &topic)
{
    Connection *connection = m_connections.value(id);
    return connection &&
           connection->session().removeFromTopic(topic, QStringLiteral("removed by admin"));
}

void Worker::disconnectAddress(const QHostAddress &address)
{
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections) {
        if (connection->info().peerAddress.isEqual(address, QHostAddress::TolerantConversion))
            connection->closeWith(1001, QStringLiteral("address banned"));
    }
}

void Worker::closeAll(quint16 code, const QString &reason)
{
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections)
        connection->closeWith(code, reason);
}

} // namespace chatter::server
