// SPDX-License-Identifier: MIT
#include "roomlistmodel.h"

namespace chatter::client {

RoomListModel::RoomListModel(QObject *parent) : QAbstractListModel(parent) {}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Room &room = m_rooms.at(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        const QString shown = room.kind == Kind::Direct  ? QStringLiteral("@") + room.title
                              : room.kind == Kind::Group ? room.title
                                                         : QStringLiteral("#") + room.title;
        return room.unread > 0 ? QStringLiteral("%1 (%2)").arg(shown).arg(room.unread) : shown;
    }
    case Qt::ToolTipRole:
        return room.statusText.isEmpty() ? tr("%n unread", nullptr, room.unread) : room.statusText;
    case NameRole:
        return room.name;
    case UnreadRole:
        return room.unread;
    case MentionedRole:
        return room.mentioned;
    case CurrentRole:
        return room.name == m_current;
    case StatusRole:
        return int(room.status);
    case StatusTextRole:
        return room.statusText;
    case KindRole:
        return int(room.kind);
    case TitleRole:
        return room.title;
    case MutedRole:
        return room.muted;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    return {{NameRole, "name"},       {UnreadRole, "unread"}, {MentionedRole, "mentioned"},
            {CurrentRole, "current"}, {StatusRole, "status"}, {StatusTextRole, "statusText"},
            {KindRole, "kind"},       {TitleRole, "title"},   {MutedRole, "muted"}};
}

void RoomListModel::addRoom(const QString &name, Kind kind, const QString &title)
{
    if (rowOf(name) >= 0) {
        if (kind != Kind::Room)
            setKind(name, kind, title);
        return;
    }
    const int row = int(m_rooms.size());
    beginInsertRows({}, row, row);
    Room room;
    room.name = name;
    room.kind = kind;
    room.title = title.isEmpty() ? name : title;
    m_rooms.append(room);
    endInsertRows();
}

void RoomListModel::removeRoom(const QString &name)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rooms.removeAt(row);
    endRemoveRows();
    if (m_current == name)
        m_current.clear();
}

int RoomListModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rooms.size(); ++i) {
        if (m_rooms.at(i).name == name)
            return i;
    }
    return -1;
}

QString RoomListModel::nameAt(int row) const
{
    return row >= 0 && row < m_rooms.size() ? m_rooms.at(row).name : QString();
}

QStringList RoomListModel::names() const
{
    QStringList out;
    for (const Room &room : m_rooms)
        out << room.name;
    return out;
}

int RoomListModel::unread(const QString &name) const
{
    const int row = rowOf(name);
    return row >= 0 ? m_rooms.at(row).unread : 0;
}

void RoomListModel::setCurrent(const QString &name)
{
    if (m_current == name)
        return;
    const int previous = rowOf(m_current);
    m_current = name;
    if (previous >= 0)
        changed(previous);
    // The count is the read marker's: it clears when the session marks the room read.
    if (const int row = rowOf(name); row >= 0)
        changed(row);
}

void RoomListModel::addUnread(const QString &name, bool mention)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    ++m_rooms[row].unread;
    m_rooms[row].mentioned = m_rooms[row].mentioned || mention;
    changed(row);
}

void RoomListModel::clearUnread(const QString &name)
{
    const int row = rowOf(name);
    if (row < 0 || (m_rooms[row].unread == 0 && !m_rooms[row].mentioned))
        return;
    m_rooms[row].unread = 0;
    m_rooms[row].mentioned = false;
    changed(row);
}

void RoomListModel::setUnread(const QString &name, int count, bool mention)
{
    const int row = rowOf(name);
    if (row < 0 || (m_rooms[row].unread == count && m_rooms[row].mentioned == mention))
        return;
    m_rooms[row].unread = count;
    m_rooms[row].mentioned = mention;
    changed(row);
}

void RoomListModel::setKind(const QString &name, Kind kind, const QString &title)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    m_rooms[row].kind = kind;
    m_rooms[row].title = title.isEmpty() ? name : title;
    changed(row);
}

void RoomListModel::setMuted(const QString &name, bool muted)
{
    const int row = rowOf(name);
    if (row < 0 || m_rooms[row].muted == muted)
        return;
    m_rooms[row].muted = muted;
    changed(row);
}

RoomListModel::Kind RoomListModel::kind(const QString &name) const
{
    const int row = rowOf(name);
    return row >= 0 ? m_rooms.at(row).kind : Kind::Room;
}

QString RoomListModel::title(const QString &name) const
{
    const int row = rowOf(name);
    return row >= 0 ? m_rooms.at(row).title : name;
}

bool RoomListModel::isMuted(const QString &name) const
{
    const int row = rowOf(name);
    return row >= 0 && m_rooms.at(row).muted;
}

void RoomListModel::setStatus(const QString &name, Status status, const QString &text)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    m_rooms[row].status = status;
    m_rooms[row].statusText = text;
    changed(row);
}

void RoomListModel::changed(int row)
{
    Q_EMIT dataChanged(index(row), index(row));
}

} // namespace chatter::client
