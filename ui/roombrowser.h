// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace chatter::client {
class ChatSession;
}

namespace chatter::ui {

//! Browse Rooms: every room on the server with its people and last activity, filtered as
//! you type; Enter or double-click joins. The directory is watched only while this is open.
class RoomBrowser : public QDialog
{
    Q_OBJECT
public:
    explicit RoomBrowser(client::ChatSession *session, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void joinSelected();
    void updateJoinButton();

    client::ChatSession *m_session;
    QLineEdit *m_filter;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QPushButton *m_join;
};

} // namespace chatter::ui
