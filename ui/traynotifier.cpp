// SPDX-License-Identifier: MIT
#include "traynotifier.h"

#include "chatmessage.h"
#include "chatsession.h"

#include <QApplication>
#include <QSystemTrayIcon>
#include <QWidget>

namespace chatter::ui {

TrayNotifier::TrayNotifier(client::ChatSession *session, QWidget *window)
    : QObject(window), m_session(session), m_window(window)
{
    connect(session, &client::ChatSession::messageReceived, this, &TrayNotifier::onMessage);
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
    m_tray->setToolTip(QStringLiteral("Chatter"));
    connect(m_tray, &QSystemTrayIcon::activated, this, [this] { Q_EMIT activated(m_lastRoom); });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this,
            [this] { Q_EMIT activated(m_lastRoom); });
    m_tray->show();
}

bool TrayNotifier::shouldNotify(const QString &room, const client::ChatMessage &message) const
{
    if (message.own || message.isSystem() || m_notify == Preferences::Notify::Never)
        return false;
    if (m_notify == Preferences::Notify::Mentions && !message.mention)
        return false;
    const bool inView = m_window->isActiveWindow() && room == m_session->currentRoom();
    return message.mention ? !m_window->isActiveWindow() || !inView : !inView;
}

void TrayNotifier::onMessage(const QString &room, const client::ChatMessage &message)
{
    if (!m_tray || !shouldNotify(room, message))
        return;
    m_lastRoom = room;
    const QString title = message.mention ? tr("%1 mentioned you in #%2").arg(message.user, room)
                                          : tr("%1 in #%2").arg(message.user, room);
    // Notification daemons may interpret markup; the body stays plain and short.
    m_tray->showMessage(title, message.body.left(200), QSystemTrayIcon::Information, 5000);
}

} // namespace chatter::ui
