// SPDX-License-Identifier: MIT
#pragma once

#include "preferences.h"

#include <QObject>

class QSystemTrayIcon;
class QWidget;

namespace chatter::client {
class ChatSession;
struct ChatMessage;
} // namespace chatter::client

namespace chatter::ui {

//! A tray icon (when the desktop has a tray) that notifies about mentions, direct messages
//! and messages in rooms not in view (as Preferences says); nothing for a muted conversation
//! but mentions, and nothing at all while the status is do-not-disturb. Clicking it brings
//! the window back.
class TrayNotifier : public QObject
{
    Q_OBJECT
public:
    TrayNotifier(client::ChatSession *session, QWidget *window);

    bool isAvailable() const { return m_tray != nullptr; }
    void setNotify(Preferences::Notify notify) { m_notify = notify; }
    //! Whether `message` in `room` deserves a notification right now.
    bool shouldNotify(const QString &room, const client::ChatMessage &message) const;

    //! The title a notification gets (tests read it; the tray may not exist).
    QString titleFor(const QString &room, const client::ChatMessage &message) const;
    //! What was shown last: title and body (also without a tray).
    QString lastNotification() const { return m_lastNotification; }

Q_SIGNALS:
    //! The user clicked the notification or the icon for `room` (may be empty).
    void activated(const QString &room);

private:
    void onMessage(const QString &room, const client::ChatMessage &message);

    client::ChatSession *m_session;
    QWidget *m_window;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_lastRoom;
    QString m_lastNotification;
    Preferences::Notify m_notify = Preferences::Notify::AllMessages;
};

} // namespace chatter::ui
