// SPDX-License-Identifier: MIT
#pragma once

#include "message.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace chatter::client {

class PhoenixSocket;
class Push;

//! A Phoenix channel with phoenix.js semantics: join, push, leave, automatic rejoin.
//!
//! - Each (re)join uses a new join_ref and re-evaluates the join params.
//! - A join error, join timeout or phx_error makes the channel errored; while the socket is
//!   open it rejoins after 1, 2, 5, then every 10 s. When the socket (re)opens, an errored
//!   channel rejoins at once.
//! - Pushes made while not joined are buffered; their timeout runs from the moment of the
//!   push, and on join ok they go out with fresh refs (timed-out ones never do).
//! - Messages carrying a join_ref other than the current one are dropped as stale.
//! Create channels with PhoenixSocket::channel().
class PhoenixChannel : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Closed,
        Joining,
        Joined,
        Leaving,
        Errored
    };
    Q_ENUM(State)
    using ParamsProvider = std::function<QJsonObject()>;

    ~PhoenixChannel() override;

    const QString &topic() const { return m_topic; }
    State state() const { return m_state; }
    //! The ref of the current join attempt; empty before the first join or after a timeout.
    QString joinRef() const;
    PhoenixSocket *socket() const { return m_socket; }
    bool canPush() const;
    int rejoinTries() const { return m_rejoinTries; }

    //! Starts joining. Once per channel object; later calls return the same join push.
    Push *join(int timeoutMs = -1);
    //! Sends `event` now if joined, else buffers it. The push deletes itself when done.
    Push *push(const QString &event, const QJsonObject &payload = {}, int timeoutMs = -1);
    //! Sends phx_leave and closes the channel right away, as phoenix.js does; no rejoin after.
    void leave();

Q_SIGNALS:
    void stateChanged(chatter::client::PhoenixChannel::State state);
    //! Every successful (re)join, with the server's reply.
    void joined(const QJsonObject &response);
    //! The server refused the join (for example `{"reason":"invalid room name"}`).
    void joinRefused(const QJsonObject &response);
    void joinTimedOut();
    //! phx_error from the server, or a local transport error (`{"reason":"connection_closed"}`).
    void errored(const QJsonObject &reason);
    void closed();
    void rejoinScheduled(int delayMs);
    //! Application events (not phx_*) that belong to the current join.
    void eventReceived(const QString &event, const QJsonValue &payload);

private:
    friend class PhoenixSocket;
    friend class Push;
    PhoenixChannel(PhoenixSocket *socket, QString topic, ParamsProvider params);

    // Called by the socket.
    bool isMember(const Message &message) const;
    void handleMessage(const Message &message);
    void handleSocketOpen();
    void handleSocketError(const QString &reason);
    // Called by pushes.
    void registerRef(const QString &ref, Push *push);
    void unregisterRef(const QString &ref);
    QJsonValue joinRefValue() const;

    void setState(State state);
    void rejoin();
    void scheduleRejoin();
    void resetRejoinTimer();
    void onJoinOk(const QJsonValue &response);
    void onJoinError(const QJsonValue &response);
    void onJoinTimeout();
    //! phx_leave for the current join_ref, e.g. after a join timed out or on leave().
    void pushLeave();
    void onError(const QJsonObject &reason);
    void onClose();

    PhoenixSocket *m_socket;
    QString m_topic;
    ParamsProvider m_params;
    State m_state = State::Closed;
    Push *m_joinPush = nullptr;
    bool m_joinedOnce = false;
    //! Closed for good: the socket has let go of this object.
    bool m_removed = false;
    QList<QPointer<Push>> m_pushBuffer;
    QHash<QString, QPointer<Push>> m_pending;
    QTimer m_rejoinTimer;
    int m_rejoinTries = 0;
};

} // namespace chatter::client
