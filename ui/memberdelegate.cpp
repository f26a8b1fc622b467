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
    // The account kind by shape and word, not by colour alone: ★ admin, ● registered (or a
    // server that does not say), ○ guest.
    const QString role = index.data(MemberModel::AccountRole).toString();
    const bool admin = role == QLatin1String("admin");
    const bool guest = role == QLatin1String("guest");
    QString text = (admin   ? QStringLiteral("★ ")
                    : guest ? QStringLiteral("○ ")
                            : QStringLiteral("● ")) +
                   nick;
    if (admin)
        text += tr(" (admin)");
    else if (guest)
        text += tr(" (guest)");
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
