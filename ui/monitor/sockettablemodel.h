// SPDX-License-Identifier: MIT
#pragma once

#include "enginesnapshot.h"
#include "keyedtablemodel.h"

#include <optional>

namespace chatter::monitor {

//! The engine's open sockets, one row per socket id, refreshed from snapshots.
class SocketTableModel : public KeyedTableModel<server::SocketRow, quint64>
{
    Q_OBJECT
public:
    enum Column
    {
        Id,
        Peer,
        Nickname,
        Client,
        Transport,
        Protocol,
        ConnectedSince,
        Topics,
        MessagesIn,
        MessagesOut,
        BytesIn,
        BytesOut,
        LastHeartbeat,
        Queued,
        ColumnCount
    };
    //! The raw value (number, date) that sorting compares, where the display text would not sort.
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int IdRole = Qt::UserRole + 2;

    explicit SocketTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Changes applySnapshot(const QList<server::SocketRow> &sockets);
    std::optional<server::SocketRow> socket(quint64 id) const;

    //! "chatter:room:lobby" → "#lobby"; other topics unchanged.
    static QString displayTopic(const QString &topic);

protected:
    quint64 keyOf(const server::SocketRow &row) const override { return row.id; }
    bool sameContent(const server::SocketRow &a, const server::SocketRow &b) const override;
};

} // namespace chatter::monitor
