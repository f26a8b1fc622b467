// SPDX-License-Identifier: MIT
#include "eventlogmodel.h"

#include "monitorpalette.h"

#include <QGuiApplication>
#include <QPalette>

namespace chatter::monitor {

using server::EngineEvent;

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent), m_capacity(std::max(1, capacity))
{}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_events.at(size_t(index.row()));
    const EngineEvent &e = entry.event;
    if (role == Qt::ToolTipRole && index.column() == Details)
        return e.text;
    if (role == Qt::ForegroundRole && index.column() == Kind) {
        // Colours derive from the palette, so they read in light and dark themes alike.
        if (entry.note)
            return QGuiApplication::palette().color(QPalette::PlaceholderText);
        switch (e.kind) {
        case EngineEvent::Kind::Refused:
        case EngineEvent::Kind::ProtocolError:
        case EngineEvent::Kind::SlowReader:
            return MonitorPalette::warning(QGuiApplication::palette());
        case EngineEvent::Kind::Admin:
            return QGuiApplication::palette().color(QPalette::Link);
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return e.at.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
    case Kind:
        return entry.note ? tr("monitor") : EngineEvent::kindName(e.kind);
    case Socket:
        return e.socket ? QString::number(e.socket) : QString();
    case User:
        return e.user;
    case Topic:
        return e.topic;
    case Details:
        return e.text;
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Kind:
        return tr("Event");
    case Socket:
        return tr("Socket");
    case User:
        return tr("Nickname");
    case Topic:
        return tr("Topic");
    case Details:
        return tr("Details");
    default:
        return {};
    }
}

void EventLogModel::append(const QList<EngineEvent> &events)
{
    std::vector<Entry> entries;
    entries.reserve(size_t(std::min<qsizetype>(events.size(), m_capacity)));
    // Only the newest `capacity` of a batch can survive; skip the rest outright.
    for (qsizetype i = std::max<qsizetype>(0, events.size() - m_capacity); i < events.size(); ++i)
        entries.push_back(Entry{events.at(i), false});
    appendEntries(std::move(entries));
}

void EventLogModel::appendNote(const QString &text)
{
    EngineEvent note;
    note.at = QDateTime::currentDateTimeUtc();
    note.text = text;
    appendEntries({Entry{note, true}});
}

void EventLogModel::appendEntries(std::vector<Entry> entries)
{
    if (entries.empty())
        return;
    const qsizetype overflow = qsizetype(m_events.size() + entries.size()) - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow - 1));
        m_events.erase(m_events.begin(), m_events.begin() + overflow);
        endRemoveRows();
    }
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(entries.size()) - 1);
    for (Entry &entry : entries)
        m_events.push_back(std::move(entry));
    endInsertRows();
}

void EventLogModel::clear()
{
    beginResetModel();
    m_events.clear();
    endResetModel();
}

QString EventLogModel::rowText(int row) const
{
    QStringList cells;
    for (int column = 0; column < ColumnCount; ++column)
        cells.append(data(index(row, column)).toString());
    return cells.join(QLatin1Char('\t'));
}

} // namespace chatter::monitor
