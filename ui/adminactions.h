// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QMenu;
class QWidget;

namespace chatter::client {
class ChatSession;
} // namespace chatter::client

namespace chatter::ui {

//! An admin's tools in the window (docs/identity.md): Disconnect, Ban… and Unban on a
//! member's context menu, Chat › Post System Message…; the answers go to status(). They act
//! only while the session has its admin channel. GUI thread; owned by the window.
class AdminActions : public QObject
{
    Q_OBJECT
public:
    AdminActions(client::ChatSession *session, QWidget *window);

    //! Adds Disconnect, Ban… and Unban for `user` to a member's context menu.
    void addMemberActions(QMenu *menu, const QString &user);
    //! Closes every socket of `user`.
    void kick(const QString &user);
    //! Asks for minutes and a reason (BanDialog), then bans.
    void ban(const QString &user);
    void unban(const QString &user);
    //! Asks for the text, then posts it to the room in view as "system".
    void postSystemMessage();

Q_SIGNALS:
    void status(const QString &text);

private:
    client::ChatSession *m_session;
    QWidget *m_window;
};

} // namespace chatter::ui
