// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace chatter::client {
class ChatSession;
class Search;
} // namespace chatter::client

namespace chatter::ui {

//! Ctrl+F: a query field, the scope (every conversation of the account, or the one shown),
//! and the results grouped by conversation with their highlighted snippets
//! (SearchResultDelegate). Enter in the field searches; Enter or a click on a result asks to
//! open the conversation at that message (openRequested). It observes client::Search only:
//! the protocol is the library's. GUI thread.
class SearchPane : public QWidget
{
    Q_OBJECT
public:
    explicit SearchPane(client::ChatSession *session, QWidget *parent = nullptr);

    QLineEdit *queryEdit() const { return m_query; }
    QTreeView *resultView() const { return m_results; }
    QComboBox *scopeBox() const { return m_scope; }
    QPushButton *moreButton() const { return m_more; }
    QLabel *statusLabel() const { return m_status; }
    //! Shows the pane with the field focused and its text selected.
    void activate();
    //! Searches the field's text in the chosen scope.
    void runSearch();

Q_SIGNALS:
    void openRequested(const QString &room, qint64 id);
    //! Escape: the pane is hidden; the window puts the focus back.
    void closed();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateScopes();
    void updateStatus();
    void openIndex(const QModelIndex &index);

    client::ChatSession *m_session;
    client::Search *m_search;
    QComboBox *m_scope;
    QLineEdit *m_query;
    QLabel *m_status;
    QTreeView *m_results;
    QPushButton *m_more;
    QString m_error;
    //! "All conversations" was chosen when there was no personal topic to search.
    bool m_scopeForced = false;
};

} // namespace chatter::ui
