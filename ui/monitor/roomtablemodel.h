// SPDX-License-Identifier: MIT
#pragma once

#include "enginesnapshot.h"
#include "keyedtablemodel.h"

#include <QDateTime>
#include <QHash>

#include <deque>

namespace chatter::monitor {

//! One room as the monitor shows it: the engine's row plus a rate derived between snapshots.
struct RoomStats
{
    server::RoomRow room;
    double messagesPerMinute = 0;
};

//! The engine's rooms. The engine only reports each room's total message count; the rate is
//! the difference between snapshots over the last minute.
class RoomTableModel : public KeyedTableModel<RoomStats, QString>
{
    Q_OBJECT
public:
    enum Column
    {
        Topic,
        Members,
        PerMinute,
        Messages,
        LastActivity,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int NameRole = Qt::UserRole + 2;

    explicit RoomTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Changes applySnapshot(const QList<server::RoomRow> &rooms, const QDateTime &takenAt);
    QStringList roomNames() const;

protected:
    QString keyOf(const RoomStats &row) const override { return row.room.name; }
    bool sameContent(const RoomStats &a, const RoomStats &b) const override;

private:
    struct Sample
    {
        qint64 atMs;
        qint64 messages;
    };
    double rateOf(const server::RoomRow &room, qint64 nowMs);

    //! Per room, samples at least SampleSpacingMs apart covering the last WindowMs: a handful
    //! per room however often snapshots arrive.
    QHash<QString, std::deque<Sample>> m_history;
};

} // namespace chatter::monitor
