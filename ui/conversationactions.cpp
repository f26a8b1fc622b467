// SPDX-License-Identifier: MIT
#include "conversationactions.h"

#include "chatsession.h"
#include "roomlistmodel.h"
#include "roomsession.h"

#include <QAction>
#include <QActionGroup>
#include <QInputDialog>
#include <QMenu>
#include <QRegularExpression>

namespace chatter::ui {

using client::ChatSession;
using client::RoomListModel;

ConversationActions::ConversationActions(ChatSession *session, QWidget *window)
    : QObject(window), m_session(session), m_window(window)
{
    auto make = [this](const QString &name, const QString &text, const QKeySequence &key,
                       auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(key);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    m_newDm = make(QStringLiteral("newDmAction"), tr("New &Direct Message…"),
                   QKeySequence(tr("Ctrl+Shift+D")), &ConversationActions::newDirectMessage);
    m_newGroup = make(QStringLiteral("newGroupAction"), tr("New &Group Conversation…"),
                      QKeySequence(tr("Ctrl+Shift+G")), &ConversationActions::newGroup);
    m_newPrivate = make(QStringLiteral("newPrivateRoomAction"), tr("New &Private Room…"),
                        QKeySequence(), &ConversationActions::newPrivateRoom);
    m_invite = make(QStringLiteral("inviteAction"), tr("&Invite to This Room…"),
                    QKeySequence(tr("Ctrl+Shift+I")), &ConversationActions::inviteToCurrentRoom);
    m_mute = make(QStringLiteral("muteAction"), tr("&Mute This Conversation"),
                  QKeySequence(tr("Ctrl+Shift+M")), [this] {
                      const QString room = m_session->currentRoom();
                      if (!room.isEmpty())
                          m_session->setMuted(room, m_mute->isChecked(),
                                              [this](bool ok, const QString &reason) {
                                                  if (!ok)
                                                      report(tr("Mute not changed"), reason);
                                              });
                  });
    m_mute->setCheckable(true);

    m_statusGroup = new QActionGroup(this);
    const std::pair<const char *, QString> statuses[] = {{"online", tr("&Online")},
                                                         {"away", tr("&Away")},
                                                         {"busy", tr("&Busy")},
                                                         {"dnd", tr("Do &Not Disturb")}};
    for (const auto &[key, text] : statuses) {
        auto *action = new QAction(text, m_statusGroup);
        const QString status = QString::fromLatin1(key);
        action->setObjectName(status + QStringLiteral("StatusAction"));
        action->setCheckable(true);
        action->setChecked(status == m_session->status());
        action->setData(status);
        connect(action, &QAction::triggered, this,
                [this, status] { m_session->setStatus(status); });
    }
    m_statusGroup->actions().last()->setToolTip(tr("No notifications at all; badges still count"));
    connect(m_session, &ChatSession::statusChanged, this, [this](const QString &status) {
        for (QAction *action : m_statusGroup->actions())
            action->setChecked(action->data().toString() == status);
    });
    connect(m_session, &ChatSession::currentRoomChanged, this, &ConversationActions::update);
    connect(m_session, &ChatSession::personalChanged, this, &ConversationActions::update);
    connect(m_session->rooms(), &QAbstractItemModel::dataChanged, this,
            &ConversationActions::update);
    update();
}

void ConversationActions::addTo(QMenu *menu)
{
    menu->addAction(m_newDm);
    menu->addAction(m_newGroup);
    menu->addAction(m_newPrivate);
    menu->addAction(m_invite);
    menu->addSeparator();
    menu->addAction(m_mute);
}

void ConversationActions::addStatusTo(QMenu *menu)
{
    menu->addActions(m_statusGroup->actions());
}

QAction *ConversationActions::messageAction(const QString &user, QObject *parent)
{
    if (!m_session->personal() || user.compare(m_session->nickname(), Qt::CaseInsensitive) == 0)
        return nullptr;
    auto *action = new QAction(tr("&Message %1").arg(user), parent);
    action->setObjectName(QStringLiteral("messageMemberAction"));
    connect(action, &QAction::triggered, this, [this, user] {
        m_session->openDirectMessage(user, [this, user](const QString &, const QString &error) {
            report(tr("No conversation with %1").arg(user), error);
        });
    });
    return action;
}

void ConversationActions::update()
{
    const bool account = m_session->personal() != nullptr;
    m_newDm->setEnabled(account);
    m_newGroup->setEnabled(account);
    m_newPrivate->setEnabled(m_session->identity().isRegistered());
    const QString room = m_session->currentRoom();
    const auto kind = m_session->rooms()->kind(room);
    m_invite->setEnabled(!room.isEmpty() && (kind == RoomListModel::Kind::PrivateRoom ||
                                             kind == RoomListModel::Kind::Group));
    m_mute->setEnabled(!room.isEmpty());
    m_mute->setChecked(!room.isEmpty() && m_session->isMuted(room));
}

void ConversationActions::newDirectMessage()
{
    if (!m_session->personal())
        return;
    bool ok = false;
    const QString user = QInputDialog::getText(m_window, tr("New Direct Message"), tr("Nickname:"),
                                               QLineEdit::Normal, QString(), &ok)
                             .trimmed()
                             .remove(QRegularExpression(QStringLiteral("^@")));
    if (!ok || user.isEmpty())
        return;
    m_session->openDirectMessage(user, [this, user](const QString &, const QString &error) {
        report(tr("No conversation with %1").arg(user), error);
    });
}

void ConversationActions::newGroup()
{
    if (!m_session->personal())
        return;
    bool ok = false;
    const QString text = QInputDialog::getText(m_window, tr("New Group Conversation"),
                                               tr("Nicknames (1 to 8), separated by commas:"),
                                               QLineEdit::Normal, QString(), &ok);
    QStringList users;
    for (QString user :
         text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        user.remove(QRegularExpression(QStringLiteral("^@")));
        if (!user.isEmpty() && !users.contains(user, Qt::CaseInsensitive))
            users << user;
    }
    if (!ok || users.isEmpty())
        return;
    m_session->createGroup(users, [this](const QString &, const QString &error) {
        report(tr("No group conversation"), error);
    });
}

void ConversationActions::newPrivateRoom()
{
    bool ok = false;
    QString room = QInputDialog::getText(m_window, tr("New Private Room"),
                                         tr("Room name (only people you invite can join):"),
                                         QLineEdit::Normal, QString(), &ok)
                       .trimmed();
    if (room.startsWith(QLatin1Char('#')))
        room.remove(0, 1);
    if (ok && !room.isEmpty())
        m_session->createPrivateRoom(room);
}

void ConversationActions::inviteToCurrentRoom()
{
    const QString room = m_session->currentRoom();
    if (room.isEmpty())
        return;
    bool ok = false;
    const QString user =
        QInputDialog::getText(m_window, tr("Invite"),
                              tr("Nickname to invite to %1:").arg(m_session->titleOf(room)),
                              QLineEdit::Normal, QString(), &ok)
            .trimmed();
    if (!ok || user.isEmpty())
        return;
    m_session->invite(room, user, [this, user](bool done, const QString &reason) {
        if (done)
            Q_EMIT status(tr("Invited %1").arg(user));
        else
            report(tr("%1 not invited").arg(user), reason);
    });
}

void ConversationActions::report(const QString &what, const QString &error)
{
    if (!error.isEmpty())
        Q_EMIT status(tr("%1: %2").arg(what, error));
}

} // namespace chatter::ui
