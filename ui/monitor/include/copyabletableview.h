// SPDX-License-Identifier: MIT
#pragma once

#include <QTableView>

class QAction;

namespace chatter::monitor {

//! A table view whose selected rows copy to the clipboard as text (Ctrl+C or the context
//! menu): one line per row, cells separated by tabs, visible columns in view order.
class CopyableTableView : public QTableView
{
    Q_OBJECT
public:
    explicit CopyableTableView(QWidget *parent = nullptr);

    //! The selected rows as they would be copied.
    QString selectedText() const;
    void copySelection() const;
    QAction *copyAction() const { return m_copy; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QAction *m_copy = nullptr;
};

} // namespace chatter::monitor
