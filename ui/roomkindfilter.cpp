// SPDX-License-Identifier: MIT
#include "roomkindfilter.h"

namespace chatter::ui {

using client::RoomListModel;

RoomKindFilter::RoomKindFilter(QList<RoomListModel::Kind> kinds, QObject *parent)
    : QSortFilterProxyModel(parent), m_kinds(std::move(kinds))
{
    // The kind of a row changes when its join reply says it is private or a group.
    setDynamicSortFilter(true);
    setFilterRole(RoomListModel::KindRole);
}

bool RoomKindFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return m_kinds.contains(RoomListModel::Kind(index.data(RoomListModel::KindRole).toInt()));
}

int RoomKindFilter::rowOf(const QString &name) const
{
    for (int row = 0; row < rowCount(); ++row) {
        if (index(row, 0).data(RoomListModel::NameRole).toString() == name)
            return row;
    }
    return -1;
}

QStringList RoomKindFilter::names() const
{
    QStringList out;
    for (int row = 0; row < rowCount(); ++row)
        out << index(row, 0).data(RoomListModel::NameRole).toString();
    return out;
}

} // namespace chatter::ui
