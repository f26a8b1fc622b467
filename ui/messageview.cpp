// SPDX-License-Identifier: MIT
#include "messageview.h"

#include "messagedelegate.h"
#include "messageformatter.h"
#include "messagemodel.h"

#include <QDesktopServices>
#include <QFocusEvent>
#include <QScrollBar>
#include <QUrl>

namespace chatter::ui {

MessageView::MessageView(QWidget *parent) : QListView(parent), m_delegate(new MessageDelegate(this))
{
    setObjectName(QStringLiteral("messageView"));
    setItemDelegate(m_delegate);
    setWordWrap(true);
    setResizeMode(QListView::Adjust);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setMouseTracking(true);
    setAccessibleName(tr("Messages"));
    connect(m_delegate, &MessageDelegate::linkActivated, this,
            [](const QString &url) { QDesktopServices::openUrl(QUrl(url)); });
    // Enter on a selected message opens its first link: links reachable without a mouse.
    connect(this, &QAbstractItemView::activated, this, &MessageView::openFirstLink);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        m_stickToBottom = value >= verticalScrollBar()->maximum() - 4;
        if (value == verticalScrollBar()->minimum() && verticalScrollBar()->maximum() > 0)
            Q_EMIT reachedTop();
    });
    // The range grows after layout, not at insert time: follow it when we should.
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, [this](int, int max) {
        if (m_heightBeforePrepend >= 0) {
            verticalScrollBar()->setValue(max - m_heightBeforePrepend);
            m_heightBeforePrepend = -1;
        } else if (m_stickToBottom) {
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
    if (m_stickToBottom)
        scrollToBottom();
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
