// SPDX-License-Identifier: MIT
#include "memberdelegate.h"

#include "membermodel.h"
#include "messageformatter.h"

namespace chatter::ui {

using client::MemberModel;

void MemberDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const QString nick = index.data(MemberModel::NickRole).toString();
    QString text = QStringLiteral("● ") + nick;
    if (index.data(MemberModel::IsMeRole).toBool())
        text += tr(" (you)");
    if (const int devices = index.data(MemberModel::DeviceCountRole).toInt(); devices > 1)
        text += tr(" ×%1").arg(devices);
    if (index.data(MemberModel::TypingRole).toBool()) {
        text += tr("  typing…");
        option->font.setItalic(true);
    }
    option->text = text;
    if (!(option->state & QStyle::State_Selected))
        option->palette.setColor(QPalette::Text, MessageFormatter::nickColor(
                                                     nick, option->palette.color(QPalette::Base)));
}

} // namespace chatter::ui
