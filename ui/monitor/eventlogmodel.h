// SPDX-License-Identifier: MIT
#pragma once

#include "eventlog.h"

#include <QAbstractTableModel>

#include <deque>
#include <vector>

namespace chatter::monitor {

//! The engine's recent events, oldest first, bounded: past the capacity the oldest rows go.
//! Rows arrive in batches (one per poll), never one by one.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Kind,
        Socket,
        User,
        Topic,
        Details,
        ColumnCount
    };

    explicit EventLogModel(int capacity = 10'000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void append(const QList<server::EngineEvent> &events);
    //! A line of the monitor's own (e.g. "120 events dropped"), shown like an event.
    void appendNote(const QString &text);
    void clear();
    int capacity() const { return m_capacity; }
    const server::EngineEvent &event(int row) const { return m_events.at(size_t(row)).event; }
    //! One row as tab-separated text, for the clipboard.
    QString rowText(int row) const;

private:
    struct Entry
    {
        server::EngineEvent event;
        bool note = false; //!< written by the monitor, not recorded by the engine
    };
    void appendEntries(std::vector<Entry> entries);

    std::deque<Entry> m_events;
    int m_capacity;
};

} // namespace chatter::monitor
