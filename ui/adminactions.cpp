// SPDX-License-Identifier: MIT
#include "adminactions.h"

#include "adminchannel.h"
#include "bandialog.h"
#include "chatsession.h"

#include <QAction>
#include <QInputDialog>
#include <QJsonValue>
#include <QMenu>

namespace chatter::ui {

AdminActions::AdminActions(client::ChatSession *session, QWidget *window)
    : QObject(window), m_session(session), m_window(window)
{}

void AdminActions::addMemberActions(QMenu *menu, const QString &user)
{
    QAction *kick = menu->addAction(tr("&Disconnect %1").arg(user));
    kick->setObjectName(QStringLiteral("kickAction"));
    connect(kick, &QAction::triggered, this, [this, user] { this->kick(user); });
    QAction *ban = menu->addAction(tr("&Ban %1…").arg(user));
    ban->setObjectName(QStringLiteral("banAction"));
    connect(ban, &QAction::triggered, this, [this, user] { this->ban(user); });
    QAction *unban = menu->addAction(tr("&Unban %1").arg(user));
    unban->setObjectName(QStringLiteral("unbanAction"));
    connect(unban, &QAction::triggered, this, [this, user] { this->unban(user); });
}

void AdminActions::kick(const QString &user)
{
    if (client::AdminChannel *admin = m_session->admin()) {
        admin->kick(user, [this, user](const client::AdminReply &reply) {
            Q_EMIT status(reply.ok ? tr("Disconnected %1 (%n connection(s))", nullptr,
                                        reply.response.value(QLatin1String("closed")).toInt())
                                         .arg(user)
                                   : tr("Could not disconnect %1: %2").arg(user, reply.error));
        });
    }
}

void AdminActions::ban(const QString &user)
{
    client::AdminChannel *admin = m_session->admin();
    if (!admin)
        return;
    BanDialog dialog(user, m_window);
    if (dialog.exec() != QDialog::Accepted || !m_session->admin())
        return;
    m_session->admin()->ban(
        user, dialog.minutes(), dialog.reason(), [this, user](const client::AdminReply &reply) {
            if (!reply.ok) {
                Q_EMIT status(tr("Could not ban %1: %2").arg(user, reply.error));
                return;
            }
            const QJsonValue until = reply.response.value(QLatin1String("until"));
            Q_EMIT status(until.isString() && !until.toString().isEmpty()
                              ? tr("Banned %1 until %2").arg(user, until.toString())
                              : tr("Banned %1 until the ban is lifted").arg(user));
        });
}

void AdminActions::unban(const QString &user)
{
    if (client::AdminChannel *admin = m_session->admin()) {
        admin->unban(user, [this, user](const client::AdminReply &reply) {
            Q_EMIT status(reply.ok ? tr("Unbanned %1").arg(user)
                                   : tr("Could not unban %1: %2").arg(user, reply.error));
        });
    }
}

void AdminActions::postSystemMessage()
{
    const QString room = m_session->currentRoom();
    if (!m_session->admin() || room.isEmpty())
        return;
    bool ok = false;
    const QString body = QInputDialog::getText(m_window, tr("Post System Message"),
                                               tr("Message to everyone in #%1:").arg(room),
                                               QLineEdit::Normal, QString(), &ok)
                             .trimmed();
    if (!ok || body.isEmpty() || !m_session->admin())
        return;
    m_session->admin()->postSystemMessage(
        room, body, [this, room](const client::AdminReply &reply) {
            Q_EMIT status(reply.ok ? tr("System message posted in #%1").arg(room)
                                   : tr("System message not posted: %1").arg(reply.error));
        });
}

} // namespace chatter::ui
