// SPDX-License-Identifier: MIT
#include "roomdirectorymodel.h"

#include "events.h"
#include "phoenixchannel.h"
#include "phoenixsocket.h"
#include "topics.h"

#include <QJsonArray>
#include <QLocale>

namespace chatter::client {

RoomDirectoryModel::RoomDirectoryModel(QObject *parent) : QAbstractTableModel(parent) {}

RoomDirectoryModel::~RoomDirectoryModel()
{
    detach();
}

int RoomDirectoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

int RoomDirectoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoomDirectoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Room &room = m_rooms.at(index.row());
    if (role == NameRole)
        return room.name;
    if (role == Qt::TextAlignmentRole && index.column() != NameColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    const bool sort = role == SortRole;
    switch (index.column()) {
    case NameColumn:
        return sort ? QVariant(room.name.toLower()) : QVariant(QLatin1Char('#') + room.name);
    case MembersColumn:
        return room.members;
    case MessagesColumn:
        return room.messages;
    case LastActivityColumn:
        if (sort)
            return room.lastActivity.isValid() ? room.lastActivity.toMSecsSinceEpoch() : 0;
        return room.lastActivity.isValid()
                   ? QLocale().toString(room.lastActivity.toLocalTime(), QLocale::ShortFormat)
                   : tr("never");
    default:
        return {};
    }
}

QVariant RoomDirectoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Room");
    case MembersColumn:
        return tr("People");
    case MessagesColumn:
        return tr("Messages");
    case LastActivityColumn:
        return tr("Last message");
    default:
        return {};
    }
}

int RoomDirectoryModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_rooms.size(); ++row) {
        if (m_rooms.at(row).name == name)
            return row;
    }
    return -1;
}

void RoomDirectoryModel::setSocket(PhoenixSocket *socket)
{
    detach();
    m_socket = socket;
    if (m_watching)
        attach();
}

void RoomDirectoryModel::setWatching(bool watching)
{
    if (m_watching == watching)
        return;
    m_watching = watching;
    if (watching)
        attach();
    else
        detach();
}

void RoomDirectoryModel::attach()
{
    if (!m_socket || m_channel)
        return;
    m_channel = m_socket->channel(QString(topics::Rooms));
    connect(m_channel, &PhoenixChannel::joined, this, [this](const QJsonObject &response) {
        reset(response.value(QLatin1String("rooms")).toArray());
        Q_EMIT loaded();
    });
    connect(m_channel, &PhoenixChannel::joinRefused, this, [this](const QJsonObject &response) {
        Q_EMIT failed(response.value(QLatin1String("reason")).toString(tr("refused")));
    });
    connect(m_channel, &PhoenixChannel::eventReceived, this,
            [this](const QString &event, const QJsonValue &payload) {
                if (event == events::RoomUpdate)
                    update(fromJson(payload.toObject()));
            });
    m_channel->join();
}

void RoomDirectoryModel::detach()
{
    if (m_channel)
        m_channel->leave();
    m_channel = nullptr;
}

RoomDirectoryModel::Room RoomDirectoryModel::fromJson(const QJsonObject &json)
{
    Room room;
    room.name = json.value(QLatin1String("name")).toString();
    room.members = json.value(QLatin1String("members")).toInt();
    room.messages = qint64(json.value(QLatin1String("messages")).toDouble());
    room.lastActivity = QDateTime::fromString(
        json.value(QLatin1String("last_activity_at")).toString(), Qt::ISODateWithMs);
    return room;
}

void RoomDirectoryModel::reset(const QJsonArray &rooms)
{
    beginResetModel();
    m_rooms.clear();
    for (const QJsonValue &value : rooms) {
        Room room = fromJson(value.toObject());
        if (!room.name.isEmpty())
            m_rooms.append(std::move(room));
    }
    endResetModel();
}

void RoomDirectoryModel::update(const Room &room)
{
    if (room.name.isEmpty())
        return;
    const int row = rowOf(room.name);
    if (row < 0) {
        beginInsertRows({}, int(m_rooms.size()), int(m_rooms.size()));
        m_rooms.append(room);
        endInsertRows();
        return;
    }
    m_rooms[row] = room;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

} // namespace chatter::client
