// SPDX-License-Identifier: MIT
#pragma once

#include "socketoptions.h"

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QListView;

namespace chatter::client {
class ChatSession;
}

namespace chatter::ui {

class Composer;
class ConnectionStatusLabel;
class MessageView;
class TrayNotifier;

//! The chat window: rooms on the left, the current room's messages and composer in the
//! middle, its members on the right. It renders ChatSession's models and forwards the user's
//! actions; all protocol work happens in the session.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(client::SocketOptions options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    client::ChatSession *session() const { return m_session; }
    void connectTo(const QString &server, const QString &nickname);
    //! Shows the connect dialog; connects if the user accepts. False if cancelled.
    bool openConnectDialog();

private:
    void buildUi();
    void buildActions();
    void showRoom(const QString &room);
    void joinFromEdit();
    void leaveCurrentRoom();
    void stepRoom(int delta);
    void updateTyping();
    void updateTitle();
    void updateMemberHeader();
    void showShortcuts();
    void bringToFront(const QString &room);

    client::ChatSession *m_session;
    QLineEdit *m_joinEdit = nullptr;
    QListView *m_roomView = nullptr;
    QLabel *m_roomTitle = nullptr;
    MessageView *m_messageView = nullptr;
    QLabel *m_typingLabel = nullptr;
    Composer *m_composer = nullptr;
    QLabel *m_memberHeader = nullptr;
    QListView *m_memberView = nullptr;
    ConnectionStatusLabel *m_status = nullptr;
    TrayNotifier *m_tray = nullptr;
};

} // namespace chatter::ui
