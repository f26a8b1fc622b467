// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractListModel>
#include <QList>

namespace chatter::client {

//! The rooms this session has joined, in the order joined, with unread counts.
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
public:
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
        StatusRole,    //!< int(Status)
        StatusTextRole //!< why the room is in error, empty otherwise
    };

    explicit RoomListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void addRoom(const QString &name);
    void removeRoom(const QString &name);
    int rowOf(const QString &name) const;
    QString nameAt(int row) const;
    QStringList names() const;
    int unread(const QString &name) const;

    void setCurrent(const QString &name);
    QString current() const { return m_current; }
    //! One more unread message in `name`; `mention` marks the room as mentioning me.
    void addUnread(const QString &name, bool mention);
    void clearUnread(const QString &name);
    void setStatus(const QString &name, Status status, const QString &text = {});

private:
    struct Room
    {
        QString name;
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
