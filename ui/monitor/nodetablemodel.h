// SPDX-License-Identifier: MIT
#pragma once

#include "enginesnapshot.h"
#include "keyedtablemodel.h"

namespace chatter::monitor {

//! The nodes of the cluster (Engine::nodesChanged), one row per node id, this node first.
class NodeTableModel : public KeyedTableModel<server::NodeRow, QString>
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Address,
        Connections,
        MessagesIn,
        MessagesOut,
        Started,
        LastSeen,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit NodeTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Changes applyNodes(const QList<server::NodeRow> &nodes) { return replaceRows(nodes); }

protected:
    QString keyOf(const server::NodeRow &row) const override { return row.id; }
    bool sameContent(const server::NodeRow &a, const server::NodeRow &b) const override;
};

} // namespace chatter::monitor
