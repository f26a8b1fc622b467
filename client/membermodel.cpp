// SPDX-License-Identifier: MIT
#include "membermodel.h"

#include <QJsonArray>

#include <algorithm>

namespace chatter::client {

namespace {

int roleRank(const QString &role)
{
    if (role == QLatin1String("admin"))
        return 3;
    if (role == QLatin1String("member"))
        return 2;
    return role == QLatin1String("guest") ? 1 : 0;
}

bool nickLess(const QString &a, const QString &b)
{
    const int c = QString::compare(a, b, Qt::CaseInsensitive);
    return c != 0 ? c < 0 : a < b;
}

} // namespace

MemberModel::MemberModel(QObject *parent) : QAbstractListModel(parent) {}

int MemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

QVariant MemberModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Member &m = m_members.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NickRole:
        return m.nick;
    case Qt::ToolTipRole: {
        const QString devices = m.clients.join(QStringLiteral(", "));
        if (m.role == QLatin1String("admin"))
            return tr("%1 — administrator — %2").arg(m.nick, devices);
        if (m.role == QLatin1String("member"))
            return tr("%1 — registered — %2").arg(m.nick, devices);
        if (m.role == QLatin1String("guest"))
            return tr("%1 — guest — %2").arg(m.nick, devices);
        return tr("%1 — %2").arg(m.nick, devices);
    }
    case AccountRole:
        return m.role;
    case ClientsRole:
        return m.clients;
    case DeviceCountRole:
        return int(m.clients.size());
    case IsMeRole:
        return m.nick == m_me;
    case TypingRole:
        return m_typing.contains(m.nick);
    default:
        return {};
    }
}

QHash<int, QByteArray> MemberModel::roleNames() const
{
    return {{NickRole, "nick"}, {ClientsRole, "clients"}, {DeviceCountRole, "devices"},
            {IsMeRole, "isMe"}, {TypingRole, "typing"},   {AccountRole, "role"}};
}

int MemberModel::rowOf(const QString &nick) const
{
    for (int i = 0; i < m_members.size(); ++i) {
        if (m_members.at(i).nick == nick)
            return i;
    }
    return -1;
}

void MemberModel::setPresence(const QJsonObject &state)
{
    // Removals first, then inserts at their sorted place, then data changes.
    for (int row = int(m_members.size()) - 1; row >= 0; --row) {
        if (!state.contains(m_members.at(row).nick)) {
            beginRemoveRows({}, row, row);
            m_members.removeAt(row);
            endRemoveRows();
        }
    }
    for (auto it = state.constBegin(); it != state.constEnd(); ++it) {
        Member member{it.key(), {}, {}};
        for (const QJsonValue &value :
             it.value().toObject().value(QLatin1String("metas")).toArray()) {
            const QJsonObject meta = value.toObject();
            member.clients << meta.value(QLatin1String("client")).toString(QStringLiteral("?"));
            const QString role = meta.value(QLatin1String("role")).toString();
            if (roleRank(role) > roleRank(member.role))
                member.role = role;
        }
        const int existing = rowOf(member.nick);
        if (existing >= 0) {
            if (m_members.at(existing).clients != member.clients ||
                m_members.at(existing).role != member.role) {
                m_members[existing].clients = member.clients;
                m_members[existing].role = member.role;
                Q_EMIT dataChanged(index(existing), index(existing));
            }
            continue;
        }
        const auto pos = std::lower_bound(
            m_members.begin(), m_members.end(), member.nick,
            [](const Member &m, const QString &nick) { return nickLess(m.nick, nick); });
        const int row = int(pos - m_members.begin());
        beginInsertRows({}, row, row);
        m_members.insert(row, member);
        endInsertRows();
    }
}

void MemberModel::setTyping(const QStringList &nicknames)
{
    const QSet<QString> next(nicknames.begin(), nicknames.end());
    if (next == m_typing)
        return;
    m_typing = next;
    if (!m_members.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_members.size()) - 1), {TypingRole});
}

QStringList MemberModel::nicknames() const
{
    QStringList out;
    for (const Member &m : m_members)
        out << m.nick;
    return out;
}

void MemberModel::clear()
{
    beginResetModel();
    m_members.clear();
    m_typing.clear();
    endResetModel();
}

} // namespace chatter::client
