// SPDX-License-Identifier: MIT
#pragma once

#include "certificatepins.h"
#include "message.h"
#include "socketoptions.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QSslError;
class QWebSocket;

namespace chatter::client {

class PhoenixChannel;

//! A Phoenix socket over WebSocket (vsn 2.0.0) with phoenix.js semantics.
//!
//! - A heartbeat goes out 30 s after open and after each answered heartbeat; if its reply
//!   has not come 30 s later the connection is dropped and a reconnect scheduled.
//! - Whenever the transport closes without us asking, channels get a local phx_error and a
//!   reconnect follows the backoff (10 ms … 2 s, then 5 s), unless the server closed with
//!   1000. A connect that fails (refused, unreachable, HTTP 403 on the upgrade) counts as an
//!   abnormal close, so it is retried too.
//! - Messages pushed while disconnected wait in a send buffer flushed on open.
//! - wss:// certificates are verified as usual; one that fails verification is accepted only
//!   if it is the one pinned for the host:port (CertificatePins). Otherwise the attempt ends
//!   with untrustedCertificate() and no reconnect: only the user can decide to trust it.
class PhoenixSocket : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Closed,
        Connecting,
        Open,
        Closing
    };
    Q_ENUM(State)
    using ParamsProvider = std::function<QUrlQuery()>;

    //! `endpoint` is the socket mount, for example `ws://localhost:4000/socket`.
    explicit PhoenixSocket(QUrl endpoint, SocketOptions options = {}, QObject *parent = nullptr);
    ~PhoenixSocket() override;

    //! Connect params, evaluated on every (re)connect.
    void setParams(ParamsProvider params) { m_params = std::move(params); }
    //! The session token, sent as phoenix.js sends `authToken`: a `Sec-WebSocket-Protocol`
    //! entry `base64url.bearer.phx.<token in base64url>` next to `phoenix`. Empty: none.
    void setAuthToken(const QString &token) { m_authToken = token; }
    QString authToken() const { return m_authToken; }
    //! The subprotocol entry that carries `token` (phoenix.js's AUTH_TOKEN_PREFIX form).
    static QString bearerSubprotocol(const QString &token);
    //! Where trusted-on-first-use certificates are kept; none: only verified ones connect.
    void setCertificatePins(CertificatePins *pins) { m_pins = pins; }
    //! "host:port" of the endpoint, as pins are keyed.
    QString hostPort() const;
    //! The URL a connect uses now: endpoint + "/websocket" + vsn + params.
    QUrl endPointUrl() const;
    const SocketOptions &options() const { return m_options; }

    void open();
    //! Client-initiated close (code 1000): no reconnect, channels are not errored.
    void close();
    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Open; }
    //! Milliseconds until the scheduled reconnect, or -1 if none is scheduled.
    int reconnectRemainingMs() const;
    QString lastError() const { return m_lastError; }
    //! The HTTP status with which the server refused the last connect attempt's upgrade
    //! (401, 403 …); 0 when it was not refused that way.
    int lastRefusalStatus() const { return m_refusalStatus; }

    //! A new channel object for `topic`; the socket owns it until it closes.
    PhoenixChannel *channel(const QString &topic, std::function<QJsonObject()> params = {});
    QList<PhoenixChannel *> channels() const;

    //! A new ref; one counter per socket, never reset (refs stay unique across reconnects).
    QString makeRef();
    //! Writes `message` now if open, else buffers it until the next open.
    void push(const Message &message);

Q_SIGNALS:
    void stateChanged(chatter::client::PhoenixSocket::State state);
    void opened();
    //! The transport closed. `code` is the server's close code, 1006 when there was no close
    //! frame (dropped, refused, never connected).
    void closed(int code, const QString &reason);
    //! A connect attempt or the transport failed; `message` says why, for humans.
    void transportError(const QString &message);
    void reconnectScheduled(int delayMs, int tries);
    void heartbeatTimedOut();
    //! A wss:// server showed a certificate that is neither verified nor pinned (or differs
    //! from the pinned one); the attempt ended and no reconnect is scheduled.
    void untrustedCertificate(const chatter::client::UntrustedCertificate &certificate);
    void messageReceived(const chatter::Message &message);

private:
    friend class PhoenixChannel;
    void removeChannel(PhoenixChannel *channel);
    //! phoenix.js leaveOpenTopic: another object joined/joining the same topic leaves first.
    void leaveOtherChannels(PhoenixChannel *keep);

    void setState(State state);
    void startAttempt();
    void onConnected(QWebSocket *ws);
    void onDisconnected(QWebSocket *ws);
    void onError(QWebSocket *ws);
    void onSslErrors(QWebSocket *ws, const QList<QSslError> &errors);
    void onTextMessage(const QString &text);
    void transportClosed(int code, const QString &reason, bool scheduleAnyway);
    void dropTransport();
    void scheduleReconnect();
    void triggerChannelErrors(const QString &reason);
    void resetHeartbeat();
    void sendHeartbeat();
    void heartbeatTimeout();
    void writeMessage(const Message &message);

    QUrl m_endpoint;
    SocketOptions m_options;
    ParamsProvider m_params;
    QString m_authToken;
    int m_refusalStatus = 0;
    State m_state = State::Closed;
    QWebSocket *m_ws = nullptr;
    //! The attempt that just ended; its error() may still arrive.
    QPointer<QWebSocket> m_endedWs;
    bool m_wsConnected = false;
    bool m_serverSentClose = false;
    bool m_closeWasClean = false;
    QString m_lastError;
    CertificatePins *m_pins = nullptr;
    bool m_certificateRefused = false; //!< this attempt ended on an untrusted certificate
    quint64 m_ref = 0;
    QList<Message> m_sendBuffer;
    QList<QPointer<PhoenixChannel>> m_channels;
    QTimer m_reconnectTimer;
    int m_reconnectTries = 0;
    QTimer m_heartbeatTimer;
    QTimer m_heartbeatTimeoutTimer;
    QString m_pendingHeartbeatRef;
};

} // namespace chatter::client
