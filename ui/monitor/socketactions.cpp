// SPDX-License-Identifier: MIT
#include "socketactions.h"

#include "engine.h"
#include "sockettablemodel.h"
#include "topics.h"

#include <QAction>
#include <QIcon>
#include <QWidget>

namespace chatter::monitor {

using server::SocketRow;

namespace {

QString describe(const SocketRow &s)
{
    const QString text = s.user.isEmpty()
                             ? QObject::tr("socket %1 (%2)").arg(s.id).arg(s.peer)
                             : QObject::tr("socket %1 “%2” (%3)").arg(s.id).arg(s.user, s.peer);
    return s.nodeId.isEmpty() ? text : QObject::tr("%1 on node %2").arg(text, s.node);
}
} // namespace

SocketActions::SocketActions(server::Engine &engine, QWidget *dialogParent)
    : QObject(dialogParent), m_engine(engine), m_dialogParent(dialogParent),
      m_prompt(std::make_unique<DialogPrompt>())
{
    m_disconnect = new QAction(QIcon::fromTheme(QStringLiteral("network-disconnect")),
                               tr("Disconnect…"), this);
    m_disconnect->setToolTip(tr("Close the selected socket (code 1001); the client may reconnect"));
    m_disconnect->setShortcut(QKeySequence::Delete);
    m_disconnect->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_removeFromRoom =
        new QAction(QIcon::fromTheme(QStringLiteral("list-remove")), tr("Remove from room…"), this);
    m_removeFromRoom->setToolTip(tr("Make the selected socket leave one of its rooms"));
    m_systemMessage =
        new QAction(QIcon::fromTheme(QStringLiteral("mail-send")), tr("System message…"), this);
    m_systemMessage->setToolTip(tr("Send a message from “system” to everyone in a room"));
    m_ban = new QAction(QIcon::fromTheme(QStringLiteral("action-unavailable")), tr("Ban…"), this);
    m_ban->setToolTip(tr("Ban the selected socket's nickname or address for a while"));

    m_liftBan = new QAction(QIcon::fromTheme(QStringLiteral("edit-undo")), tr("Lift ban…"), this);
    m_liftBan->setToolTip(tr("End the selected stored ban now"));

    connect(m_disconnect, &QAction::triggered, this, &SocketActions::disconnectSocket);
    connect(m_removeFromRoom, &QAction::triggered, this, &SocketActions::removeFromRoom);
    connect(m_systemMessage, &QAction::triggered, this, &SocketActions::sendSystemMessage);
    connect(m_ban, &QAction::triggered, this, &SocketActions::ban);
    connect(m_liftBan, &QAction::triggered, this, &SocketActions::liftBan);
    setCurrentSocket(std::nullopt);
    setCurrentBan(std::nullopt);
}

SocketActions::~SocketActions() = default;

QList<QAction *> SocketActions::actions() const
{
    return {m_disconnect, m_removeFromRoom, m_systemMessage, m_ban};
}

void SocketActions::setPrompt(std::unique_ptr<AdminPrompt> prompt)
{
    m_prompt = std::move(prompt);
}

void SocketActions::setCurrentSocket(const std::optional<SocketRow> &socket)
{
    m_current = socket;
    m_disconnect->setEnabled(socket.has_value());
    m_ban->setEnabled(socket.has_value());
    // Another node's socket is disconnected through the cluster; its rooms are that node's.
    m_removeFromRoom->setEnabled(socket && socket->nodeId.isEmpty() && !socket->topics.isEmpty());
}

void SocketActions::setRoomSource(std::function<QStringList()> rooms)
{
    m_rooms = std::move(rooms);
}

void SocketActions::setSuggestedRoom(const QString &room)
{
    m_suggestedRoom = room;
}

QHostAddress SocketActions::addressOfPeer(const QString &peer)
{
    // The port follows the last colon; IPv6 addresses contain colons themselves.
    const qsizetype colon = peer.lastIndexOf(QLatin1Char(':'));
    QString host = colon > 0 ? peer.left(colon) : peer;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    QHostAddress address(host);
    // A v4 client of a dual-stack listener shows up as ::ffff:a.b.c.d; ban the plain v4 form.
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

void SocketActions::disconnectSocket()
{
    if (!m_current)
        return;
    const SocketRow s = *m_current;
    if (!m_prompt->confirm(
            m_dialogParent, tr("Disconnect socket"),
            tr("Disconnect %1?\n\nThe client sees close code 1001 and may reconnect.")
                .arg(describe(s))))
        return;
    m_engine.disconnectSocket(s.nodeId, s.id);
}

void SocketActions::removeFromRoom()
{
    if (!m_current || m_current->topics.isEmpty() || !m_current->nodeId.isEmpty())
        return;
    const SocketRow s = *m_current;
    const std::optional<QString> topic = m_prompt->chooseTopic(m_dialogParent, s.topics);
    if (!topic)
        return;
    if (!m_prompt->confirm(m_dialogParent, tr("Remove from room"),
                           tr("Remove %1 from %2?\n\nIts client is told the channel closed.")
                               .arg(describe(s), *topic)))
        return;
    m_engine.removeFromRoom(s.id, *topic);
}

void SocketActions::sendSystemMessage()
{
    QString suggested = m_suggestedRoom;
    if (m_current) {
        for (const QString &topic : std::as_const(m_current->topics)) {
            if (topic.startsWith(topics::RoomPrefix)) {
                suggested = topics::roomName(topic);
                break;
            }
        }
    }
    const QStringList rooms = m_rooms ? m_rooms() : QStringList();
    const std::optional<SystemMessageRequest> request =
        m_prompt->systemMessage(m_dialogParent, rooms, suggested);
    if (!request || request->room.isEmpty() || request->body.isEmpty())
        return;
    if (!m_prompt->confirm(m_dialogParent, tr("Send system message"),
                           tr("Send to everyone in #%1:\n\n%2").arg(request->room, request->body)))
        return;
    m_engine.sendSystemMessage(request->room, request->body);
}

void SocketActions::ban()
{
    if (!m_current)
        return;
    const SocketRow s = *m_current;
    const std::optional<BanRequest> request =
        m_prompt->ban(m_dialogParent, s.user, addressOfPeer(s.peer));
    if (!request || request->minutes <= 0)
        return;
    const bool byAddress = request->target == BanRequest::Target::Address;
    const QString what = byAddress ? tr("address %1").arg(request->address.toString())
                                   : tr("nickname “%1”").arg(request->nickname);
    if (!m_prompt->confirm(m_dialogParent, tr("Ban"),
                           tr("Ban %1 for %n minute(s)?\n\nMatching sockets are disconnected now.",
                              nullptr, request->minutes)
                               .arg(what)))
        return;
    if (byAddress)
        m_engine.banAddress(request->address, request->minutes);
    else
        m_engine.banNickname(request->nickname, request->minutes);
}

void SocketActions::setCurrentBan(const std::optional<server::BanRow> &ban)
{
    m_currentBan = ban;
    m_liftBan->setEnabled(ban.has_value());
}

void SocketActions::liftBan()
{
    if (!m_currentBan)
        return;
    const server::BanRow ban = *m_currentBan;
    if (!m_prompt->confirm(
            m_dialogParent, tr("Lift ban"),
            tr("Lift the ban of “%1”?\n\nIt may connect again at once.").arg(ban.target)))
        return;
    m_engine.liftBan(ban.id);
}

} // namespace chatter::monitor
