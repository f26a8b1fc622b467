// SPDX-License-Identifier: MIT
#pragma once

#include <QStyledItemDelegate>

namespace chatter::ui {

//! A member row: ★ admin, ● registered, ○ guest (with the word), the nickname in its colour,
//! "(you)" for me, "typing…" while typing, and the number of devices when there is more than one.
class MemberDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace chatter::ui
