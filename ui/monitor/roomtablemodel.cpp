// SPDX-License-Identifier: MIT
#include "roomtablemodel.h"

#include "textformat.h"
#include "topics.h"

#include <QLocale>
#include <QSet>

namespace chatter::monitor {

using server::RoomRow;

namespace {
constexpr qint64 WindowMs = 60'000;
constexpr qint64 SampleSpacingMs = 5'000;
} // namespace

RoomTableModel::RoomTableModel(QObject *parent) : KeyedTableModel(parent) {}

int RoomTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoomTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RoomStats &r = rows().at(index.row());
    if (role == NameRole)
        return r.room.name;
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() != Topic && index.column() != LastActivity;
        return QVariant::fromValue(Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                         : Qt::AlignLeft | Qt::AlignVCenter));
    }
    if (role == Qt::ToolTipRole && index.column() == LastActivity)
        return r.room.lastActivityAt;
    if (role == SortRole) {
        switch (index.column()) {
        case Members:
            return r.room.members;
        case PerMinute:
            return r.messagesPerMinute;
        case Messages:
            return r.room.messages;
        case LastActivity:
            return r.room.lastActivityAt; // ISO 8601 sorts as text
        default:
            break;
        }
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case Topic:
        return topics::room(r.room.name);
    case Members:
        return QLocale().toString(r.room.members);
    case PerMinute:
        return TextFormat::rate(r.messagesPerMinute);
    case Messages:
        return QLocale().toString(r.room.messages);
    case LastActivity: {
        const QDateTime at = QDateTime::fromString(r.room.lastActivityAt, Qt::ISODateWithMs);
        if (!at.isValid())
            return QStringLiteral("—");
        const QDateTime local = at.toLocalTime();
        return local.date() == QDate::currentDate()
                   ? local.toString(QStringLiteral("HH:mm:ss"))
                   : local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    default:
        return {};
    }
}

QVariant RoomTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Topic:
        return tr("Topic");
    case Members:
        return tr("Members");
    case PerMinute:
        return tr("Msgs/min");
    case Messages:
        return tr("Messages");
    case LastActivity:
        return tr("Last activity");
    default:
        return {};
    }
}

RoomTableModel::Changes RoomTableModel::applySnapshot(const QList<RoomRow> &rooms,
                                                      const QDateTime &takenAt)
{
    const qint64 nowMs = takenAt.toMSecsSinceEpoch();
    QList<RoomStats> stats;
    stats.reserve(rooms.size());
    for (const RoomRow &room : rooms)
        stats.append(RoomStats{room, rateOf(room, nowMs)});
    if (m_history.size() > rooms.size()) {
        // Forget rooms the engine no longer reports.
        QSet<QString> present;
        for (const RoomRow &room : rooms)
            present.insert(room.name);
        m_history.removeIf([&](const auto &entry) { return !present.contains(entry.key()); });
    }
    return replaceRows(std::move(stats));
}

double RoomTableModel::rateOf(const RoomRow &room, qint64 nowMs)
{
    std::deque<Sample> &samples = m_history[room.name];
    while (samples.size() > 1 && nowMs - samples[1].atMs >= WindowMs)
        samples.pop_front();
    if (samples.empty() || nowMs - samples.back().atMs >= SampleSpacingMs)
        samples.push_back({nowMs, room.messages});
    const Sample &oldest = samples.front();
    const qint64 elapsedMs = nowMs - oldest.atMs;
    // Under a second of history says nothing about a per-minute rate yet.
    if (elapsedMs < 1000)
        return 0;
    return double(room.messages - oldest.messages) * 60'000.0 / double(elapsedMs);
}

QStringList RoomTableModel::roomNames() const
{
    QStringList names;
    names.reserve(rows().size());
    for (const RoomStats &r : rows())
        names.append(r.room.name);
    names.sort(Qt::CaseInsensitive);
    return names;
}

bool RoomTableModel::sameContent(const RoomStats &a, const RoomStats &b) const
{
    return a.room.members == b.room.members && a.room.messages == b.room.messages &&
           a.messagesPerMinute == b.messagesPerMinute &&
           a.room.lastActivityAt == b.room.lastActivityAt;
}

} // namespace chatter::monitor
