// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractListModel>
#include <QList>

namespace chatter::client {

//! The conversations this session has joined, in the order joined, with unread counts: rooms
//! by name, DMs by their key `dm:<a>:<b>` (docs/conversations.md), private rooms and group
//! conversations by their room name.
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Kind
    {
        Room,
        PrivateRoom,
        Group, //!< a private room made with create_group, titled by its members
        Direct //!< a DM, titled by the other side's nickname
    };
    Q_ENUM(Kind)
    enum class Status
    {
        Joining,
        Joined,
        Error
    };
    Q_ENUM(Status)
    enum Role
    {
        NameRole = Qt::UserRole + 1,
        UnreadRole,
        MentionedRole, //!< an unread message mentions me
        CurrentRole,
        StatusRole,     //!< int(Status)
        StatusTextRole, //!< why the room is in error, empty otherwise
        KindRole,       //!< int(Kind)
        TitleRole,      //!< what the list shows: `lobby`, the DM's other side, a group's members
        MutedRole       //!< no badge (but for mentions) and no notifications
    };

    explicit RoomListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void addRoom(const QString &name, Kind kind = Kind::Room, const QString &title = {});
    void removeRoom(const QString &name);
    int rowOf(const QString &name) const;
    QString nameAt(int row) const;
    QStringList names() const;
    int unread(const QString &name) const;
    Kind kind(const QString &name) const;
    QString title(const QString &name) const;
    bool isMuted(const QString &name) const;

    void setCurrent(const QString &name);
    QString current() const { return m_current; }
    //! One more unread message in `name`; `mention` marks the room as mentioning me.
    void addUnread(const QString &name, bool mention);
    void clearUnread(const QString &name);
    //! The count and mention flag as the conversation's read marker says.
    void setUnread(const QString &name, int count, bool mention);
    void setKind(const QString &name, Kind kind, const QString &title);
    void setMuted(const QString &name, bool muted);
    void setStatus(const QString &name, Status status, const QString &text = {});

private:
    struct Room
    {
        QString name;
        Kind kind = Kind::Room;
        QString title;
        bool muted = false;
        int unread = 0;
        bool mentioned = false;
        Status status = Status::Joining;
        QString statusText;
    };
    void changed(int row);

    QList<Room> m_rooms;
    QString m_current;
};

} // namespace chatter::client
