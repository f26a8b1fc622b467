// SPDX-License-Identifier: MIT
#pragma once

#include "enginesnapshot.h"
#include "keyedtablemodel.h"

#include <optional>

namespace chatter::monitor {

//! A socket's row: its id, and in a cluster the node it is on (empty: this node; socket ids
//! are per node).
struct SocketKey
{
    SocketKey(quint64 socketId = 0, QString node = {}) : id(socketId), nodeId(std::move(node)) {}
    quint64 id;
    QString nodeId;
    friend bool operator==(const SocketKey &, const SocketKey &) = default;
};

inline size_t qHash(const SocketKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.id, key.nodeId);
}

//! The engine's open sockets, one row per socket (in a cluster, the other nodes' too, as
//! they last listed them), refreshed from snapshots.
class SocketTableModel : public KeyedTableModel<server::SocketRow, SocketKey>
{
    Q_OBJECT
public:
    enum Column
    {
        Id,
        Node,
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
    //! SocketRow::nodeId: empty for this node's sockets.
    static constexpr int NodeIdRole = Qt::UserRole + 3;

    explicit SocketTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Changes applySnapshot(const QList<server::SocketRow> &sockets);
    std::optional<server::SocketRow> socket(quint64 id, const QString &nodeId = {}) const;

    //! "chatter:room:lobby" → "#lobby"; other topics unchanged.
    static QString displayTopic(const QString &topic);

protected:
    SocketKey keyOf(const server::SocketRow &row) const override { return {row.id, row.nodeId}; }
    bool sameContent(const server::SocketRow &a, const server::SocketRow &b) const override;
};

} // namespace chatter::monitor
