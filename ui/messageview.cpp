// SPDX-License-Identifier: MIT
#include "messageview.h"

#include "messagedelegate.h"
#include "messageformatter.h"
#include "messagemodel.h"

#include <QDesktopServices>
#include <QDragEnterEvent>
#include <QFocusEvent>
#include <QMimeData>
#include <QScrollBar>
#include <QTimer>
#include <QUrl>

namespace chatter::ui {

MessageView::MessageView(QWidget *parent)
    : QListView(parent), m_delegate(new MessageDelegate(this)), m_flashTimer(new QTimer(this))
{
    m_flashTimer->setSingleShot(true);
    m_flashTimer->setInterval(FlashMs);
    connect(m_flashTimer, &QTimer::timeout, this, [this] {
        const int row = rowOfId(std::exchange(m_flashedId, 0));
        if (row >= 0 && selectionModel() && selectionModel()->isRowSelected(row))
            clearSelection();
    });
    setObjectName(QStringLiteral("messageView"));
    setItemDelegate(m_delegate);
    setWordWrap(true);
    setResizeMode(QListView::Adjust);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setMouseTracking(true);
    // Hovered rows get a tint and a grouped line its time (State_MouseOver), whatever the style.
    viewport()->setAttribute(Qt::WA_Hover);
    setAccessibleName(tr("Messages"));
    connect(m_delegate, &MessageDelegate::linkActivated, this,
            [](const QString &url) { QDesktopServices::openUrl(QUrl(url)); });
    connect(m_delegate, &MessageDelegate::quoteActivated, this, &MessageView::quoteClicked);
    connect(m_delegate, &MessageDelegate::reactionActivated, this, &MessageView::reactionClicked);
    connect(m_delegate, &MessageDelegate::attachmentActivated, this,
            &MessageView::attachmentClicked);
    connect(m_delegate, &MessageDelegate::saveRequested, this, &MessageView::saveClicked);
    setAcceptDrops(true);
    setDragDropMode(QAbstractItemView::DropOnly);
    // Enter on a selected message opens its first link: links reachable without a mouse.
    connect(this, &QAbstractItemView::activated, this, &MessageView::openFirstLink);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        m_stickToBottom = value >= verticalScrollBar()->maximum() - 4;
        if (value == verticalScrollBar()->minimum() && verticalScrollBar()->maximum() > 0)
            Q_EMIT reachedTop();
        if (value == verticalScrollBar()->maximum() && verticalScrollBar()->maximum() > 0)
            Q_EMIT reachedBottom();
    });
    // The range grows after layout, not at insert time: follow it when we should.
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, [this](int, int max) {
        if (m_heightBeforePrepend >= 0) {
            verticalScrollBar()->setValue(max - m_heightBeforePrepend);
            m_heightBeforePrepend = -1;
        } else if (m_stickToBottom && m_followNewest) {
            verticalScrollBar()->setValue(max);
        }
    });
}

void MessageView::setModel(QAbstractItemModel *model)
{
    if (QAbstractItemModel *old = this->model())
        old->disconnect(this);
    QListView::setModel(model);
    m_stickToBottom = true;
    if (!model)
        return;
    connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this, &MessageView::beforeInsert);
    connect(model, &QAbstractItemModel::rowsInserted, this, &MessageView::afterInsert);
    scrollToBottom();
}

void MessageView::beforeInsert(const QModelIndex &, int first)
{
    // A prepend (history page) must not move what the reader is looking at.
    if (first == 0 && model()->rowCount() > 0)
        m_heightBeforePrepend = verticalScrollBar()->maximum() - verticalScrollBar()->value();
}

void MessageView::afterInsert(const QModelIndex &, int, int)
{
    if (m_stickToBottom && m_followNewest)
        scrollToBottom();
}

QStyleOptionViewItem MessageView::optionFor(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    initViewItemOption(&option);
    option.rect = visualRect(index);
    return option;
}

qint64 MessageView::quoteAt(const QPoint &pos) const
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid())
        return 0;
    const MessageDelegate::Hit hit = m_delegate->hitTest(optionFor(index), index, pos);
    return hit.kind == MessageDelegate::Hit::Kind::Quote ? hit.value.toLongLong() : 0;
}

MessageView::ReactionHit MessageView::reactionAt(const QPoint &pos) const
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid())
        return {};
    const MessageDelegate::Hit hit = m_delegate->hitTest(optionFor(index), index, pos);
    if (hit.kind != MessageDelegate::Hit::Kind::Reaction)
        return {};
    return {index.row(), hit.value};
}

QRect MessageView::quoteRect(int row) const
{
    const QModelIndex index = model() ? model()->index(row, 0) : QModelIndex();
    return index.isValid() ? m_delegate->geometry(optionFor(index), index).quote : QRect();
}

QRect MessageView::reactionRect(int row, const QString &emoji) const
{
    const QModelIndex index = model() ? model()->index(row, 0) : QModelIndex();
    if (!index.isValid())
        return {};
    for (const auto &[chipEmoji, chip] : m_delegate->geometry(optionFor(index), index).reactions) {
        if (chipEmoji == emoji)
            return chip;
    }
    return {};
}

QRect MessageView::bodyRect(int row) const
{
    const QModelIndex index = model() ? model()->index(row, 0) : QModelIndex();
    return index.isValid() ? m_delegate->geometry(optionFor(index), index).body : QRect();
}

QRect MessageView::avatarRect(int row) const
{
    const QModelIndex index = model() ? model()->index(row, 0) : QModelIndex();
    return index.isValid() ? m_delegate->geometry(optionFor(index), index).avatar : QRect();
}

QRect MessageView::attachmentRect(int row, int i) const
{
    const QModelIndex index = model() ? model()->index(row, 0) : QModelIndex();
    if (!index.isValid())
        return {};
    const QList<QRect> boxes = m_delegate->geometry(optionFor(index), index).attachments;
    return i >= 0 && i < boxes.size() ? boxes.at(i) : QRect();
}

QRect MessageView::saveRect(int row, int i) const
{
    const QModelIndex index = model() ? model()->index(row, 0) : QModelIndex();
    if (!index.isValid())
        return {};
    const QList<QRect> buttons = m_delegate->geometry(optionFor(index), index).saveButtons;
    return i >= 0 && i < buttons.size() ? buttons.at(i) : QRect();
}

QStringList MessageView::localFiles(const QMimeData *mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl &url : mime->urls()) {
        if (url.isLocalFile() && !url.toLocalFile().isEmpty())
            paths.append(url.toLocalFile());
    }
    return paths;
}

void MessageView::dragEnterEvent(QDragEnterEvent *event)
{
    if (localFiles(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
}

void MessageView::dragMoveEvent(QDragMoveEvent *event)
{
    if (localFiles(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
}

void MessageView::dropEvent(QDropEvent *event)
{
    const QStringList paths = localFiles(event->mimeData());
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    Q_EMIT filesDropped(paths);
}

int MessageView::rowOfId(qint64 id) const
{
    if (!model() || id <= 0)
        return -1;
    // Ids grow with the rows; a linear walk from the newest finds recent parents first.
    for (int row = model()->rowCount() - 1; row >= 0; --row) {
        if (model()->index(row, 0).data(client::MessageModel::IdRole).toLongLong() == id)
            return row;
    }
    return -1;
}

bool MessageView::showMessage(qint64 id)
{
    const int row = rowOfId(id);
    if (row < 0)
        return false;
    const QModelIndex index = model()->index(row, 0);
    m_stickToBottom = false;
    scrollTo(index, QAbstractItemView::PositionAtCenter);
    selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect);
    return true;
}

bool MessageView::flashMessage(qint64 id)
{
    if (!showMessage(id))
        return false;
    m_flashedId = id;
    m_flashTimer->start();
    return true;
}

qint64 MessageView::flashedId() const
{
    // The user selected something else: the highlight is over.
    const int row = rowOfId(m_flashedId);
    return row >= 0 && selectionModel() && selectionModel()->isRowSelected(row) ? m_flashedId : 0;
}

void MessageView::resizeEvent(QResizeEvent *event)
{
    const bool stick = m_stickToBottom;
    QListView::resizeEvent(event);
    if (stick)
        scrollToBottom();
}

void MessageView::focusInEvent(QFocusEvent *event)
{
    // Without a current index Qt draws no focus and Down starts at the oldest line.
    if (model() && model()->rowCount() > 0 && !currentIndex().isValid()) {
        const QModelIndex newest = model()->index(model()->rowCount() - 1, 0);
        selectionModel()->setCurrentIndex(newest, QItemSelectionModel::NoUpdate);
        scrollTo(newest);
    }
    QListView::focusInEvent(event);
}

void MessageView::openFirstLink(const QModelIndex &index)
{
    const QString link =
        MessageFormatter::firstLink(index.data(client::MessageModel::BodyRole).toString());
    if (!link.isEmpty())
        QDesktopServices::openUrl(QUrl(link));
}

} // namespace chatter::ui
