// SPDX-License-Identifier: MIT
#pragma once

#include "adminrecords.h"

#include <QAbstractTableModel>

namespace chatter::monitor {

//! The stored audit log (Engine::requestAudit()): logins, failed logins, admin actions, CLI
//! changes. Rows keep the engine's order, newest first. A read that brings new entries resets
//! the table (new rows go on top; a few hundred rows, a few times a minute at most); a read
//! that brings none changes nothing, so a selection survives the periodic refresh.
class AuditTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Actor,
        Action,
        Target,
        Address,
        Detail,
        ColumnCount
    };

    explicit AuditTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    //! `entries` newest first, as Engine::auditReady() delivers them.
    void applyEntries(const QList<server::AuditRow> &entries);
    const QList<server::AuditRow> &rows() const { return m_rows; }

private:
    QList<server::AuditRow> m_rows;
};

} // namespace chatter::monitor
