// SPDX-License-Identifier: MIT
#include "audittablemodel.h"

namespace chatter::monitor {

using server::AuditRow;

AuditTableModel::AuditTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int AuditTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void AuditTableModel::applyEntries(const QList<AuditRow> &entries)
{
    // Entries never change: the same newest id and count is the same log.
    const auto newest = [](const QList<AuditRow> &list) {
        return list.isEmpty() ? qint64(0) : list.first().id;
    };
    if (newest(entries) == newest(m_rows) && entries.size() == m_rows.size())
        return;
    beginResetModel();
    m_rows = entries;
    endResetModel();
}

QVariant AuditTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AuditRow &e = m_rows.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == Time)
        return e.at.toString(Qt::ISODateWithMs);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time: {
        const QDateTime local = e.at.toLocalTime();
        return local.date() == QDate::currentDate()
                   ? local.toString(QStringLiteral("HH:mm:ss"))
                   : local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    }
    case Actor:
        return e.actor;
    case Action:
        return e.action;
    case Target:
        return e.target;
    case Address:
        return e.address;
    case Detail:
        return e.detail;
    default:
        return {};
    }
}

QVariant AuditTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Actor:
        return tr("Who");
    case Action:
        return tr("Action");
    case Target:
        return tr("Target");
    case Address:
        return tr("Address");
    case Detail:
        return tr("Detail");
    default:
        return {};
    }
}

} // namespace chatter::monitor
