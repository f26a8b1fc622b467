// SPDX-License-Identifier: MIT
#include "searchresultsmodel.h"

#include <QJsonArray>
#include <QLocale>

namespace chatter::client {

namespace {

//! Children carry their group's row + 1 as the internal id; conversation rows carry 0.
constexpr quintptr TopLevel = 0;

} // namespace

std::optional<SearchResult> SearchResult::fromJson(const QJsonObject &json)
{
    SearchResult result;
    result.topic = json.value(QLatin1String("topic")).toString();
    result.room = json.value(QLatin1String("room")).toString();
    result.id = qint64(json.value(QLatin1String("id")).toDouble());
    if (result.room.isEmpty() || result.id <= 0)
        return std::nullopt;
    result.user = json.value(QLatin1String("user")).toString();
    result.at =
        QDateTime::fromString(json.value(QLatin1String("at")).toString(), Qt::ISODateWithMs);
    result.snippet = json.value(QLatin1String("snippet")).toString();
    const int length = int(result.snippet.size());
    for (const QJsonValue &range : json.value(QLatin1String("highlights")).toArray()) {
        const QJsonArray pair = range.toArray();
        if (pair.size() != 2 || !pair.at(0).isDouble() || !pair.at(1).isDouble())
            continue;
        const qint64 start = qint64(pair.at(0).toDouble());
        const qint64 count = qint64(pair.at(1).toDouble());
        if (start < 0 || count <= 0 || start >= length)
            continue;
        result.highlights.append({int(start), int(qMin<qint64>(count, length - start))});
    }
    return result;
}

SearchResultsModel::SearchResultsModel(QObject *parent) : QAbstractItemModel(parent) {}

QModelIndex SearchResultsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_groups.size() ? createIndex(row, 0, TopLevel) : QModelIndex();
    if (parent.internalId() != TopLevel || parent.row() >= m_groups.size() ||
        row >= m_groups.at(parent.row()).results.size())
        return {};
    return createIndex(row, 0, quintptr(parent.row()) + 1);
}

QModelIndex SearchResultsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == TopLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, TopLevel);
}

int SearchResultsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.internalId() != TopLevel || parent.column() != 0)
        return 0;
    return int(m_groups.at(parent.row()).results.size());
}

int SearchResultsModel::columnCount(const QModelIndex &) const
{
    return 1;
}

const SearchResult *SearchResultsModel::resultAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() == TopLevel)
        return nullptr;
    const qsizetype group = qsizetype(index.internalId() - 1);
    if (group >= m_groups.size() || index.row() >= m_groups.at(group).results.size())
        return nullptr;
    return &m_groups.at(group).results.at(index.row());
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() == TopLevel) {
        const Group &group = m_groups.at(index.row());
        switch (role) {
        case Qt::DisplayRole:
        case TitleRole:
            return m_title ? m_title(group.room) : group.room;
        case GroupRole:
            return true;
        case RoomRole:
            return group.room;
        case TopicRole:
            return group.topic;
        case CountRole:
            return int(group.results.size());
        default:
            return {};
        }
    }
    const SearchResult *result = resultAt(index);
    if (!result)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return result->user + QStringLiteral(": ") + result->snippet;
    case Qt::AccessibleTextRole:
        return tr("%1, %2: %3")
            .arg(result->user, QLocale().toString(result->at.toLocalTime(), QLocale::ShortFormat),
                 result->snippet);
    case GroupRole:
        return false;
    case RoomRole:
        return result->room;
    case TopicRole:
        return result->topic;
    case TitleRole:
        return m_title ? m_title(result->room) : result->room;
    case IdRole:
        return result->id;
    case UserRole:
        return result->user;
    case AtRole:
        return result->at;
    case SnippetRole:
        return result->snippet;
    case HighlightsRole: {
        QVariantList ranges;
        for (const auto &[start, length] : result->highlights)
            ranges.append(QVariant(QVariantList{start, length}));
        return ranges;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchResultsModel::roleNames() const
{
    return {{Qt::DisplayRole, "display"},
            {GroupRole, "group"},
            {RoomRole, "room"},
            {TopicRole, "topic"},
            {TitleRole, "title"},
            {CountRole, "count"},
            {IdRole, "id"},
            {UserRole, "user"},
            {AtRole, "at"},
            {SnippetRole, "snippet"},
            {HighlightsRole, "highlights"}};
}

void SearchResultsModel::setTitleFunction(std::function<QString(const QString &)> title)
{
    m_title = std::move(title);
    if (!m_groups.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_groups.size()) - 1, 0), {Qt::DisplayRole});
}

void SearchResultsModel::clear()
{
    beginResetModel();
    m_groups.clear();
    endResetModel();
}

int SearchResultsModel::groupOf(const QString &room) const
{
    for (int row = 0; row < m_groups.size(); ++row) {
        if (m_groups.at(row).room == room)
            return row;
    }
    return -1;
}

void SearchResultsModel::appendPage(const QList<SearchResult> &page)
{
    for (const SearchResult &result : page) {
        int group = groupOf(result.room);
        if (group < 0) {
            group = int(m_groups.size());
            beginInsertRows({}, group, group);
            m_groups.append({result.room, result.topic, {}});
            endInsertRows();
        }
        const QModelIndex parent = index(group, 0);
        const int row = int(m_groups.at(group).results.size());
        beginInsertRows(parent, row, row);
        m_groups[group].results.append(result);
        endInsertRows();
        Q_EMIT dataChanged(parent, parent, {CountRole});
    }
}

int SearchResultsModel::resultCount() const
{
    int count = 0;
    for (const Group &group : m_groups)
        count += int(group.results.size());
    return count;
}

} // namespace chatter::client
