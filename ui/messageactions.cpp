// SPDX-License-Identifier: MIT
#include "messageactions.h"

#include "chatsession.h"
#include "composer.h"
#include "composermodebar.h"
#include "messagemodel.h"
#include "messageview.h"
#include "reactionpicker.h"

#include <QAction>
#include <QGuiApplication>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>

namespace chatter::ui {

using client::MessageModel;

namespace {

//! A quote far back in time loads at most this many older pages (50 messages each).
constexpr int JumpPageLimit = 20;

} // namespace

MessageActions::MessageActions(client::ChatSession *session, MessageView *view, Composer *composer,
                               ComposerModeBar *bar, QWidget *window)
    : QObject(window), m_session(session), m_view(view), m_composer(composer), m_bar(bar),
      m_window(window)
{
    addAction(QStringLiteral("replyAction"), tr("&Reply"), QKeySequence(tr("Ctrl+R")),
              [](MessageActions *self, const QModelIndex &i) { self->startReply(i); });
    addAction(QStringLiteral("editAction"), tr("&Edit"), QKeySequence(tr("Ctrl+E")),
              [](MessageActions *self, const QModelIndex &i) { self->startEdit(i); });
    QAction *remove = addAction(
        QStringLiteral("deleteAction"), tr("&Delete…"), QKeySequence(QKeySequence::Delete),
        [](MessageActions *self, const QModelIndex &i) { self->confirmDelete(i); });
    // Delete is text editing everywhere else: it acts on messages only in the message list.
    remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(remove);
    addAction(QStringLiteral("reactAction"), tr("Add Re&action…"), QKeySequence(tr("Ctrl+Shift+E")),
              [](MessageActions *self, const QModelIndex &i) { self->pickReaction(i); });
    addAction(QStringLiteral("jumpToParentAction"), tr("&Go to Replied Message"),
              QKeySequence(tr("Ctrl+G")), [](MessageActions *self, const QModelIndex &index) {
                  self->jumpTo(index.data(MessageModel::ReplyToRole).toLongLong());
              });

    connect(m_composer, &Composer::editLastRequested, this, &MessageActions::editLast);
    connect(m_composer, &Composer::cancelRequested, this, &MessageActions::cancel);
    connect(m_bar, &ComposerModeBar::cancelled, this, [this] {
        if (!m_draftBeforeEdit.isNull())
            m_composer->setDraft(std::exchange(m_draftBeforeEdit, QString()));
    });
    // The painted quote box and reaction chips (MessageView's hit-testing).
    connect(m_view, &MessageView::quoteClicked, this, &MessageActions::jumpTo);
    connect(m_view, &MessageView::reactionClicked, this, [this](int row, const QString &emoji) {
        if (const QAbstractItemModel *model = m_view->model())
            toggleReaction(model->index(row, 0), emoji);
    });
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        // From the keyboard (Menu, Shift+F10) the menu is about the selected message.
        QModelIndex index = m_view->indexAt(pos);
        QPoint at = pos;
        if (QGuiApplication::mouseButtons() == Qt::NoButton && m_view->currentIndex().isValid()) {
            index = m_view->currentIndex();
            at = m_view->visualRect(index).center();
        }
        std::unique_ptr<QMenu> menu(contextMenu(index));
        if (menu)
            menu->exec(m_view->viewport()->mapToGlobal(at));
    });
    connect(m_session, &client::ChatSession::olderLoaded, this, [this](const QString &room, int) {
        if (room == m_jumpRoom)
            continueJump();
    });
}

QAction *MessageActions::addAction(const QString &name, const QString &text,
                                   const QKeySequence &key, Slot slot)
{
    auto *action = new QAction(text, this);
    action->setObjectName(name);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, [this, slot] { slot(this, target()); });
    m_actions.append(action);
    return action;
}

void MessageActions::addTo(QMenu *menu)
{
    menu->addActions(m_actions);
    // Window shortcuts need the action on a widget of the window; the menu is one.
}

bool MessageActions::isMessage(const QModelIndex &index)
{
    return index.isValid() && !index.data(MessageModel::SystemRole).toBool() &&
           !index.data(MessageModel::PendingRole).toBool() &&
           !index.data(MessageModel::DeletedRole).toBool() &&
           index.data(MessageModel::IdRole).toLongLong() > 0;
}

QModelIndex MessageActions::target() const
{
    const QAbstractItemModel *model = m_view->model();
    if (!model)
        return {};
    if (isMessage(m_view->currentIndex()))
        return m_view->currentIndex();
    for (int row = model->rowCount() - 1; row >= 0; --row) {
        const QModelIndex index = model->index(row, 0);
        if (isMessage(index))
            return index;
    }
    return {};
}

bool MessageActions::canEdit(const QModelIndex &index) const
{
    return isMessage(index) && index.data(MessageModel::OwnRole).toBool();
}

bool MessageActions::canDelete(const QModelIndex &index) const
{
    // Admins may delete anyone's message; the server says no to everyone else's.
    return isMessage(index) &&
           (index.data(MessageModel::OwnRole).toBool() || m_session->identity().isAdmin());
}

QMenu *MessageActions::contextMenu(const QModelIndex &index)
{
    if (!isMessage(index))
        return nullptr;
    auto *menu = new QMenu(m_window);
    menu->setObjectName(QStringLiteral("messageMenu"));
    const QPersistentModelIndex at(index);
    auto add = [this, menu, at](const QString &name, const QString &text, const QKeySequence &key,
                                auto slot) {
        QAction *action = menu->addAction(text);
        action->setObjectName(name);
        action->setShortcut(key); // shown, not active: the window's actions hold the keys
        connect(action, &QAction::triggered, this, [this, at, slot] {
            if (at.isValid())
                slot(this, QModelIndex(at));
        });
        return action;
    };
    add(QStringLiteral("replyMenuAction"), tr("&Reply"), QKeySequence(tr("Ctrl+R")),
        [](MessageActions *self, const QModelIndex &i) { self->startReply(i); });
    add(QStringLiteral("reactMenuAction"), tr("Add Re&action…"), QKeySequence(tr("Ctrl+Shift+E")),
        [](MessageActions *self, const QModelIndex &i) { self->pickReaction(i); });
    if (index.data(MessageModel::ReplyToRole).toLongLong() > 0)
        add(QStringLiteral("jumpMenuAction"), tr("&Go to Replied Message"),
            QKeySequence(tr("Ctrl+G")), [](MessageActions *self, const QModelIndex &i) {
                self->jumpTo(i.data(MessageModel::ReplyToRole).toLongLong());
            });
    if (canEdit(index))
        add(QStringLiteral("editMenuAction"), tr("&Edit"), QKeySequence(tr("Ctrl+E")),
            [](MessageActions *self, const QModelIndex &i) { self->startEdit(i); });
    if (canDelete(index)) {
        menu->addSeparator();
        add(QStringLiteral("deleteMenuAction"), tr("&Delete…"), QKeySequence(QKeySequence::Delete),
            [](MessageActions *self, const QModelIndex &i) { self->confirmDelete(i); });
    }
    return menu;
}

void MessageActions::startReply(const QModelIndex &index)
{
    if (!isMessage(index))
        return;
    m_bar->cancel();
    m_bar->startReply(m_session->currentRoom(), index.data(MessageModel::IdRole).toLongLong(),
                      index.data(MessageModel::UserRole).toString(),
                      index.data(MessageModel::BodyRole).toString());
    m_composer->setFocus();
}

void MessageActions::startEdit(const QModelIndex &index)
{
    if (!canEdit(index))
        return;
    m_bar->cancel();
    m_draftBeforeEdit = m_composer->toPlainText();
    if (m_draftBeforeEdit.isNull())
        m_draftBeforeEdit = QLatin1String("");
    m_bar->startEdit(m_session->currentRoom(), index.data(MessageModel::IdRole).toLongLong());
    m_composer->setDraft(index.data(MessageModel::BodyRole).toString());
    m_composer->setFocus();
}

void MessageActions::editLast()
{
    const auto *model = m_session->messages(m_session->currentRoom());
    if (!model)
        return;
    const int row = model->lastOwnEditableRow();
    if (row >= 0)
        startEdit(model->index(row));
}

void MessageActions::cancel()
{
    m_bar->cancel();
}

void MessageActions::roomShown(const QString &room)
{
    if (m_bar->mode() != ComposerModeBar::Mode::None && m_bar->room() != room)
        m_bar->cancel(); // an edit puts the draft it replaced back into the composer
    if (room != m_jumpRoom)
        m_jumpRoom.clear();
}

bool MessageActions::submit(const QString &text)
{
    const QString room = m_session->currentRoom();
    const qint64 id = m_bar->messageId();
    switch (m_bar->mode()) {
    case ComposerModeBar::Mode::None:
        return false;
    case ComposerModeBar::Mode::Reply:
        if (m_session->sendMessage(room, text, id)) {
            m_composer->clearSent();
            m_bar->cancel();
        }
        return true;
    case ComposerModeBar::Mode::Edit:
        m_session->editMessage(room, id, text, [this](bool ok, const QString &reason) {
            reportFailure(tr("Not edited"), ok, reason);
        });
        m_composer->clearSent();
        m_bar->cancel(); // brings the draft from before back
        return true;
    }
    return false;
}

void MessageActions::confirmDelete(const QModelIndex &index)
{
    if (!canDelete(index))
        return;
    const QString room = m_session->currentRoom();
    const qint64 id = index.data(MessageModel::IdRole).toLongLong();
    QMessageBox box(QMessageBox::Question, tr("Delete Message"),
                    tr("Delete this message for everyone? It is shown as deleted and cannot be "
                       "brought back."),
                    QMessageBox::NoButton, m_window);
    box.setObjectName(QStringLiteral("deleteConfirmation"));
    QPushButton *yes = box.addButton(tr("&Delete"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmDeleteButton"));
    box.setDefaultButton(box.addButton(QMessageBox::Cancel));
    box.exec();
    if (box.clickedButton() != yes)
        return;
    m_session->deleteMessage(room, id, [this](bool ok, const QString &reason) {
        reportFailure(tr("Not deleted"), ok, reason);
    });
}

void MessageActions::pickReaction(const QModelIndex &index)
{
    if (!isMessage(index))
        return;
    QStringList mine;
    for (const QVariant &chip : index.data(MessageModel::ReactionsRole).toList()) {
        const QVariantMap map = chip.toMap();
        if (map.value(QStringLiteral("mine")).toBool())
            mine << map.value(QStringLiteral("emoji")).toString();
    }
    if (m_picker)
        m_picker->close();
    m_picker = new ReactionPicker(m_window);
    m_picker->setAttribute(Qt::WA_DeleteOnClose);
    m_picker->setMine(mine);
    const QPersistentModelIndex at(index);
    connect(m_picker, &ReactionPicker::picked, this, [this, at](const QString &emoji) {
        if (at.isValid())
            toggleReaction(QModelIndex(at), emoji);
        m_view->setFocus();
    });
    m_view->scrollTo(index);
    const QRect rect = m_view->visualRect(index);
    m_picker->popup(m_view->viewport()->mapToGlobal(rect.bottomLeft() + QPoint(24, 0)));
}

void MessageActions::toggleReaction(const QModelIndex &index, const QString &emoji)
{
    if (!isMessage(index))
        return;
    m_session->toggleReaction(m_session->currentRoom(),
                              index.data(MessageModel::IdRole).toLongLong(), emoji,
                              [this](bool ok, const QString &reason) {
                                  reportFailure(tr("Reaction not changed"), ok, reason);
                              });
}

void MessageActions::jumpTo(qint64 id)
{
    if (id <= 0)
        return;
    m_jumpRoom = m_session->currentRoom();
    m_jumpId = id;
    m_jumpPagesLeft = JumpPageLimit;
    continueJump();
}

void MessageActions::continueJump()
{
    const QString room = m_jumpRoom;
    const client::MessageModel *model = m_session->messages(room);
    if (room.isEmpty() || room != m_session->currentRoom() || !model) {
        m_jumpRoom.clear();
        return;
    }
    // Lay prepended pages out first: the view keeps the reader's place after a prepend,
    // which would undo the scroll if it came later.
    m_view->doItemsLayout();
    if (m_view->showMessage(m_jumpId)) {
        m_jumpRoom.clear();
        m_view->setFocus();
        return;
    }
    if (!m_session->hasOlder(room) || m_jumpPagesLeft-- <= 0) {
        m_jumpRoom.clear();
        Q_EMIT status(tr("The replied message is no longer in the history"));
        return;
    }
    // Wait for the page (olderLoaded); one may already be on its way.
    if (m_session->canLoadOlder(room))
        m_session->loadOlder(room);
}

ReactionPicker *MessageActions::picker() const
{
    return m_picker;
}

void MessageActions::reportFailure(const QString &what, bool ok, const QString &reason)
{
    if (!ok)
        Q_EMIT status(tr("%1: %2").arg(what, reason));
}

} // namespace chatter::ui
