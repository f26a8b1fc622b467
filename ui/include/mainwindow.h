// SPDX-License-Identifier: MIT
#pragma once

#include "socketoptions.h"

#include <QHash>
#include <QMainWindow>

class QLabel;
class QLineEdit;
class QListView;
class QSplitter;

namespace chatter::client {
class ChatSession;
struct UntrustedCertificate;
} // namespace chatter::client

namespace chatter::ui {

class Composer;
class ConnectionStatusLabel;
class MessageView;
class RoomBrowser;
class TrayNotifier;
struct Preferences;

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
    //! First start: connects to `server` as `nickname` when both are given, else asks. Joins
    //! `rooms` either way: a cancelled dialog leaves the window open, not connected, with the
    //! rooms listed, and Chat › Connect… later joins them.
    void startUp(const QString &server, const QString &nickname, const QStringList &rooms);
    //! Text typed in `room`'s composer and not sent (the current room's is in the composer).
    QString draft(const QString &room) const;
    RoomBrowser *roomBrowser();
    void applyPreferences(const Preferences &preferences);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildUi();
    void buildActions();
    void showRoom(const QString &room);
    void submit(const QString &text);
    void showError(const QString &text);
    void askAboutCertificate(const client::UntrustedCertificate &certificate);
    void updateCounter(int length);
    void fitPanes();
    void openPreferences();
    void showAbout();
    void joinFromEdit();
    void leaveCurrentRoom();
    void stepRoom(int delta);
    void updateTyping();
    void updateTitle();
    void updateMemberHeader();
    void showShortcuts();
    void bringToFront(const QString &room);

    client::ChatSession *m_session;
    //! The room the views show; its draft is read back from the composer on a switch.
    QString m_shownRoom;
    QHash<QString, QString> m_drafts;
    QSplitter *m_splitter = nullptr;
    QLabel *m_counter = nullptr;
    RoomBrowser *m_roomBrowser = nullptr;
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
