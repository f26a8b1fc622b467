// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QPointer>

namespace chatter::client {

class PhoenixChannel;
class PhoenixSocket;

//! The server's rooms (`chatter:rooms`): name, people present, messages and last activity,
//! kept live by `room_update` while watched. Lives in the GUI thread with its ChatSession.
class RoomDirectoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        MembersColumn,
        MessagesColumn,
        LastActivityColumn,
        ColumnCount
    };
    enum Role
    {
        NameRole = Qt::UserRole + 1, //!< the room name in every column (for joining)
        SortRole                     //!< numbers and times as numbers
    };

    explicit RoomDirectoryModel(QObject *parent = nullptr);
    ~RoomDirectoryModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    //! The socket to watch through; a new socket (connecting anew) rejoins if watching.
    void setSocket(PhoenixSocket *socket);
    //! Joins the directory channel while true (a dialog showing it is open), leaves when false.
    void setWatching(bool watching);
    bool isWatching() const { return m_watching; }
    int rowOf(const QString &name) const;

Q_SIGNALS:
    //! The first list after (re)joining arrived.
    void loaded();
    void failed(const QString &reason);

private:
    struct Room
    {
        QString name;
        int members = 0;
        qint64 messages = 0;
        QDateTime lastActivity;
    };
    static Room fromJson(const QJsonObject &json);
    void attach();
    void detach();
    void reset(const QJsonArray &rooms);
    void update(const Room &room);

    QPointer<PhoenixSocket> m_socket;
    QPointer<PhoenixChannel> m_channel;
    QList<Room> m_rooms;
    bool m_watching = false;
};

} // namespace chatter::client
