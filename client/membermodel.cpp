// SPDX-License-Identifier: MIT
#include "membermodel.h"

#include <QJsonArray>

#include <algorithm>

namespace chatter::client {

namespace {

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
    case Qt::ToolTipRole:
        return tr("%1 — %2").arg(m.nick, m.clients.join(QStringLiteral(", ")));
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
    return {{NickRole, "nick"},
            {ClientsRole, "clients"},
            {DeviceCountRole, "devices"},
            {IsMeRole, "isMe"},
            {TypingRole, "typing"}};
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
        Member member{it.key(), {}};
        for (const QJsonValue &meta : it.value().toObject().value(QLatin1String("metas")).toArray())
            member.clients
                << meta.toObject().value(QLatin1String("client")).toString(QStringLiteral("?"));
        const int existing = rowOf(member.nick);
        if (existing >= 0) {
            if (m_members.at(existing).clients != member.clients) {
                m_members[existing].clients = member.clients;
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
