// SPDX-License-Identifier: MIT
#include "adminprompt.h"

#include "bandialog.h"
#include "systemmessagedialog.h"

#include <QInputDialog>
#include <QMessageBox>

namespace chatter::monitor {

bool DialogPrompt::confirm(QWidget *parent, const QString &title, const QString &text)
{
    return QMessageBox::question(parent, title, text, QMessageBox::Yes | QMessageBox::Cancel,
                                 QMessageBox::Cancel) == QMessageBox::Yes;
}

std::optional<QString> DialogPrompt::chooseTopic(QWidget *parent, const QStringList &topics)
{
    bool ok = false;
    const QString topic =
        QInputDialog::getItem(parent, QObject::tr("Remove from room"),
                              QObject::tr("Remove the socket from:"), topics, 0, false, &ok);
    if (!ok || topic.isEmpty())
        return std::nullopt;
    return topic;
}

std::optional<SystemMessageRequest>
DialogPrompt::systemMessage(QWidget *parent, const QStringList &rooms, const QString &suggestedRoom)
{
    SystemMessageDialog dialog(rooms, suggestedRoom, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.request();
}

std::optional<BanRequest> DialogPrompt::ban(QWidget *parent, const QString &nickname,
                                            const QHostAddress &address)
{
    BanDialog dialog(nickname, address, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.request();
}

} // namespace chatter::monitor
