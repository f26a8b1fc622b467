// SPDX-License-Identifier: MIT
#include "phoenixsocket.h"

#include "events.h"
#include "phoenixchannel.h"
#include "v2serializer.h"

#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSslError>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

Q_LOGGING_CATEGORY(lcSocket, "chatter.client.socket", QtWarningMsg)

namespace chatter::client {

namespace {

const V2Serializer &serializer()
{
    static const V2Serializer instance;
    return instance;
}

//! What a browser reports when a WebSocket ends without a close frame.
constexpr int AbnormalClosure = 1006;

} // namespace

PhoenixSocket::PhoenixSocket(QUrl endpoint, SocketOptions options, QObject *parent)
    : QObject(parent), m_endpoint(std::move(endpoint)), m_options(std::move(options))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, [this] {
        ++m_reconnectTries;
        startAttempt();
    });
    m_heartbeatTimer.setSingleShot(true);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &PhoenixSocket::sendHeartbeat);
    m_heartbeatTimeoutTimer.setSingleShot(true);
    connect(&m_heartbeatTimeoutTimer, &QTimer::timeout, this, &PhoenixSocket::heartbeatTimeout);
}

PhoenixSocket::~PhoenixSocket()
{
    if (m_ws) {
        m_ws->disconnect(this);
        m_ws->abort();
        delete m_ws;
    }
}

QUrl PhoenixSocket::endPointUrl() const
{
    QUrl url = m_endpoint;
    QString path = url.path();
    if (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QStringLiteral("/websocket"));
    QUrlQuery query = m_params ? m_params() : QUrlQuery();
    query.removeAllQueryItems(QStringLiteral("vsn"));
    query.addQueryItem(QStringLiteral("vsn"), QStringLiteral("2.0.0"));
    url.setQuery(query);
    return url;
}

QString PhoenixSocket::bearerSubprotocol(const QString &token)
{
    // base64url without padding: every character is a valid HTTP token character, which a
    // subprotocol name must be (plain base64's '/' and '=' are not). The server decodes both.
    return QStringLiteral("base64url.bearer.phx.") +
           QString::fromLatin1(token.toUtf8().toBase64(QByteArray::Base64UrlEncoding |
                                                       QByteArray::OmitTrailingEquals));
}

QString PhoenixSocket::hostPort() const
{
    return CertificatePins::hostPortOf(m_endpoint,
                                       m_endpoint.scheme() == QLatin1String("wss") ? 443 : 80);
}

void PhoenixSocket::open()
{
    if (m_state == State::Open || m_state == State::Connecting)
        return;
    m_reconnectTimer.stop();
    m_reconnectTries = 0;
    startAttempt();
}

void PhoenixSocket::close()
{
    m_closeWasClean = true;
    m_reconnectTimer.stop();
    m_heartbeatTimer.stop();
    m_heartbeatTimeoutTimer.stop();
    m_pendingHeartbeatRef.clear();
    if (!m_ws) {
        setState(State::Closed);
        return;
    }
    setState(State::Closing);
    QWebSocket *ws = std::exchange(m_ws, nullptr);
    ws->disconnect(this);
    ws->close(QWebSocketProtocol::CloseCodeNormal);
    ws->deleteLater();
    m_wsConnected = false;
    setState(State::Closed);
    // As in phoenix.js, channels error on any close, so a later open() rejoins them.
    triggerChannelErrors(QStringLiteral("connection_closed"));
    Q_EMIT closed(QWebSocketProtocol::CloseCodeNormal, QString());
}

int PhoenixSocket::reconnectRemainingMs() const
{
    return m_reconnectTimer.isActive() ? m_reconnectTimer.remainingTime() : -1;
}

PhoenixChannel *PhoenixSocket::channel(const QString &topic, std::function<QJsonObject()> params)
{
    auto *channel = new PhoenixChannel(this, topic, std::move(params));
    m_channels.append(channel);
    return channel;
}

QList<PhoenixChannel *> PhoenixSocket::channels() const
{
    QList<PhoenixChannel *> out;
    for (const auto &channel : m_channels) {
        if (channel)
            out.append(channel);
    }
    return out;
}

QString PhoenixSocket::makeRef()
{
    return QString::number(++m_ref);
}

void PhoenixSocket::push(const Message &message)
{
    if (isConnected())
        writeMessage(message);
    else
        m_sendBuffer.append(message);
}

void PhoenixSocket::removeChannel(PhoenixChannel *channel)
{
    m_channels.removeAll(channel);
    m_channels.removeAll(nullptr);
    // Closed channels are dead objects in phoenix.js too; free them once their signals ran.
    channel->deleteLater();
}

void PhoenixSocket::leaveOtherChannels(PhoenixChannel *keep)
{
    for (const auto &channel : channels()) {
        if (channel != keep && channel->topic() == keep->topic() &&
            (channel->state() == PhoenixChannel::State::Joined ||
             channel->state() == PhoenixChannel::State::Joining))
            channel->leave();
    }
}

void PhoenixSocket::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void PhoenixSocket::startAttempt()
{
    if (m_ws) {
        m_ws->disconnect(this);
        m_ws->abort();
        m_ws->deleteLater();
    }
    // A fresh QWebSocket per attempt: its close code then belongs to this connection only.
    auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_ws = ws;
    m_wsConnected = false;
    m_serverSentClose = false;
    m_closeWasClean = false;
    m_certificateRefused = false;
    m_refusalStatus = 0;
    connect(ws, &QWebSocket::connected, this, [this, ws] { onConnected(ws); });
    // Answered inside the signal: ignoring the errors later would be too late.
    connect(ws, &QWebSocket::sslErrors, this,
            [this, ws](const QList<QSslError> &errors) { onSslErrors(ws, errors); });
    connect(ws, &QWebSocket::disconnected, this, [this, ws] { onDisconnected(ws); });
    // Qt 6.4 names the signal error(); errorOccurred() arrived in 6.5.
    connect(ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, ws] { onError(ws); });
    // aboutToClose fires when the close handshake starts; since we did not start it, the
    // server sent a close frame and ws->closeCode() is its code.
    connect(ws, &QWebSocket::aboutToClose, this, [this, ws] {
        if (ws == m_ws)
            m_serverSentClose = true;
    });
    connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &text) {
        if (ws == m_ws)
            onTextMessage(text);
    });
    setState(State::Connecting);
    qCDebug(lcSocket) << "connecting to" << endPointUrl();
    if (m_authToken.isEmpty()) {
        ws->open(endPointUrl());
        return;
    }
    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols({QStringLiteral("phoenix"), bearerSubprotocol(m_authToken)});
    ws->open(QNetworkRequest(endPointUrl()), handshake);
}

void PhoenixSocket::onConnected(QWebSocket *ws)
{
    if (ws != m_ws)
        return;
    m_wsConnected = true;
    m_lastError.clear();
    m_reconnectTimer.stop();
    m_reconnectTries = 0;
    setState(State::Open);
    const QList<Message> buffered = std::exchange(m_sendBuffer, {});
    for (const Message &message : buffered)
        writeMessage(message);
    resetHeartbeat();
    for (const auto &channel : channels())
        channel->handleSocketOpen();
    Q_EMIT opened();
}

void PhoenixSocket::onDisconnected(QWebSocket *ws)
{
    if (ws != m_ws)
        return;
    const bool hadCloseFrame = m_wsConnected && m_serverSentClose;
    const int code = hadCloseFrame ? int(ws->closeCode()) : AbnormalClosure;
    const QString reason = hadCloseFrame ? ws->closeReason() : m_lastError;
    m_ws = nullptr;
    m_endedWs = ws;
    // Keep listening for its late error() until it is deleted.
    disconnect(ws, &QWebSocket::disconnected, this, nullptr);
    ws->deleteLater();
    transportClosed(code, reason, false);
}

void PhoenixSocket::onError(QWebSocket *ws)
{
    // QAbstractSocket reports a refused connect after its state change, so the error may
    // come from the attempt that has just ended; it still says why.
    if (ws != m_ws && ws != m_endedWs)
        return;
    if (m_certificateRefused)
        return; // the certificate's own message says more than "handshake failed"
    m_lastError = ws->errorString();
    // QWebSocket says a refused upgrade only in words ("Unhandled http status code: 403").
    static const QRegularExpression statusPattern(QStringLiteral("status code: (\\d{3})"));
    if (const auto match = statusPattern.match(m_lastError); match.hasMatch())
        m_refusalStatus = match.captured(1).toInt();
    qCDebug(lcSocket) << "transport error" << m_lastError;
    Q_EMIT transportError(m_lastError);
    // A failed upgrade can leave the socket unconnected without a disconnected signal; give
    // QWebSocket a turn of the event loop, then finish the attempt ourselves if needed.
    if (ws != m_ws)
        return;
    QTimer::singleShot(0, this, [this, ws] {
        if (ws == m_ws && ws->state() == QAbstractSocket::UnconnectedState)
            onDisconnected(ws);
    });
}

void PhoenixSocket::onSslErrors(QWebSocket *ws, const QList<QSslError> &errors)
{
    if (ws != m_ws)
        return;
    const auto judged = CertificatePins::judge(m_pins, hostPort(), errors);
    if (!judged) {
        ws->ignoreSslErrors(errors); // exactly the certificate the user trusted
        return;
    }
    const UntrustedCertificate &problem = *judged;
    m_certificateRefused = true;
    m_lastError =
        problem.changed()
            ? tr("the certificate of %1 has changed since it was trusted; refusing to connect")
                  .arg(problem.hostPort)
            : tr("the certificate of %1 is not trusted").arg(problem.hostPort);
    // No reconnect: retrying cannot make the certificate trusted, only the user can.
    m_closeWasClean = true;
    qCDebug(lcSocket) << m_lastError << problem.errors;
    Q_EMIT transportError(m_lastError);
    Q_EMIT untrustedCertificate(problem);
}

void PhoenixSocket::transportClosed(int code, const QString &reason, bool scheduleAnyway)
{
    m_wsConnected = false;
    m_heartbeatTimer.stop();
    m_heartbeatTimeoutTimer.stop();
    m_pendingHeartbeatRef.clear();
    setState(State::Closed);
    triggerChannelErrors(QStringLiteral("connection_closed"));
    // Errored channels rejoin with a new join_ref on open; their queued joins and leaves
    // would only make the server process stale join_refs.
    m_sendBuffer.removeIf(
        [](const Message &m) { return m.event == events::Join || m.event == events::Leave; });
    Q_EMIT closed(code, reason);
    // A server that closes with 1000 means "stop"; anything else (restart 1012, going away
    // 1001, dropped 1006) is worth retrying.
    if (scheduleAnyway || (!m_closeWasClean && code != QWebSocketProtocol::CloseCodeNormal))
        scheduleReconnect();
}

void PhoenixSocket::scheduleReconnect()
{
    const int delay = m_options.reconnectAfter.delayMs(m_reconnectTries + 1);
    m_reconnectTimer.start(delay);
    Q_EMIT reconnectScheduled(delay, m_reconnectTries + 1);
}

void PhoenixSocket::triggerChannelErrors(const QString &reason)
{
    for (const auto &channel : channels())
        channel->handleSocketError(reason);
}

void PhoenixSocket::onTextMessage(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    const DecodeResult decoded = serializer().decodeText(utf8);
    if (!decoded) {
        qCWarning(lcSocket) << "dropping undecodable frame:" << decoded.error();
        return;
    }
    const Message &message = *decoded;
    if (!m_pendingHeartbeatRef.isEmpty() && message.ref.isString() &&
        message.ref.toString() == m_pendingHeartbeatRef) {
        // Scheduling the next heartbeat from the reply (not a fixed interval) is what
        // phoenix.js does: a slow reply delays the next one instead of piling them up.
        m_heartbeatTimeoutTimer.stop();
        m_pendingHeartbeatRef.clear();
        resetHeartbeat();
    }
    for (const auto &channel : channels()) {
        if (channel->isMember(message))
            channel->handleMessage(message);
    }
    Q_EMIT messageReceived(message);
}

void PhoenixSocket::resetHeartbeat()
{
    m_pendingHeartbeatRef.clear();
    m_heartbeatTimeoutTimer.stop();
    m_heartbeatTimer.start(m_options.heartbeatIntervalMs);
}

void PhoenixSocket::sendHeartbeat()
{
    if (!isConnected())
        return;
    m_pendingHeartbeatRef = makeRef();
    Message message;
    message.ref = m_pendingHeartbeatRef;
    message.topic = events::PhoenixTopic;
    message.event = events::Heartbeat;
    writeMessage(message);
    m_heartbeatTimeoutTimer.start(m_options.heartbeatIntervalMs);
}

void PhoenixSocket::heartbeatTimeout()
{
    if (m_pendingHeartbeatRef.isEmpty())
        return;
    m_pendingHeartbeatRef.clear();
    qCDebug(lcSocket) << "heartbeat timeout; re-establishing the connection";
    Q_EMIT heartbeatTimedOut();
    triggerChannelErrors(QStringLiteral("heartbeat_timeout"));
    m_lastError = tr("the server stopped answering");
    dropTransport();
    // Reconnect whatever close code the teardown produced.
    transportClosed(AbnormalClosure, m_lastError, true);
}

void PhoenixSocket::dropTransport()
{
    if (!m_ws)
        return;
    QWebSocket *ws = std::exchange(m_ws, nullptr);
    ws->disconnect(this);
    ws->abort();
    ws->deleteLater();
}

void PhoenixSocket::writeMessage(const Message &message)
{
    const EncodeResult encoded = serializer().encode(message);
    if (!encoded || !m_ws) {
        qCWarning(lcSocket) << "cannot send" << message.event
                            << (encoded ? QStringLiteral("not connected") : encoded.error());
        return;
    }
    m_ws->sendTextMessage(encoded->text);
}

} // namespace chatter::client
