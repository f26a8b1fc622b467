// SPDX-License-Identifier: MIT
#pragma once

#include "roomlistmodel.h"

#include <QSortFilterProxyModel>

namespace chatter::ui {

//! One part of the session's conversation list: the rooms (public and private), or the direct
//! and group conversations, each shown in its own list of the window's left pane.
class RoomKindFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    RoomKindFilter(QList<client::RoomListModel::Kind> kinds, QObject *parent = nullptr);

    //! The proxy row of the conversation `name`, -1 when it is not in this part.
    int rowOf(const QString &name) const;
    QStringList names() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QList<client::RoomListModel::Kind> m_kinds;
};

} // namespace chatter::ui
