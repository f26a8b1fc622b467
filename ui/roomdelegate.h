// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace chatter::ui {

//! A room row: "#name", bold while it has unread messages, with a count badge (red when one
//! of them mentions me) and the current room highlighted.
class RoomDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace chatter::ui
