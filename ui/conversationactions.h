// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

class QAction;
class QActionGroup;
class QMenu;
class QWidget;

namespace chatter::client {
class ChatSession;
} // namespace chatter::client

namespace chatter::ui {

//! Making and tending conversations (docs/conversations.md): a DM with someone, a group
//! conversation, a private room and invitations to it, muting the conversation in view, and
//! the presence status with do-not-disturb. Everything but the status needs a registered
//! account; the actions say so by being disabled. GUI thread; owned by the window.
class ConversationActions : public QObject
{
    Q_OBJECT
public:
    ConversationActions(client::ChatSession *session, QWidget *window);

    //! Fills the window's Conversations menu.
    void addTo(QMenu *menu);
    //! Fills a Status menu: Online, Away, Busy, Do Not Disturb.
    void addStatusTo(QMenu *menu);
    //! "Message <user>" for a member's context menu; null for myself or without an account.
    QAction *messageAction(const QString &user, QObject *parent);

    void newDirectMessage();
    void newGroup();
    void newPrivateRoom();
    void inviteToCurrentRoom();
    //! Enables what the session allows and checks Mute for the conversation in view.
    void update();

Q_SIGNALS:
    void status(const QString &text);

private:
    void report(const QString &what, const QString &error);

    client::ChatSession *m_session;
    QWidget *m_window;
    QAction *m_newDm = nullptr;
    QAction *m_newGroup = nullptr;
    QAction *m_newPrivate = nullptr;
    QAction *m_invite = nullptr;
    QAction *m_mute = nullptr;
    QActionGroup *m_statusGroup = nullptr;
};

} // namespace chatter::ui
