// SPDX-License-Identifier: MIT
#include "avahisession.h"

#include <avahi-common/error.h>

namespace chatter::discovery {
namespace {

constexpr int FirstRetryMs = 1000;
constexpr int LongestRetryMs = 60'000;

} // namespace

AvahiSession::AvahiSession(QObject *parent) : QObject(parent)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &AvahiSession::connectClient);
}

AvahiSession::~AvahiSession()
{
    if (m_client)
        avahi_client_free(m_client);
}

void AvahiSession::start()
{
    if (!m_client && !m_retry.isActive())
        connectClient();
}

void AvahiSession::connectClient()
{
    if (m_client) {
        avahi_client_free(m_client);
        m_client = nullptr;
    }
    int error = 0;
    // The callback runs inside avahi_client_new already (m_client is set there, from its
    // argument); with NO_FAIL a missing daemon is a state, only a missing bus is an error.
    AvahiClient *client =
        avahi_client_new(m_poll.api(), AVAHI_CLIENT_NO_FAIL, &clientCallback, this, &error);
    if (!client) {
        m_client = nullptr;
        setState(State::Unavailable, tr("cannot reach the D-Bus system bus (%1)")
                                         .arg(QString::fromUtf8(avahi_strerror(error))));
        m_retry.start(m_retryMs);
        m_retryMs = std::min(m_retryMs * 2, LongestRetryMs);
        return;
    }
    m_client = client;
}

void AvahiSession::clientCallback(AvahiClient *client, AvahiClientState state, void *userdata)
{
    static_cast<AvahiSession *>(userdata)->clientStateChanged(client, state);
}

void AvahiSession::clientStateChanged(AvahiClient *client, AvahiClientState state)
{
    m_client = client;
    switch (state) {
    case AVAHI_CLIENT_S_RUNNING:
        m_retryMs = FirstRetryMs;
        setState(State::Running);
        break;
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
        setState(State::Registering);
        break;
    case AVAHI_CLIENT_CONNECTING:
        setState(State::Unavailable, tr("the Avahi daemon is not running"));
        break;
    case AVAHI_CLIENT_FAILURE: {
        // Even with NO_FAIL a daemon that goes away (or a bus that does) fails the client: it
        // is dead and is remade (then waiting for the daemon), but not from inside its own
        // callback.
        const int error = avahi_client_errno(client);
        dropClientLater(error == AVAHI_ERR_DISCONNECTED
                            ? tr("the Avahi daemon stopped")
                            : tr("lost the D-Bus system bus (%1)")
                                  .arg(QString::fromUtf8(avahi_strerror(error))));
        break;
    }
    }
}

void AvahiSession::dropClientLater(const QString &reason)
{
    setState(State::Unavailable, reason);
    m_retry.start(m_retryMs);
    m_retryMs = std::min(m_retryMs * 2, LongestRetryMs);
}

void AvahiSession::setState(State state, const QString &reason)
{
    if (state == State::Unavailable)
        m_reason = reason;
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace chatter::discovery
