// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;

namespace chatter::client {
class ChatSession;
} // namespace chatter::client

namespace chatter::ui {

class RoomKindFilter;

//! The window's left pane: the join field, the rooms (public and private), and below them the
//! direct and group conversations (shown once there is one). Picking a row makes it the
//! session's current conversation; showCurrent() selects it in its own list. GUI thread.
class RoomsPane : public QWidget
{
    Q_OBJECT
public:
    explicit RoomsPane(client::ChatSession *session, QWidget *parent = nullptr);

    QLineEdit *joinEdit() const { return m_joinEdit; }
    QListView *roomView() const { return m_roomView; }
    QListView *conversationView() const { return m_conversationView; }
    //! Selects `room` in the list it is in, and in neither of the others.
    void showCurrent(const QString &room);
    //! Every conversation in the order shown: the rooms, then the others.
    QStringList visibleOrder() const;

private:
    QListView *listOf(const QString &name, const QString &accessible, RoomKindFilter *model);

    client::ChatSession *m_session;
    QLineEdit *m_joinEdit;
    RoomKindFilter *m_roomFilter;
    RoomKindFilter *m_conversationFilter;
    QListView *m_roomView;
    QLabel *m_conversationLabel;
    QListView *m_conversationView;
};

} // namespace chatter::ui
