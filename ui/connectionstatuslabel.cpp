// SPDX-License-Identifier: MIT
#include "connectionstatuslabel.h"

#include "chatsession.h"

#include <cmath>

namespace chatter::ui {

using client::ChatSession;

ConnectionStatusLabel::ConnectionStatusLabel(ChatSession *session, QWidget *parent)
    : QLabel(parent), m_session(session)
{
    setObjectName(QStringLiteral("connectionStatus"));
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The countdown needs a tick; one per 250 ms keeps the shown second honest.
    m_countdown.setInterval(250);
    connect(&m_countdown, &QTimer::timeout, this, &ConnectionStatusLabel::refresh);
    connect(session, &ChatSession::connectionStateChanged, this, &ConnectionStatusLabel::refresh);
    connect(session, &ChatSession::reconnectScheduled, this, &ConnectionStatusLabel::refresh);
    refresh();
}

QString ConnectionStatusLabel::describeError(const QString &error)
{
    if (error.isEmpty())
        return tr("connection lost");
    if (error.contains(QLatin1String("403")))
        return tr("the server refused the connection (is the nickname valid?)");
    if (error.contains(QLatin1String("refused"), Qt::CaseInsensitive))
        return tr("could not connect: connection refused");
    if (error.contains(QLatin1String("not found"), Qt::CaseInsensitive))
        return tr("could not connect: unknown host");
    if (error.contains(QLatin1String("timed out"), Qt::CaseInsensitive))
        return tr("could not connect: the server did not answer");
    if (error.contains(QLatin1String("closed"), Qt::CaseInsensitive))
        return tr("the server closed the connection");
    return tr("could not connect: %1").arg(error);
}

void ConnectionStatusLabel::refresh()
{
    const QString server = m_session->server();
    switch (m_session->connectionState()) {
    case ChatSession::ConnectionState::Connected:
        m_countdown.stop();
        setText(tr("Connected to %1 as %2").arg(server, m_session->nickname()));
        break;
    case ChatSession::ConnectionState::Connecting:
        setText(tr("Connecting to %1…").arg(server));
        break;
    case ChatSession::ConnectionState::Reconnecting: {
        const int remaining = m_session->reconnectRemainingMs();
        if (remaining < 0) {
            setText(tr("%1 — reconnecting…").arg(describeError(m_session->lastError())));
        } else {
            if (!m_countdown.isActive())
                m_countdown.start();
            const int seconds = int(std::ceil(remaining / 1000.0));
            setText(tr("%1 — reconnecting in %2 s…")
                        .arg(describeError(m_session->lastError()))
                        .arg(seconds));
        }
        break;
    }
    case ChatSession::ConnectionState::Disconnected:
        m_countdown.stop();
        setText(server.isEmpty() ? tr("Not connected") : tr("Disconnected from %1").arg(server));
        break;
    }
}

} // namespace chatter::ui
