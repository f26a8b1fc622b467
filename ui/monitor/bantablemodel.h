// SPDX-License-Identifier: MIT
#pragma once

#include "adminrecords.h"
#include "keyedtablemodel.h"

namespace chatter::monitor {

//! The engine's stored bans in force (Engine::activeBans()), one row per ban.
class BanTableModel : public KeyedTableModel<server::BanRow, qint64>
{
    Q_OBJECT
public:
    enum Column
    {
        Target,
        Reason,
        Until,
        By,
        Since,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int IdRole = Qt::UserRole + 2;

    explicit BanTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    Changes applyBans(const QList<server::BanRow> &bans) { return replaceRows(bans); }

protected:
    qint64 keyOf(const server::BanRow &row) const override { return row.id; }
    bool sameContent(const server::BanRow &a, const server::BanRow &b) const override;
};

} // namespace chatter::monitor
