// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QStringList>

namespace chatter::client {

//! Who is in a room, from its presence state: one row per nickname, sorted case-insensitively.
class MemberModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        NickRole = Qt::UserRole + 1,
        ClientsRole, //!< QStringList: "desktop", "web" … one per connected device
        DeviceCountRole,
        IsMeRole,
        TypingRole,
        //! QString from the presence metas: "admin", "member" (registered) or "guest"; empty
        //! when the server says nothing. Of several devices the highest counts.
        AccountRole
    };

    explicit MemberModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMyNickname(const QString &nickname) { m_me = nickname; }
    //! Replaces the rows with a Phoenix.Presence state `{nick: {"metas": […]}}`, with minimal
    //! row inserts and removals so views keep their selection and scroll position.
    void setPresence(const QJsonObject &state);
    void setTyping(const QStringList &nicknames);
    QStringList nicknames() const;
    void clear();

private:
    struct Member
    {
        QString nick;
        QStringList clients;
        QString role;
    };
    int rowOf(const QString &nick) const;

    QList<Member> m_members;
    QSet<QString> m_typing;
    QString m_me;
};

} // namespace chatter::client
