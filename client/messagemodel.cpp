// SPDX-License-Identifier: MIT
#include "messagemodel.h"

#include <QLocale>

namespace chatter::client {

namespace {

QString signature(const ChatMessage &m)
{
    return m.user + QLatin1Char('\n') + m.at.toString(Qt::ISODateWithMs) + QLatin1Char('\n') +
           m.body;
}

} // namespace

MessageModel::MessageModel(QObject *parent) : QAbstractListModel(parent) {}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatMessage &m = m_lines.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m.isSystem() ? m.body : m.user + QStringLiteral(": ") + m.body;
    case Qt::ToolTipRole:
        // The list shows only HH:mm; the full date and seconds are a hover away.
        return QLocale().toString(m.at.toLocalTime(), QStringLiteral("dddd d MMMM yyyy, HH:mm:ss"));
    case IdRole:
        return m.id;
    case UserRole:
        return m.user;
    case BodyRole:
        return m.body;
    case AtRole:
        return m.at;
    case OwnRole:
        return m.own;
    case MentionRole:
        return m.mention;
    case KindRole:
        return int(m.kind);
    case SystemRole:
        return m.isSystem();
    case PendingRole:
        return m.pending;
    case DayStartRole:
        return index.row() == 0 ||
               m_lines.at(index.row() - 1).at.toLocalTime().date() != m.at.toLocalTime().date();
    case ReplyToRole:
        return m.replyTo;
    case QuoteUserRole:
        return m.quoteUser;
    case QuoteBodyRole:
        return m.quoteBody;
    case QuoteDeletedRole:
        return m.quoteDeleted;
    case EditedAtRole:
        return m.editedAt;
    case DeletedRole:
        return m.deleted;
    case ReactionsRole: {
        QVariantList list;
        for (const auto &[emoji, users] : m.reactions)
            list.append(QVariantMap{{QStringLiteral("emoji"), emoji},
                                    {QStringLiteral("users"), users},
                                    {QStringLiteral("mine"), users.contains(m_nickname)}});
        return list;
    }
    case GroupedRole: {
        if (index.row() == 0 || m.isSystem() || m.deleted)
            return false;
        const ChatMessage &above = m_lines.at(index.row() - 1);
        return !above.isSystem() && !above.deleted && above.user == m.user && !m.replyTo &&
               above.at.toLocalTime().date() == m.at.toLocalTime().date() &&
               above.at.secsTo(m.at) < 5 * 60;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    return {{IdRole, "id"},
            {UserRole, "user"},
            {BodyRole, "body"},
            {AtRole, "at"},
            {OwnRole, "own"},
            {MentionRole, "mention"},
            {KindRole, "kind"},
            {SystemRole, "system"},
            {PendingRole, "pending"},
            {DayStartRole, "dayStart"},
            {ReplyToRole, "replyTo"},
            {QuoteUserRole, "quoteUser"},
            {QuoteBodyRole, "quoteBody"},
            {QuoteDeletedRole, "quoteDeleted"},
            {EditedAtRole, "editedAt"},
            {DeletedRole, "deleted"},
            {ReactionsRole, "reactions"},
            {GroupedRole, "grouped"},
            {Qt::DisplayRole, "display"}};
}

bool MessageModel::isDuplicate(const ChatMessage &message) const
{
    if (message.isSystem() || message.pending)
        return false;
    const auto it = m_signatures.constFind(message.id);
    return it != m_signatures.constEnd() && *it == signature(message);
}

void MessageModel::remember(const ChatMessage &message)
{
    if (message.isSystem() || message.pending)
        return;
    m_signatures.insert(message.id, signature(message));
    m_lastId = std::max(m_lastId, message.id);
}

bool MessageModel::append(const ChatMessage &message)
{
    if (isDuplicate(message))
        return false;
    const int row = int(m_lines.size());
    beginInsertRows({}, row, row);
    m_lines.append(message);
    remember(message);
    endInsertRows();
    return true;
}

int MessageModel::prependOlder(const QList<ChatMessage> &older)
{
    QList<ChatMessage> fresh;
    for (const ChatMessage &m : older) {
        if (!isDuplicate(m))
            fresh.append(m);
    }
    if (fresh.isEmpty())
        return 0;
    beginInsertRows({}, 0, int(fresh.size()) - 1);
    for (const ChatMessage &m : fresh)
        remember(m);
    m_lines = fresh + m_lines;
    endInsertRows();
    return int(fresh.size());
}

void MessageModel::removePending()
{
    for (int row = int(m_lines.size()) - 1; row >= 0; --row) {
        if (!m_lines.at(row).pending)
            continue;
        beginRemoveRows({}, row, row);
        m_lines.removeAt(row);
        endRemoveRows();
    }
}

int MessageModel::pendingCount() const
{
    return int(std::count_if(m_lines.cbegin(), m_lines.cend(),
                             [](const ChatMessage &m) { return m.pending; }));
}

qint64 MessageModel::oldestId() const
{
    for (const ChatMessage &m : m_lines) {
        if (!m.isSystem() && !m.pending)
            return m.id;
    }
    return 0;
}

} // namespace chatter::client
