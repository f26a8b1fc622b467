// SPDX-License-Identifier: MIT
#include "bantablemodel.h"

namespace chatter::monitor {

using server::BanRow;

namespace {

QString when(const QDateTime &at)
{
    const QDateTime local = at.toLocalTime();
    return local.date() == QDate::currentDate()
               ? local.toString(QStringLiteral("HH:mm:ss"))
               : local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

BanTableModel::BanTableModel(QObject *parent) : KeyedTableModel(parent) {}

int BanTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BanTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BanRow &b = rows().at(index.row());
    if (role == IdRole)
        return b.id;
    if (role == Qt::ToolTipRole && index.column() == Until && !b.until.isNull())
        return b.until.toString(Qt::ISODate);
    if (role == SortRole) {
        switch (index.column()) {
        case Until:
            // Until lifted sorts after every end.
            return b.until.isNull() ? QStringLiteral("~") : b.until.toString(Qt::ISODateWithMs);
        case Since:
            return b.createdAt.toString(Qt::ISODateWithMs);
        default:
            break;
        }
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case Target:
        return b.target;
    case Reason:
        return b.reason;
    case Until:
        return b.until.isNull() ? tr("until lifted") : when(b.until);
    case By:
        return b.createdBy;
    case Since:
        return when(b.createdAt);
    default:
        return {};
    }
}

QVariant BanTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Target:
        return tr("Banned");
    case Reason:
        return tr("Reason");
    case Until:
        return tr("Until");
    case By:
        return tr("By");
    case Since:
        return tr("Since");
    default:
        return {};
    }
}

bool BanTableModel::sameContent(const BanRow &a, const BanRow &b) const
{
    return a.target == b.target && a.reason == b.reason && a.until == b.until &&
           a.createdBy == b.createdBy && a.createdAt == b.createdAt;
}

} // namespace chatter::monitor
