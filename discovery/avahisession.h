// SPDX-License-Identifier: MIT
#pragma once

#include "qtavahipoll.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <avahi-client/client.h>

namespace chatter::discovery {

//! One connection to the system's Avahi daemon that survives the daemon: made with
//! AVAHI_CLIENT_NO_FAIL, so a daemon that is not running yet (or restarts) is waited for, and
//! remade (with a growing pause) when there is no D-Bus system bus at all or the bus goes away.
//! Its users (the server's announcer, the client's browser) make their entry groups or browsers
//! on Running and drop them on Unavailable; reasons are for a log line, said once per change.
//!
//! Thread: lives on the thread that makes it (its QtAvahiPoll's); states arrive there.
class AvahiSession : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Starting,    //!< before the first answer (or the first missing bus)
        Unavailable, //!< no daemon or no bus; see reason()
        Registering, //!< the daemon is (re)registering this host's name: hold publications
        Running      //!< the daemon answers: publish and browse
    };
    Q_ENUM(State)

    explicit AvahiSession(QObject *parent = nullptr);
    ~AvahiSession() override;

    //! Connects (or starts waiting for the daemon); states follow through stateChanged().
    void start();

    State state() const { return m_state; }
    //! Why the daemon cannot be used, while Unavailable.
    QString reason() const { return m_reason; }
    //! The client, valid while Running or Registering; null otherwise.
    AvahiClient *client() const
    {
        return m_state == State::Running || m_state == State::Registering ? m_client : nullptr;
    }

Q_SIGNALS:
    //! Emitted for every change (never twice for the same state): users react to each.
    void stateChanged(chatter::discovery::AvahiSession::State state);

private:
    static void clientCallback(AvahiClient *client, AvahiClientState state, void *userdata);
    void connectClient();
    void clientStateChanged(AvahiClient *client, AvahiClientState state);
    void setState(State state, const QString &reason = {});
    void dropClientLater(const QString &reason);

    QtAvahiPoll m_poll;
    AvahiClient *m_client = nullptr;
    State m_state = State::Starting;
    QString m_reason;
    //! Remakes the client when there was no bus: 1 s, doubling to a minute.
    QTimer m_retry;
    int m_retryMs = 1000;
};

} // namespace chatter::discovery
