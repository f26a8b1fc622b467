// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "adminactions.h"
#include "appicon.h"
#include "attachmentactions.h"
#include "certificatedialog.h"
#include "changepassworddialog.h"
#include "chatsession.h"
#include "composer.h"
#include "composermodebar.h"
#include "connectdialog.h"
#include "connectionstatuslabel.h"
#include "conversationactions.h"
#include "memberdelegate.h"
#include "membermodel.h"
#include "messageactions.h"
#include "messagedelegate.h"
#include "messageformatter.h"
#include "messagemodel.h"
#include "messageview.h"
#include "pendingattachments.h"
#include "preferences.h"
#include "roombrowser.h"
#include "roomlistmodel.h"
#include "roomsession.h"
#include "roomspane.h"
#include "searchpane.h"
#include "tokenstore.h"
#include "traynotifier.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QResizeEvent>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace chatter::ui {

using client::ChatSession;

namespace {

//! Below this the message column is no longer readable; side panes give way first.
constexpr int MiddleMinimumWidth = 240;
//! How long an error stays in the status bar.
constexpr int ErrorShownMs = 10000;

//! QKeySequence::Quit is Ctrl+Q on most desktops: listing both makes the shortcut ambiguous
//! and dead. Keep each sequence once, and none already taken by another action.
QList<QKeySequence> uniqueKeys(const QList<QKeySequence> &keys, QList<QKeySequence> &taken)
{
    QList<QKeySequence> out;
    for (const QKeySequence &key : keys) {
        if (key.isEmpty() || out.contains(key) || taken.contains(key))
            continue;
        out.append(key);
        taken.append(key);
    }
    return out;
}

} // namespace

MainWindow::MainWindow(client::SocketOptions options, QWidget *parent)
    : QMainWindow(parent), m_session(new ChatSession(std::move(options), this)),
      m_tokens(std::make_unique<client::SettingsTokenStore>())
{
    setWindowIcon(appIcon());
    buildUi();
    buildActions();
    m_tray = new TrayNotifier(m_session, this);
    connect(m_tray, &TrayNotifier::activated, this, &MainWindow::bringToFront);

    connect(m_session, &ChatSession::currentRoomChanged, this, &MainWindow::showRoom);
    connect(m_session, &ChatSession::typingChanged, this, &MainWindow::updateTyping);
    connect(m_session, &ChatSession::roomModelsReplaced, this,
            [this] { showRoom(m_session->currentRoom()); });
    connect(m_session, &ChatSession::roomError, this,
            [this](const QString &room, const QString &reason) {
                showError(tr("Could not join #%1: %2").arg(room, reason));
            });
    connect(m_session, &ChatSession::sendFailed, this,
            [this](const QString &room, const QString &reason) {
                showError(room.isEmpty() ? tr("Message not sent: %1").arg(reason)
                                         : tr("Message to #%1 not sent: %2").arg(room, reason));
            });
    connect(m_session, &ChatSession::roomJoined, this, &MainWindow::updateMemberHeader);
    connect(m_session, &ChatSession::untrustedCertificate, this, &MainWindow::askAboutCertificate);
    connect(m_session, &ChatSession::sessionExpired, this, &MainWindow::sessionExpired);
    connect(m_session, &ChatSession::adminChanged, this, &MainWindow::updateAccountActions);
    connect(m_session, &ChatSession::removedFromRoom, this, [this](const QString &room) {
        showError(tr("You were removed from %1").arg(shownTitle(room)));
    });
    // Search results open where they were said: the message scrolled to and highlighted.
    connect(m_session, &ChatSession::openedAt, this, [this](const QString &room, qint64 id) {
        if (room != m_session->currentRoom())
            return;
        m_messageView->flashMessage(id);
        fillWindow();
    });
    connect(m_session, &ChatSession::newerLoaded, this, [this](const QString &room, int count) {
        if (room == m_session->currentRoom() && count > 0)
            fillWindow();
    });
    connect(m_session, &ChatSession::openFailed, this,
            [this](const QString &room, qint64, const QString &reason) {
                showError(tr("Could not open the message in %1: %2").arg(shownTitle(room), reason));
            });
    connect(m_session, &ChatSession::detachedChanged, this, [this](const QString &room, bool on) {
        if (room == m_session->currentRoom())
            m_messageView->setFollowNewest(!on);
    });
    connect(m_session->rooms(), &QAbstractItemModel::dataChanged, this, &MainWindow::updateTitle);
    connect(m_session->rooms(), &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateTitle);
    applyPreferences(Preferences::load());
    showRoom({});
    updateAccountActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildUi()
{
    // Left: join field, rooms, direct messages.
    m_roomsPane = new RoomsPane(m_session);
    m_joinEdit = m_roomsPane->joinEdit();
    m_roomView = m_roomsPane->roomView();
    m_conversationView = m_roomsPane->conversationView();
    connect(m_joinEdit, &QLineEdit::returnPressed, this, &MainWindow::joinFromEdit);
    QWidget *left = m_roomsPane;

    // Middle: title, messages, who is typing, composer.
    m_roomTitle = new QLabel;
    m_roomTitle->setObjectName(QStringLiteral("roomTitle"));
    QFont titleFont = m_roomTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_roomTitle->setFont(titleFont);
    m_messageView = new MessageView;
    connect(m_messageView, &MessageView::reachedTop, this,
            [this] { m_session->loadOlder(m_session->currentRoom()); });
    connect(m_messageView, &MessageView::reachedBottom, this,
            [this] { m_session->loadNewer(m_session->currentRoom()); });
    m_typingLabel = new QLabel;
    m_typingLabel->setObjectName(QStringLiteral("typingLabel"));
    // The palette's secondary text colour, so it stays readable on a dark desktop.
    m_typingLabel->setForegroundRole(QPalette::PlaceholderText);
    QFont typingFont = m_typingLabel->font();
    typingFont.setItalic(true);
    m_typingLabel->setFont(typingFont);
    m_typingLabel->setMinimumHeight(m_typingLabel->fontMetrics().height());
    m_counter = new QLabel;
    m_counter->setObjectName(QStringLiteral("composerCounter"));
    m_counter->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_composer = new Composer;
    m_composer->setObjectName(QStringLiteral("composer"));
    connect(m_composer, &Composer::submitted, this, &MainWindow::submit);
    connect(m_composer, &Composer::refused, this, &MainWindow::showError);
    connect(m_composer, &Composer::lengthChanged, this, &MainWindow::updateCounter);
    connect(m_composer, &Composer::edited, m_session, &ChatSession::noteTyping);
    m_modeBar = new ComposerModeBar;
    m_messageActions = new MessageActions(m_session, m_messageView, m_composer, m_modeBar, this);
    connect(m_messageActions, &MessageActions::status, this, &MainWindow::showStatus);
    m_conversationActions = new ConversationActions(m_session, this);
    m_adminActions = new AdminActions(m_session, this);
    m_attachmentActions = new AttachmentActions(m_session, m_messageView, m_composer, this);
    connect(m_attachmentActions, &AttachmentActions::status, this, &MainWindow::showStatus);
    connect(m_adminActions, &AdminActions::status, this, &MainWindow::showStatus);
    connect(m_conversationActions, &ConversationActions::status, this, &MainWindow::showStatus);
    // Read markers follow what the user sees: the newest message of the room in view.
    connect(m_messageView->verticalScrollBar(), &QScrollBar::valueChanged, this,
            &MainWindow::updateAttentive);
    connect(m_messageView->verticalScrollBar(), &QScrollBar::rangeChanged, this,
            &MainWindow::updateAttentive);
    auto *underMessages = new QHBoxLayout;
    underMessages->setContentsMargins(0, 0, 0, 0);
    underMessages->addWidget(m_typingLabel, 1);
    underMessages->addWidget(m_counter);
    auto *middle = new QWidget;
    auto *middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 6, 0, 6);
    middleLayout->addWidget(m_roomTitle);
    middleLayout->addWidget(m_messageView, 1);
    middleLayout->addLayout(underMessages);
    middleLayout->addWidget(m_modeBar);
    middleLayout->addWidget(m_attachmentActions->pending());
    auto *composerRow = new QHBoxLayout;
    composerRow->setContentsMargins(0, 0, 0, 0);
    composerRow->addWidget(m_attachmentActions->attachButton(), 0, Qt::AlignTop);
    composerRow->addWidget(m_composer, 1);
    middleLayout->addLayout(composerRow);

    // Right: members of the current room.
    m_memberHeader = new QLabel;
    m_memberHeader->setObjectName(QStringLiteral("memberHeader"));
    m_memberView = new QListView;
    m_memberView->setObjectName(QStringLiteral("memberView"));
    m_memberView->setItemDelegate(new MemberDelegate(m_memberView));
    m_memberView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_memberView->setAccessibleName(tr("Members"));
    m_memberView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_memberView, &QWidget::customContextMenuRequested, this, [this](QPoint pos) {
        QModelIndex index = m_memberView->indexAt(pos);
        // From the keyboard (Menu, Shift+F10) the menu is about the selected member.
        if (QGuiApplication::mouseButtons() == Qt::NoButton &&
            m_memberView->currentIndex().isValid()) {
            index = m_memberView->currentIndex();
            pos = m_memberView->visualRect(index).center();
        }
        std::unique_ptr<QMenu> menu(memberMenu(index));
        if (menu)
            menu->exec(m_memberView->viewport()->mapToGlobal(pos));
    });
    m_memberHeader->setBuddy(m_memberView);
    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 6, 6, 6);
    rightLayout->addWidget(m_memberHeader);
    rightLayout->addWidget(m_memberView);

    // Narrow windows take width from the side panes before the messages (fitPanes()).
    left->setMinimumWidth(90);
    right->setMinimumWidth(90);
    middle->setMinimumWidth(MiddleMinimumWidth);
    m_splitter = new QSplitter;
    m_splitter->setObjectName(QStringLiteral("paneSplitter"));
    m_splitter->addWidget(left);
    m_splitter->addWidget(middle);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setCollapsible(1, false);
    m_splitter->setSizes({180, 640, 170});
    setCentralWidget(m_splitter);

    // Not stretched: a stretched permanent widget leaves temporary messages (errors) no room.
    m_status = new ConnectionStatusLabel(m_session);
    statusBar()->addPermanentWidget(m_status);

    // Ctrl+F: search in a dock on the right, out of the panes' splitter.
    m_searchPane = new SearchPane(m_session);
    m_searchPane->setMinimumWidth(260);
    connect(m_searchPane, &SearchPane::openRequested, m_session, &ChatSession::openAtMessage);
    connect(m_searchPane, &SearchPane::closed, this, [this] {
        m_searchDock->hide();
        m_composer->setFocus();
    });
    m_searchDock = new QDockWidget(tr("Search"), this);
    m_searchDock->setObjectName(QStringLiteral("searchDock"));
    m_searchDock->setAccessibleName(tr("Search"));
    m_searchDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    m_searchDock->setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
    m_searchDock->setWidget(m_searchPane);
    addDockWidget(Qt::RightDockWidgetArea, m_searchDock);
    m_searchDock->hide();

    // Keyboard order follows the layout, left to right.
    setTabOrder(m_conversationView, m_messageView);
    setTabOrder(m_messageView, m_composer);
    setTabOrder(m_composer, m_memberView);
    resize(1000, 640);
}

void MainWindow::buildActions()
{
    QMenu *chat = menuBar()->addMenu(tr("&Chat"));
    QList<QKeySequence> taken;
    auto add = [this, &taken](QMenu *menu, const QString &name, const QString &text,
                              const QList<QKeySequence> &keys, auto slot) {
        QAction *action = menu->addAction(text);
        action->setObjectName(name);
        action->setShortcuts(uniqueKeys(keys, taken));
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    add(chat, QStringLiteral("connectAction"), tr("&Connect…"), {QKeySequence(tr("Ctrl+Shift+N"))},
        [this] { openConnectDialog(); });
    add(chat, QStringLiteral("joinAction"), tr("&Join Room…"), {QKeySequence(tr("Ctrl+J"))},
        [this] {
            m_joinEdit->setFocus();
            m_joinEdit->selectAll();
        });
    add(chat, QStringLiteral("browseAction"), tr("&Browse Rooms…"),
        {QKeySequence(tr("Ctrl+Shift+J"))}, [this] {
            roomBrowser()->show();
            roomBrowser()->raise();
            roomBrowser()->activateWindow();
        });
    add(chat, QStringLiteral("leaveAction"), tr("&Leave Room"), {QKeySequence(tr("Ctrl+W"))},
        &MainWindow::leaveCurrentRoom);
    add(chat, QStringLiteral("attachAction"), tr("&Attach Files…"), {QKeySequence(tr("Ctrl+U"))},
        [this] { m_attachmentActions->pickFiles(); });
    m_systemMessageAction =
        add(chat, QStringLiteral("systemMessageAction"), tr("Post S&ystem Message…"), {},
            [this] { m_adminActions->postSystemMessage(); });
    chat->addSeparator();
    QMenu *statusMenu = chat->addMenu(tr("&Status"));
    statusMenu->setObjectName(QStringLiteral("statusMenu"));
    m_conversationActions->addStatusTo(statusMenu);
    chat->addSeparator();
    m_changePasswordAction = add(chat, QStringLiteral("changePasswordAction"),
                                 tr("C&hange Password…"), {}, &MainWindow::changePassword);
    m_signOutAction =
        add(chat, QStringLiteral("signOutAction"), tr("Sign &Out"), {}, &MainWindow::signOut);
    chat->addSeparator();
    add(chat, QStringLiteral("preferencesAction"), tr("&Preferences…"),
        {QKeySequence::Preferences, QKeySequence(tr("Ctrl+,"))}, &MainWindow::openPreferences);
    chat->addSeparator();
    add(chat, QStringLiteral("quitAction"), tr("&Quit"),
        {QKeySequence::Quit, QKeySequence(tr("Ctrl+Q"))}, [] { QApplication::quit(); });

    QMenu *conversations = menuBar()->addMenu(tr("Con&versations"));
    m_conversationActions->addTo(conversations);
    for (QAction *action : conversations->actions())
        taken.append(action->shortcuts());
    QMenu *message = menuBar()->addMenu(tr("Me&ssage"));
    m_messageActions->addTo(message);
    for (QAction *action : message->actions())
        taken.append(action->shortcuts());

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    add(go, QStringLiteral("nextRoomAction"), tr("&Next Room"),
        {QKeySequence(tr("Ctrl+PgDown")), QKeySequence(tr("Alt+Down"))}, [this] { stepRoom(1); });
    add(go, QStringLiteral("previousRoomAction"), tr("&Previous Room"),
        {QKeySequence(tr("Ctrl+PgUp")), QKeySequence(tr("Alt+Up"))}, [this] { stepRoom(-1); });
    for (int i = 1; i <= 9; ++i) {
        auto *action = new QAction(this);
        action->setObjectName(QStringLiteral("room%1Action").arg(i));
        action->setShortcuts(uniqueKeys({QKeySequence(tr("Alt+%1").arg(i))}, taken));
        connect(action, &QAction::triggered, this, [this, i] {
            const QString room = visibleOrder().value(i - 1);
            if (!room.isEmpty())
                m_session->setCurrentRoom(room);
        });
        addAction(action);
    }
    go->addSeparator();
    add(go, QStringLiteral("roomListAction"), tr("Room &List"), {QKeySequence(tr("Ctrl+1"))},
        [this] { m_roomView->setFocus(); });
    add(go, QStringLiteral("messagesAction"), tr("&Messages"), {QKeySequence(tr("Ctrl+2"))},
        [this] { m_messageView->setFocus(); });
    add(go, QStringLiteral("composerAction"), tr("&Composer"),
        {QKeySequence(tr("Ctrl+3")), QKeySequence(tr("Ctrl+L"))},
        [this] { m_composer->setFocus(); });
    add(go, QStringLiteral("membersAction"), tr("M&embers"), {QKeySequence(tr("Ctrl+4"))},
        [this] { m_memberView->setFocus(); });
    add(go, QStringLiteral("conversationListAction"), tr("&Direct Messages"),
        {QKeySequence(tr("Ctrl+5"))}, [this] {
            if (m_conversationView->isVisible())
                m_conversationView->setFocus();
        });
    add(go, QStringLiteral("olderAction"), tr("&Older Messages"),
        {QKeySequence(tr("Ctrl+Shift+Up"))},
        [this] { m_session->loadOlder(m_session->currentRoom()); });
    add(go, QStringLiteral("newestAction"), tr("Ne&west Messages"),
        {QKeySequence(tr("Ctrl+Shift+Down"))}, [this] {
            if (client::RoomSession *room = m_session->room(m_session->currentRoom()))
                room->returnToLive();
        });
    go->addSeparator();
    add(go, QStringLiteral("searchAction"), tr("&Search Messages…"),
        {QKeySequence::Find, QKeySequence(tr("Ctrl+F"))}, &MainWindow::openSearch);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    add(help, QStringLiteral("shortcutsAction"), tr("&Keyboard Shortcuts"),
        {QKeySequence::HelpContents, QKeySequence(tr("F1"))}, &MainWindow::showShortcuts);
    add(help, QStringLiteral("aboutAction"), tr("&About Chatter"), {}, &MainWindow::showAbout);
}

void MainWindow::connectTo(const QString &server, const QString &nickname)
{
    m_messageView->messageDelegate()->setMyNickname(nickname);
    m_session->connectToServer(server, nickname);
    updateTitle();
    updateAccountActions();
    m_composer->setFocus();
}

void MainWindow::connectWithSession(const QString &server, const client::Identity &identity)
{
    m_messageView->messageDelegate()->setMyNickname(identity.user);
    m_session->connectToServer(server, identity);
    m_tokens->save(server, identity.token, [this](bool ok, const QString &error) {
        if (!ok)
            showError(tr("Could not keep the session for next time: %1").arg(error));
    });
    updateTitle();
    updateAccountActions();
    m_composer->setFocus();
}

void MainWindow::startUp(const QString &server, const QString &nickname, const QStringList &rooms)
{
    if (!server.isEmpty() && !nickname.isEmpty())
        connectTo(server, nickname);
    for (const QString &room : rooms)
        m_session->joinRoom(room.trimmed());
    if (!rooms.isEmpty())
        m_session->setCurrentRoom(rooms.first().trimmed());
    if (!server.isEmpty() && !nickname.isEmpty())
        return;
    // A session kept from last time: resumed if the server still knows its token.
    const QString last = QSettings().value(QStringLiteral("connect/server")).toString();
    if (last.isEmpty()) {
        openConnectDialog();
        return;
    }
    m_tokens->load(last, [this, last](const QString &token) {
        if (token.isEmpty()) {
            openConnectDialog();
            return;
        }
        m_session->accounts()->setServer(last);
        m_session->accounts()->whoAmI(token, [this, last,
                                              token](const client::AccountResult &result) {
            if (result.ok() && result.identity.isValid()) {
                client::Identity identity = result.identity;
                identity.token = token;
                connectWithSession(last, identity);
                return;
            }
            if (result.status == 401)
                m_tokens->remove(last, {});
            openConnectDialog(result.status == 401
                                  ? tr("Your session has ended; sign in again.")
                                  : tr("Could not resume the session: %1").arg(result.describe()));
        });
    });
}

bool MainWindow::openConnectDialog(const QString &why)
{
    ConnectDialog dialog(&m_session->certificatePins(), this);
    if (!why.isEmpty())
        dialog.setError(why);
    else if (m_session->connectionState() == ChatSession::ConnectionState::Reconnecting)
        dialog.setError(ConnectionStatusLabel::describeError(m_session->lastError()));
    if (dialog.exec() != QDialog::Accepted)
        return false;
    // Another session replaces this one: this one's token is of no more use.
    const client::Identity previous = m_session->identity();
    const QString previousServer = m_session->server();
    if (!previous.token.isEmpty() &&
        (previous.token != dialog.identity().token || previousServer != dialog.server())) {
        m_session->accounts()->signOut(previous.token, [](const client::AccountResult &) {});
        if (previousServer != dialog.server())
            m_tokens->remove(previousServer, {});
    }
    connectWithSession(dialog.server(), dialog.identity());
    return true;
}

void MainWindow::setTokenStore(std::unique_ptr<client::TokenStore> store)
{
    if (store)
        m_tokens = std::move(store);
}

void MainWindow::signOut()
{
    const QString server = m_session->server();
    if (!m_session->identity().isValid())
        return;
    // The token is forgotten whatever the server answers: signing out must never fail here.
    m_tokens->remove(server, {});
    m_session->signOut([this](const client::AccountResult &result) {
        showStatus(result.ok() ? tr("Signed out")
                               : tr("Signed out here; the server said: %1").arg(result.describe()));
        updateAccountActions();
        // Back to the question, after this callback has returned.
        QMetaObject::invokeMethod(
            this, [this] { openConnectDialog(); }, Qt::QueuedConnection);
    });
    updateAccountActions();
}

void MainWindow::sessionExpired(const QString &message)
{
    m_tokens->remove(m_session->server(), {});
    showError(message);
    updateAccountActions();
    QMetaObject::invokeMethod(
        this, [this, message] { openConnectDialog(message); }, Qt::QueuedConnection);
}

void MainWindow::changePassword()
{
    const client::Identity &identity = m_session->identity();
    if (identity.token.isEmpty() || identity.isGuest())
        return;
    ChangePasswordDialog dialog(m_session->accounts(), identity.token, this);
    if (dialog.exec() == QDialog::Accepted)
        showStatus(tr("Password changed; your other devices were signed out"));
}

void MainWindow::updateAccountActions()
{
    const client::Identity &identity = m_session->identity();
    m_signOutAction->setEnabled(identity.isValid());
    m_signOutAction->setText(identity.isValid() ? tr("Sign &Out %1").arg(identity.user)
                                                : tr("Sign &Out"));
    m_changePasswordAction->setEnabled(identity.isValid() && !identity.isGuest());
    m_systemMessageAction->setVisible(m_session->admin() != nullptr);
    m_systemMessageAction->setEnabled(m_session->admin() != nullptr);
}

QMenu *MainWindow::memberMenu(const QModelIndex &index)
{
    if (!index.isValid() || index.data(client::MemberModel::IsMeRole).toBool())
        return nullptr;
    const QString user = index.data(client::MemberModel::NickRole).toString();
    // Guests have no account to write to: only registered members get "Message".
    QAction *message =
        index.data(client::MemberModel::AccountRole).toString() == QLatin1String("guest")
            ? nullptr
            : m_conversationActions->messageAction(user, nullptr);
    if (!message && !m_session->admin())
        return nullptr;
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("memberMenu"));
    if (message) {
        message->setParent(menu);
        menu->addAction(message);
    }
    if (!m_session->admin())
        return menu;
    if (message)
        menu->addSeparator();
    m_adminActions->addMemberActions(menu, user);
    return menu;
}

void MainWindow::fillWindow()
{
    // A window of history that fits without a scroll bar can never be scrolled to its
    // bottom: its newer pages come now, until it overflows or meets the live end.
    if (!m_session->isDetached(m_session->currentRoom()))
        return;
    m_messageView->doItemsLayout();
    if (m_messageView->verticalScrollBar()->maximum() == 0)
        m_session->loadNewer(m_session->currentRoom());
}

void MainWindow::openSearch()
{
    const bool wasHidden = m_searchDock->isHidden();
    m_searchDock->show();
    m_searchDock->raise();
    if (wasHidden)
        resizeDocks({m_searchDock}, {qMax(320, width() / 3)}, Qt::Horizontal);
    m_searchPane->activate();
}

void MainWindow::showStatus(const QString &text)
{
    statusBar()->showMessage(text, ErrorShownMs);
}

void MainWindow::showRoom(const QString &room)
{
    // Each room keeps its own unsent text: Enter must never send it to the wrong room.
    if (m_shownRoom != room) {
        // An edit begun in the room left ends first, giving that room's draft back.
        m_messageActions->roomShown(room);
        if (!m_shownRoom.isEmpty() && m_session->rooms()->rowOf(m_shownRoom) >= 0)
            m_drafts.insert(m_shownRoom, m_composer->toPlainText());
        else
            m_drafts.remove(m_shownRoom);
        m_composer->setDraft(m_drafts.take(room));
        m_shownRoom = room;
    }
    m_messageView->setModel(m_session->messages(room));
    m_messageView->setFollowNewest(!m_session->isDetached(room));
    m_memberView->setModel(m_session->members(room));
    if (auto *members = m_session->members(room)) {
        connect(members, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateMemberHeader,
                Qt::UniqueConnection);
        connect(members, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateMemberHeader,
                Qt::UniqueConnection);
    }
    m_roomsPane->showCurrent(room);
    m_roomTitle->setText(room.isEmpty() ? tr("No room — press Ctrl+J to join one")
                                        : shownTitle(room));
    m_composer->setEnabled(!room.isEmpty());
    updateTyping();
    updateMemberHeader();
    updateTitle();
    updateAttentive();
}

QString MainWindow::shownTitle(const QString &room) const
{
    switch (m_session->rooms()->kind(room)) {
    case client::RoomListModel::Kind::Direct:
        return QStringLiteral("@") + m_session->titleOf(room);
    case client::RoomListModel::Kind::Group:
        return m_session->titleOf(room);
    default:
        return QStringLiteral("#") + room;
    }
}

void MainWindow::updateAttentive()
{
    // Seen means: the window is up and the list shows its newest line. A hidden or minimised
    // window, or one scrolled back in history, leaves new messages unread.
    const QScrollBar *bar = m_messageView->verticalScrollBar();
    m_session->setAttentive(isVisible() && !isMinimized() && bar->value() >= bar->maximum() - 4);
}

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::WindowStateChange)
        updateAttentive();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    updateAttentive();
}

void MainWindow::hideEvent(QHideEvent *event)
{
    QMainWindow::hideEvent(event);
    updateAttentive();
}

QStringList MainWindow::visibleOrder() const
{
    return m_roomsPane->visibleOrder();
}

QString MainWindow::draft(const QString &room) const
{
    return room == m_shownRoom ? m_composer->toPlainText() : m_drafts.value(room);
}

void MainWindow::submit(const QString &text)
{
    if (m_session->currentRoom().isEmpty()) {
        showError(tr("Message not sent: join a room first (Ctrl+J)"));
        return;
    }
    PendingAttachments *files = m_attachmentActions->pending();
    if (files->isUploading()) {
        showError(tr("Not sent yet: wait until the files have uploaded (or cancel them)"));
        return;
    }
    const QList<client::Attachment> attachments = files->ready();
    if (!attachments.isEmpty() && m_modeBar->mode() != ComposerModeBar::Mode::Edit) {
        // The files go with this message (a reply too); an edit changes words only.
        const bool reply = m_modeBar->mode() == ComposerModeBar::Mode::Reply;
        if (m_session->sendMessage(m_session->currentRoom(), text,
                                   reply ? m_modeBar->messageId() : 0, attachments)) {
            m_composer->clearSent();
            files->clear();
            if (reply)
                m_modeBar->cancel();
        }
        return;
    }
    if (m_messageActions->submit(text))
        return;
    // False means not even queued (not connected at all, say): the text stays to retry.
    if (m_session->sendMessage(text))
        m_composer->clearSent();
}

void MainWindow::showError(const QString &text)
{
    statusBar()->showMessage(text, ErrorShownMs);
}

void MainWindow::askAboutCertificate(const client::UntrustedCertificate &certificate)
{
    showError(certificate.changed()
                  ? tr("Refused: the certificate of %1 has changed since you trusted it")
                        .arg(certificate.hostPort)
                  : tr("The certificate of %1 is not trusted").arg(certificate.hostPort));
    // One question at a time: a dialog already up for this server answers it.
    for (auto *open : findChildren<CertificateDialog *>()) {
        if (open->certificate().hostPort == certificate.hostPort)
            return;
    }
    auto *dialog = new CertificateDialog(certificate, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const client::UntrustedCertificate &answered = dialog->certificate();
        if (answered.changed())
            m_session->forgetCertificate(answered.hostPort);
        else
            m_session->trustCertificate(answered);
    });
    dialog->open();
}

void MainWindow::updateCounter(int length)
{
    m_counter->setText(Composer::counterText(length));
    // Over the limit the counter turns to the palette's alarm colour and says how many.
    QPalette palette = m_counter->palette();
    const bool over = length > Composer::maxLength();
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    palette.setColor(QPalette::WindowText, over ? MessageFormatter::alarmColor(dark)
                                                : this->palette().color(QPalette::WindowText));
    m_counter->setPalette(palette);
}

RoomBrowser *MainWindow::roomBrowser()
{
    if (!m_roomBrowser)
        m_roomBrowser = new RoomBrowser(m_session, this);
    return m_roomBrowser;
}

void MainWindow::applyPreferences(const Preferences &preferences)
{
    m_tray->setNotify(preferences.notify);
    SystemPalette::instance()->setAppearance(preferences.appearance);
    QFont font = QApplication::font(m_messageView);
    font.setPointSizeF(font.pointSizeF() * preferences.messageTextPercent / 100.0);
    m_messageView->setFont(font);
    m_messageView->doItemsLayout();
}

void MainWindow::openPreferences()
{
    PreferencesDialog dialog(Preferences::load(), this);
    dialog.setTokenLocation(m_tokens->where());
    if (dialog.exec() != QDialog::Accepted)
        return;
    dialog.preferences().save();
    applyPreferences(dialog.preferences());
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Chatter"),
        tr("<h3>Chatter %1</h3><p>Chat for your local network: rooms, presence and history, "
           "with a browser client on the same server.</p><p>Built with Qt %2.</p>")
            .arg(QApplication::applicationVersion().toHtmlEscaped(),
                 QString::fromLatin1(qVersion())));
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitPanes();
}

void MainWindow::fitPanes()
{
    // QSplitter keeps the side panes' widths and takes a shrink from the stretching middle;
    // below a comfortable width it is the side panes' turn (down to their minimum).
    QList<int> sizes = m_splitter->sizes();
    if (sizes.size() != 3)
        return;
    const int total = sizes.at(0) + sizes.at(1) + sizes.at(2);
    const int wantedMiddle = qMax(MiddleMinimumWidth, total * 11 / 20);
    if (total <= 0 || sizes.at(1) >= wantedMiddle)
        return;
    const int sides = qMax(0, total - wantedMiddle);
    const int oldSides = qMax(1, sizes.at(0) + sizes.at(2));
    sizes[0] = sides * sizes.at(0) / oldSides;
    sizes[2] = sides - sizes.at(0);
    sizes[1] = total - sizes.at(0) - sizes.at(2);
    m_splitter->setSizes(sizes);
}

void MainWindow::joinFromEdit()
{
    QString room = m_joinEdit->text().trimmed();
    if (room.startsWith(QLatin1Char('#')))
        room.remove(0, 1);
    if (room.isEmpty())
        return;
    if (m_session->joinRoom(room)) {
        m_joinEdit->clear();
        m_session->setCurrentRoom(room);
        m_composer->setFocus();
    }
}

void MainWindow::leaveCurrentRoom()
{
    const QString room = m_session->currentRoom();
    if (!room.isEmpty()) {
        m_drafts.remove(room);
        m_session->leaveRoom(room);
    }
}

void MainWindow::stepRoom(int delta)
{
    const QStringList order = visibleOrder();
    const int count = int(order.size());
    if (count == 0)
        return;
    const int row = int(order.indexOf(m_session->currentRoom()));
    m_session->setCurrentRoom(order.at(((row + delta) % count + count) % count));
}

void MainWindow::updateTyping()
{
    const QStringList users = m_session->typingUsers(m_session->currentRoom());
    QString text;
    if (users.size() == 1)
        text = tr("%1 is typing…").arg(users.first());
    else if (users.size() == 2)
        text = tr("%1 and %2 are typing…").arg(users.at(0), users.at(1));
    else if (users.size() > 2)
        text = tr("several people are typing…");
    m_typingLabel->setText(text);
}

void MainWindow::updateTitle()
{
    int unread = 0;
    const client::RoomListModel *rooms = m_session->rooms();
    for (const QString &room : m_session->roomNames()) {
        // A muted conversation counts only when it names me.
        const QModelIndex index = rooms->index(rooms->rowOf(room));
        if (!rooms->isMuted(room) || index.data(client::RoomListModel::MentionedRole).toBool())
            unread += rooms->unread(room);
    }
    const QString room = m_session->currentRoom();
    QString title = room.isEmpty() ? QStringLiteral("Chatter")
                                   : QStringLiteral("%1 — Chatter").arg(shownTitle(room));
    if (unread > 0)
        title.prepend(QStringLiteral("(%1) ").arg(unread));
    setWindowTitle(title);
}

void MainWindow::updateMemberHeader()
{
    const auto *members = m_session->members(m_session->currentRoom());
    m_memberHeader->setText(tr("&Members (%1)").arg(members ? members->rowCount() : 0));
}

void MainWindow::showShortcuts()
{
    QString text = QStringLiteral("<table>");
    const auto menus = menuBar()->findChildren<QMenu *>(Qt::FindDirectChildrenOnly);
    for (const QMenu *menu : menus) {
        for (const QAction *action : menu->actions()) {
            if (action->shortcuts().isEmpty())
                continue;
            QStringList keys;
            for (const QKeySequence &key : action->shortcuts())
                keys << key.toString(QKeySequence::NativeText);
            text += QStringLiteral("<tr><td>%1</td><td>&nbsp;&nbsp;<b>%2</b></td></tr>")
                        .arg(action->text().remove(QLatin1Char('&')).toHtmlEscaped(),
                             keys.join(QStringLiteral(", ")).toHtmlEscaped());
        }
    }
    text += tr("<tr><td>Room 1–9</td><td>&nbsp;&nbsp;<b>Alt+1 … Alt+9</b></td></tr>"
               "<tr><td>Send / new line</td><td>&nbsp;&nbsp;<b>Enter / Shift+Enter</b></td></tr>"
               "<tr><td>Open a message's link</td><td>&nbsp;&nbsp;<b>Enter in the message "
               "list</b></td></tr>"
               "<tr><td>Edit your last message</td><td>&nbsp;&nbsp;<b>Up in an empty "
               "composer</b></td></tr>"
               "<tr><td>Cancel a reply or an edit</td><td>&nbsp;&nbsp;<b>Escape in the "
               "composer</b></td></tr>"
               "<tr><td>A message's actions</td><td>&nbsp;&nbsp;<b>the Menu key in the "
               "message list</b></td></tr>"
               "<tr><td>Choose a reaction</td><td>&nbsp;&nbsp;<b>Arrows, then Enter; "
               "Escape closes</b></td></tr>"
               "<tr><td>Message a member</td><td>&nbsp;&nbsp;<b>the Menu key in the "
               "member list</b></td></tr>"
               "</table>");
    QMessageBox::information(this, tr("Keyboard Shortcuts"), text);
}

void MainWindow::bringToFront(const QString &room)
{
    showNormal();
    raise();
    activateWindow();
    if (!room.isEmpty())
        m_session->setCurrentRoom(room);
}

} // namespace chatter::ui
