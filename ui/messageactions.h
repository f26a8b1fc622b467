// SPDX-License-Identifier: MIT
#pragma once

#include <QModelIndex>
#include <QObject>
#include <QPointer>

#include <functional>

class QAction;
class QMenu;
class QWidget;

namespace chatter::client {
class ChatSession;
} // namespace chatter::client

namespace chatter::ui {

class Composer;
class ComposerModeBar;
class MessageView;
class ReactionPicker;

//! What the user can do to a message (docs/conversations.md): reply, edit, delete (after a
//! confirmation), react through a small emoji picker, go to the message a reply quotes. Each
//! is an action with a shortcut (on the selected message, else the newest), in the message
//! list's context menu and in the window's Message menu. Replies and edits are written in the
//! composer, with ComposerModeBar saying which. GUI thread; owned by the window.
class MessageActions : public QObject
{
    Q_OBJECT
public:
    MessageActions(client::ChatSession *session, MessageView *view, Composer *composer,
                   ComposerModeBar *bar, QWidget *window);

    //! Puts the actions into `menu` (the window's Message menu).
    void addTo(QMenu *menu);
    //! The context menu for the message at `index`; null on a line with nothing to do. The
    //! caller owns it.
    QMenu *contextMenu(const QModelIndex &index);
    //! Enter in the composer: sends the reply or saves the edit and returns true; false when
    //! neither is being written (the window sends plainly).
    bool submit(const QString &text);

    void startReply(const QModelIndex &index);
    void startEdit(const QModelIndex &index);
    //! Up in an empty composer: edits my newest message.
    void editLast();
    //! Asks, then deletes.
    void confirmDelete(const QModelIndex &index);
    //! Opens the emoji picker for the message; the one picked is toggled.
    void pickReaction(const QModelIndex &index);
    //! Adds my `emoji` to the message or takes it back (a click on a reaction chip).
    void toggleReaction(const QModelIndex &index, const QString &emoji);
    //! Scrolls to message `id` of the current room and selects it, loading older pages while
    //! it is not held yet (a click on a quote).
    void jumpTo(qint64 id);
    //! The picker opened last (tests drive it); null when none is open.
    ReactionPicker *picker() const;
    //! The conversation in view changed: a reply or edit begun elsewhere ends.
    void roomShown(const QString &room);
    //! Escape in the composer.
    void cancel();

Q_SIGNALS:
    //! Something to tell the user in the status bar.
    void status(const QString &text);

private:
    using Slot = std::function<void(MessageActions *, const QModelIndex &)>;
    QAction *addAction(const QString &name, const QString &text, const QKeySequence &key,
                       Slot slot);
    //! The selected message, else the newest chat message; invalid when there is none.
    QModelIndex target() const;
    bool canEdit(const QModelIndex &index) const;
    bool canDelete(const QModelIndex &index) const;
    static bool isMessage(const QModelIndex &index);
    void reportFailure(const QString &what, bool ok, const QString &reason);
    void continueJump();

    client::ChatSession *m_session;
    MessageView *m_view;
    Composer *m_composer;
    ComposerModeBar *m_bar;
    QWidget *m_window;
    QList<QAction *> m_actions;
    QPointer<ReactionPicker> m_picker;
    //! What the composer held before an edit replaced it; back when the edit ends.
    QString m_draftBeforeEdit;
    //! A jump waiting for older pages: the room, the id, pages still allowed.
    QString m_jumpRoom;
    qint64 m_jumpId = 0;
    int m_jumpPagesLeft = 0;
};

} // namespace chatter::ui
