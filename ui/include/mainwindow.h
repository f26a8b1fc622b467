// SPDX-License-Identifier: MIT
#pragma once

#include "socketoptions.h"

#include <QHash>
#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QLineEdit;
class QListView;
class QSplitter;

namespace chatter::client {
class ChatSession;
class TokenStore;
struct Identity;
struct UntrustedCertificate;
} // namespace chatter::client

namespace chatter::ui {

class AdminActions;
class AttachmentActions;
class Composer;
class ComposerModeBar;
class ConnectionStatusLabel;
class ConversationActions;
class MessageActions;
class RoomsPane;
class MessageView;
class RoomBrowser;
class SearchPane;
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
    //! Connects as a bare guest (no session): `--server` and `--nick` on the command line.
    void connectTo(const QString &server, const QString &nickname);
    //! Connects with a session and keeps its token (only the token) in the token store.
    void connectWithSession(const QString &server, const client::Identity &identity);
    //! Shows the connect dialog; connects if the user accepts. False if cancelled.
    bool openConnectDialog(const QString &why = {});
    //! First start: connects to `server` as `nickname` when both are given; else resumes the
    //! session kept for the last server if the server still knows its token; else asks. Joins
    //! `rooms` either way: a cancelled dialog leaves the window open, not connected, with the
    //! rooms listed, and Chat › Connect… later joins them.
    void startUp(const QString &server, const QString &nickname, const QStringList &rooms);
    //! Where session tokens are kept (the settings file until main() chooses the keychain).
    void setTokenStore(std::unique_ptr<client::TokenStore> store);
    client::TokenStore *tokenStore() const { return m_tokens.get(); }
    //! Chat › Sign Out: revokes the session on the server, forgets its token, asks again.
    void signOut();
    //! The context menu of a member row (admins: Disconnect, Ban…, Unban); null when it would
    //! be empty. The caller owns it.
    QMenu *memberMenu(const QModelIndex &index);
    //! Text typed in `room`'s composer and not sent (the current room's is in the composer).
    QString draft(const QString &room) const;
    RoomBrowser *roomBrowser();
    void applyPreferences(const Preferences &preferences);
    //! Reply, edit, delete, react (the Message menu and the message list's context menu).
    MessageActions *messageActions() const { return m_messageActions; }
    ConversationActions *conversationActions() const { return m_conversationActions; }
    //! Attaching, showing and saving files.
    AttachmentActions *attachmentActions() const { return m_attachmentActions; }
    //! Ctrl+F: the search pane (a dock on the right), shown and focused.
    void openSearch();
    SearchPane *searchPane() const { return m_searchPane; }

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

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
    void updateAccountActions();
    void changePassword();
    void sessionExpired(const QString &message);
    void showStatus(const QString &text);
    //! A window of history shorter than the view loads its newer pages (nothing to scroll).
    void fillWindow();
    //! Tells the session whether the user sees the newest message of the room in view.
    void updateAttentive();
    //! Every conversation in the order the left pane shows them: rooms, then the others.
    QStringList visibleOrder() const;
    QString shownTitle(const QString &room) const;

    client::ChatSession *m_session;
    std::unique_ptr<client::TokenStore> m_tokens;
    QAction *m_signOutAction = nullptr;
    QAction *m_changePasswordAction = nullptr;
    QAction *m_systemMessageAction = nullptr;
    //! The room the views show; its draft is read back from the composer on a switch.
    QString m_shownRoom;
    QHash<QString, QString> m_drafts;
    QSplitter *m_splitter = nullptr;
    QLabel *m_counter = nullptr;
    RoomBrowser *m_roomBrowser = nullptr;
    QLineEdit *m_joinEdit = nullptr;
    RoomsPane *m_roomsPane = nullptr;
    QListView *m_roomView = nullptr;
    QListView *m_conversationView = nullptr;
    ComposerModeBar *m_modeBar = nullptr;
    MessageActions *m_messageActions = nullptr;
    ConversationActions *m_conversationActions = nullptr;
    AdminActions *m_adminActions = nullptr;
    AttachmentActions *m_attachmentActions = nullptr;
    QLabel *m_roomTitle = nullptr;
    MessageView *m_messageView = nullptr;
    QLabel *m_typingLabel = nullptr;
    Composer *m_composer = nullptr;
    QLabel *m_memberHeader = nullptr;
    QListView *m_memberView = nullptr;
    ConnectionStatusLabel *m_status = nullptr;
    TrayNotifier *m_tray = nullptr;
    SearchPane *m_searchPane = nullptr;
    QDockWidget *m_searchDock = nullptr;
};

} // namespace chatter::ui
