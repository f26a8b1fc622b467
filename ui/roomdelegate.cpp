// SPDX-License-Identifier: MIT
#include "roomdelegate.h"

#include "messageformatter.h"
#include "roomlistmodel.h"

#include <QApplication>
#include <QPainter>

namespace chatter::ui {

using client::RoomListModel;

void RoomDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    // A muted conversation shows no badge unless an unread message names me.
    const bool muted = index.data(RoomListModel::MutedRole).toBool();
    const bool mentioned = index.data(RoomListModel::MentionedRole).toBool();
    const int unread = muted && !mentioned ? 0 : index.data(RoomListModel::UnreadRole).toInt();
    const bool current = index.data(RoomListModel::CurrentRole).toBool();
    const auto status = RoomListModel::Status(index.data(RoomListModel::StatusRole).toInt());
    opt.text.clear();
    // The current room is the selection too, so the style paints its highlight.
    if (current)
        opt.state |= QStyle::State_Selected;
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    QFont font = opt.font;
    font.setBold(unread > 0 || current);
    painter->setFont(font);
    QColor text = current ? opt.palette.highlightedText().color() : opt.palette.text().color();
    if (status == RoomListModel::Status::Error && !current)
        text = MessageFormatter::alarmColor(MessageFormatter::isDark(opt.palette));
    else if (status == RoomListModel::Status::Joining || (muted && !current))
        text.setAlpha(140);
    painter->setPen(text);
    QRect textRect = opt.rect.adjusted(10, 0, -8, 0);
    if (unread > 0) {
        const QString count = unread > 99 ? QStringLiteral("99+") : QString::number(unread);
        QFont badgeFont = font;
        badgeFont.setPointSizeF(font.pointSizeF() * 0.85);
        const int w = QFontMetrics(badgeFont).horizontalAdvance(count) + 12;
        const int h = QFontMetrics(badgeFont).height() + 2;
        const QRect badge(textRect.right() - w, opt.rect.center().y() - h / 2, w, h);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(mentioned ? QColor(211, 47, 47) : QColor(97, 97, 97));
        painter->drawRoundedRect(badge, h / 2.0, h / 2.0);
        painter->setPen(Qt::white);
        painter->setFont(badgeFont);
        painter->drawText(badge, Qt::AlignCenter, count);
        painter->setFont(font);
        painter->setPen(text);
        textRect.setRight(badge.left() - 6);
    }
    const QString title = index.data(RoomListModel::TitleRole).toString();
    QString name;
    switch (RoomListModel::Kind(index.data(RoomListModel::KindRole).toInt())) {
    case RoomListModel::Kind::Direct:
        name = QStringLiteral("@ ") + title;
        break;
    case RoomListModel::Kind::Group:
        name = title;
        break;
    case RoomListModel::Kind::PrivateRoom:
        name = QStringLiteral("🔒 ") + title;
        break;
    case RoomListModel::Kind::Room:
        name = QStringLiteral("# ") + title;
        break;
    }
    if (muted)
        name += tr(" (muted)");
    painter->drawText(textRect, Qt::AlignVCenter | Qt::AlignLeft,
                      painter->fontMetrics().elidedText(name, Qt::ElideRight, textRect.width()));
    painter->restore();
}

QSize RoomDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QSize base = QStyledItemDelegate::sizeHint(option, index);
    return QSize(base.width() + 40, qMax(base.height(), option.fontMetrics.height() + 12));
}

} // namespace chatter::ui
