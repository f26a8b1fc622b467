// SPDX-License-Identifier: MIT
#include "traynotifier.h"

#include "chatmessage.h"
#include "chatsession.h"
#include "roomlistmodel.h"
#include "topics.h"

#include <QApplication>
#include <QSystemTrayIcon>
#include <QWidget>

namespace chatter::ui {

TrayNotifier::TrayNotifier(client::ChatSession *session, QWidget *window)
    : QObject(window), m_session(session), m_window(window)
{
    connect(session, &client::ChatSession::messageReceived, this, &TrayNotifier::onMessage);
    connect(session, &client::ChatSession::mentionReceived, this, &TrayNotifier::onMessage);
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
    // Do not disturb means not at all; a muted conversation still says when I am named.
    if (m_session->status() == QLatin1String("dnd"))
        return false;
    if (m_session->isMuted(room) && !message.mention)
        return false;
    // A direct message is written to me: as good as a mention.
    const bool direct = topics::isDmKey(room);
    if (m_notify == Preferences::Notify::Mentions && !message.mention && !direct)
        return false;
    const bool inView = m_window->isActiveWindow() && room == m_session->currentRoom();
    return message.mention ? !m_window->isActiveWindow() || !inView : !inView;
}

QString TrayNotifier::titleFor(const QString &room, const client::ChatMessage &message) const
{
    if (topics::isDmKey(room))
        return tr("%1 (direct message)").arg(message.user);
    const QString where = m_session->rooms()->kind(room) == client::RoomListModel::Kind::Group
                              ? m_session->titleOf(room)
                              : QStringLiteral("#") + room;
    return message.mention ? tr("%1 mentioned you in %2").arg(message.user, where)
                           : tr("%1 in %2").arg(message.user, where);
}

void TrayNotifier::onMessage(const QString &room, const client::ChatMessage &message)
{
    if (!shouldNotify(room, message))
        return;
    m_lastRoom = room;
    const QString title = titleFor(room, message);
    m_lastNotification = title + QLatin1Char('\n') + message.body.left(200);
    // Notification daemons may interpret markup; the body stays plain and short.
    if (m_tray)
        m_tray->showMessage(title, message.body.left(200), QSystemTrayIcon::Information, 5000);
}

} // namespace chatter::ui
