// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <algorithm>

namespace chatter::monitor {

//! A table whose rows are replaced wholesale by snapshots, but announced to views as the
//! smallest set of changes: rows that went are removed, rows that came are appended, rows that
//! changed get dataChanged in coalesced ranges. Selection and scroll position survive a refresh,
//! and a sorted proxy only re-sorts what moved. A change larger than half the table is a reset,
//! which is cheaper than thousands of separate notifications.
template <typename Row, typename Key> class KeyedTableModel : public QAbstractTableModel
{
public:
    struct Changes
    {
        qsizetype inserted = 0;
        qsizetype removed = 0;
        qsizetype updated = 0;
        bool reset = false;
    };

    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }
    const QList<Row> &rows() const { return m_rows; }
    //! -1 when no row has that key.
    int rowOfKey(const Key &key) const { return int(m_index.value(key, -1)); }

protected:
    virtual Key keyOf(const Row &row) const = 0;
    virtual bool sameContent(const Row &a, const Row &b) const = 0;

    Changes replaceRows(QList<Row> incoming)
    {
        Changes changes;
        QHash<Key, qsizetype> incomingIndex;
        incomingIndex.reserve(incoming.size());
        for (qsizetype i = 0; i < incoming.size(); ++i)
            incomingIndex.insert(keyOf(incoming.at(i)), i);

        for (const Row &row : std::as_const(m_rows))
            changes.removed += incomingIndex.contains(keyOf(row)) ? 0 : 1;
        changes.inserted = incoming.size() - (m_rows.size() - changes.removed);

        // Many small notifications cost more than one reset once most of the table changes.
        const qsizetype churn = changes.removed + changes.inserted;
        if (!m_rows.isEmpty() && churn > std::max<qsizetype>(256, m_rows.size() / 2)) {
            beginResetModel();
            m_rows = std::move(incoming);
            m_index = std::move(incomingIndex);
            endResetModel();
            changes.reset = true;
            return changes;
        }

        if (changes.removed > 0)
            removeMissing(incomingIndex);
        changes.updated = updateKept(incoming, incomingIndex);
        if (changes.inserted > 0)
            appendNew(incoming);
        return changes;
    }

private:
    // Back to front, one beginRemoveRows per contiguous run, so row numbers stay valid.
    void removeMissing(const QHash<Key, qsizetype> &incomingIndex)
    {
        qsizetype row = m_rows.size() - 1;
        while (row >= 0) {
            if (incomingIndex.contains(keyOf(m_rows.at(row)))) {
                --row;
                continue;
            }
            const qsizetype last = row;
            while (row > 0 && !incomingIndex.contains(keyOf(m_rows.at(row - 1))))
                --row;
            beginRemoveRows({}, int(row), int(last));
            m_rows.remove(row, last - row + 1);
            endRemoveRows();
            --row;
        }
        m_index.clear();
        m_index.reserve(m_rows.size());
        for (qsizetype i = 0; i < m_rows.size(); ++i)
            m_index.insert(keyOf(m_rows.at(i)), i);
    }

    // Changed rows close together are announced as one range: repainting a few unchanged rows
    // is cheaper than one more signal through the proxy.
    qsizetype updateKept(const QList<Row> &incoming, const QHash<Key, qsizetype> &incomingIndex)
    {
        constexpr qsizetype MaxGap = 64;
        qsizetype updated = 0;
        qsizetype first = -1;
        qsizetype last = -1;
        const int lastColumn = columnCount() - 1;
        for (qsizetype row = 0; row < m_rows.size(); ++row) {
            const Row &fresh = incoming.at(incomingIndex.value(keyOf(m_rows.at(row))));
            if (sameContent(m_rows.at(row), fresh))
                continue;
            m_rows[row] = fresh;
            ++updated;
            if (first >= 0 && row - last > MaxGap) {
                Q_EMIT this->dataChanged(index(int(first), 0), index(int(last), lastColumn));
                first = -1;
            }
            if (first < 0)
                first = row;
            last = row;
        }
        if (first >= 0)
            Q_EMIT this->dataChanged(index(int(first), 0), index(int(last), lastColumn));
        return updated;
    }

    // New rows keep the snapshot's order and go to the end in one insertion.
    void appendNew(const QList<Row> &incoming)
    {
        QList<Row> fresh;
        for (const Row &row : incoming) {
            if (!m_index.contains(keyOf(row)))
                fresh.append(row);
        }
        if (fresh.isEmpty())
            return;
        const qsizetype first = m_rows.size();
        beginInsertRows({}, int(first), int(first + fresh.size() - 1));
        for (const Row &row : std::as_const(fresh)) {
            m_index.insert(keyOf(row), m_rows.size());
            m_rows.append(row);
        }
        endInsertRows();
    }

    QList<Row> m_rows;
    QHash<Key, qsizetype> m_index;
};

} // namespace chatter::monitor
