// SPDX-License-Identifier: MIT
#include "messagemodel.h"

#include <QLocale>

namespace chatter::client {

namespace {

//! How many characters of a parent a quote carries (docs/conversations.md).
constexpr int QuoteLength = 140;

QString signature(const ChatMessage &m)
{
    // A deleted message keeps only its id; an edited one its new body.
    if (m.deleted)
        return QStringLiteral("\x01deleted");
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
    case AttachmentsRole:
        return QVariant::fromValue(m.attachments);
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
            {AttachmentsRole, "attachments"},
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
    if (isDuplicate(message) || replaceKnown(message))
        return false;
    const int row = int(m_lines.size());
    beginInsertRows({}, row, row);
    m_lines.append(message);
    // A deleted message carries no time: it stays in the day of the line before it.
    if (!m_lines.last().at.isValid())
        m_lines.last().at = row > 0 ? m_lines.at(row - 1).at : QDateTime::currentDateTimeUtc();
    remember(message);
    endInsertRows();
    return true;
}

int MessageModel::prependOlder(const QList<ChatMessage> &older)
{
    QList<ChatMessage> fresh;
    for (const ChatMessage &m : older) {
        if (!isDuplicate(m) && !replaceKnown(m))
            fresh.append(m);
    }
    if (fresh.isEmpty())
        return 0;
    for (int i = int(fresh.size()) - 1; i >= 0; --i) {
        if (!fresh.at(i).at.isValid())
            fresh[i].at = i + 1 < fresh.size() ? fresh.at(i + 1).at
                          : m_lines.isEmpty()  ? QDateTime::currentDateTimeUtc()
                                               : m_lines.first().at;
    }
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

int MessageModel::rowOfId(qint64 id) const
{
    if (id <= 0 || !m_signatures.contains(id))
        return -1;
    // Newest first: edits, reactions and replies are mostly about recent lines.
    for (int row = int(m_lines.size()) - 1; row >= 0; --row) {
        const ChatMessage &m = m_lines.at(row);
        if (m.id == id && !m.isSystem() && !m.pending)
            return row;
    }
    return -1;
}

bool MessageModel::replaceKnown(const ChatMessage &message)
{
    if (message.isSystem() || message.pending)
        return false;
    const int row = rowOfId(message.id);
    if (row < 0)
        return false;
    const ChatMessage &held = m_lines.at(row);
    // Same id, other content and neither side edited or deleted: a server that forgot its
    // ids (restarted without storage); that message is new, not a change.
    if (!message.deleted && !message.editedAt.isValid() && !held.deleted &&
        !held.editedAt.isValid())
        return false;
    replaceRow(row, message);
    return true;
}

void MessageModel::replaceRow(int row, ChatMessage message)
{
    const ChatMessage &held = m_lines.at(row);
    message.own = held.own;
    message.mention = held.mention && !message.deleted;
    if (message.deleted) {
        // Keep the author and time: the placeholder stays where the message was, in its day.
        message.user = held.user;
        message.at = held.at;
        message.body.clear();
        message.reactions.clear();
        message.attachments.clear();
    }
    m_lines[row] = message;
    remember(message);
    rowChanged(row);
    refreshQuotesOf(message);
}

bool MessageModel::applyEdit(qint64 id, const QString &body, const QDateTime &editedAt)
{
    const int row = rowOfId(id);
    if (row < 0 || m_lines.at(row).deleted)
        return false;
    ChatMessage m = m_lines.at(row);
    m.body = body;
    m.editedAt = editedAt.isValid() ? editedAt : QDateTime::currentDateTimeUtc();
    replaceRow(row, m);
    return true;
}

bool MessageModel::applyDeletion(qint64 id)
{
    const int row = rowOfId(id);
    if (row < 0)
        return false;
    ChatMessage m = m_lines.at(row);
    m.deleted = true;
    replaceRow(row, m);
    return true;
}

bool MessageModel::applyReactions(qint64 id,
                                  const QList<std::pair<QString, QStringList>> &reactions)
{
    const int row = rowOfId(id);
    if (row < 0)
        return false;
    m_lines[row].reactions = reactions;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {ReactionsRole});
    return true;
}

bool MessageModel::applyAttachments(qint64 id, const QList<Attachment> &attachments)
{
    const int row = rowOfId(id);
    if (row < 0 || m_lines.at(row).deleted)
        return false;
    m_lines[row].attachments = attachments;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {AttachmentsRole});
    return true;
}

int MessageModel::applyChanges(const QList<ChatMessage> &changes)
{
    int count = 0;
    for (const ChatMessage &change : changes) {
        const int row = rowOfId(change.id);
        if (row < 0)
            continue;
        replaceRow(row, change);
        ++count;
    }
    return count;
}

void MessageModel::clear()
{
    beginResetModel();
    m_lines.clear();
    m_signatures.clear();
    m_lastId = 0;
    endResetModel();
}

int MessageModel::lastOwnEditableRow() const
{
    for (int row = int(m_lines.size()) - 1; row >= 0; --row) {
        const ChatMessage &m = m_lines.at(row);
        if (m.own && !m.isSystem() && !m.pending && !m.deleted && m.id > 0)
            return row;
    }
    return -1;
}

void MessageModel::refreshQuotesOf(const ChatMessage &parent)
{
    for (int row = 0; row < m_lines.size(); ++row) {
        ChatMessage &m = m_lines[row];
        if (m.replyTo != parent.id || m.isSystem())
            continue;
        m.quoteDeleted = parent.deleted;
        m.quoteBody = parent.deleted ? QString() : parent.body.left(QuoteLength);
        const QModelIndex changed = index(row);
        Q_EMIT dataChanged(changed, changed, {QuoteBodyRole, QuoteDeletedRole, Qt::DisplayRole});
    }
}

void MessageModel::rowChanged(int row)
{
    const int last = qMin(row + 1, int(m_lines.size()) - 1);
    Q_EMIT dataChanged(index(row), index(last));
}

} // namespace chatter::client
