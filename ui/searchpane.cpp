// SPDX-License-Identifier: MIT
#include "searchpane.h"

#include "chatsession.h"
#include "search.h"
#include "searchresultdelegate.h"
#include "searchresultsmodel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QTreeView>
#include <QVBoxLayout>

namespace chatter::ui {

using client::Search;
using client::SearchResultsModel;

SearchPane::SearchPane(client::ChatSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_search(session->search()), m_scope(new QComboBox),
      m_query(new QLineEdit), m_status(new QLabel), m_results(new QTreeView),
      m_more(new QPushButton(tr("More results")))
{
    setObjectName(QStringLiteral("searchPane"));
    setAccessibleName(tr("Search"));
    m_query->setObjectName(QStringLiteral("searchEdit"));
    m_query->setAccessibleName(tr("Search messages"));
    m_query->setPlaceholderText(tr("Search messages (Enter)"));
    m_query->setClearButtonEnabled(true);
    m_query->installEventFilter(this);
    m_scope->setObjectName(QStringLiteral("searchScope"));
    m_scope->setAccessibleName(tr("Search in"));
    m_scope->addItem(tr("All conversations"), int(Search::Scope::Everywhere));
    m_scope->addItem(tr("This conversation"), int(Search::Scope::Conversation));
    m_status->setObjectName(QStringLiteral("searchStatus"));
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_results->setObjectName(QStringLiteral("searchResults"));
    m_results->setAccessibleName(tr("Search results"));
    m_results->setModel(m_search->results());
    m_results->setItemDelegate(new SearchResultDelegate(m_results));
    m_results->setHeaderHidden(true);
    m_results->setRootIsDecorated(false);
    m_results->setIndentation(8);
    m_results->setItemsExpandable(false);
    m_results->setExpandsOnDoubleClick(false);
    m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_results->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_results->setWordWrap(true);
    m_more->setObjectName(QStringLiteral("searchMore"));
    m_more->setAccessibleName(tr("More results"));
    m_more->hide();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 6, 6);
    layout->addWidget(m_scope);
    layout->addWidget(m_query);
    layout->addWidget(m_status);
    layout->addWidget(m_results, 1);
    layout->addWidget(m_more);
    setTabOrder(m_scope, m_query);
    setTabOrder(m_query, m_results);
    setTabOrder(m_results, m_more);

    connect(m_query, &QLineEdit::returnPressed, this, &SearchPane::runSearch);
    connect(m_more, &QPushButton::clicked, m_search, &Search::fetchMore);
    // Groups stay open: a conversation row is a heading, not a folder.
    connect(m_search->results(), &QAbstractItemModel::rowsInserted, m_results,
            [this](const QModelIndex &under, int first, int last) {
                if (under.isValid())
                    return;
                for (int row = first; row <= last; ++row)
                    m_results->expand(m_search->results()->index(row, 0));
            });
    connect(m_results, &QAbstractItemView::activated, this, &SearchPane::openIndex);
    // Where the style activates on a single click, `activated` says it already.
    if (!style()->styleHint(QStyle::SH_ItemView_ActivateItemOnSingleClick, nullptr, m_results))
        connect(m_results, &QAbstractItemView::clicked, this, &SearchPane::openIndex);
    connect(m_search, &Search::pageLoaded, this, [this](int count) {
        m_error.clear();
        updateStatus();
        // The first page: the best result is current, so Enter or Down goes on from there.
        const QModelIndex first = m_search->results()->index(0, 0);
        if (count > 0 && !m_results->currentIndex().isValid())
            m_results->setCurrentIndex(m_search->results()->index(0, 0, first));
    });
    connect(m_search, &Search::failed, this, [this](const QString &reason) {
        m_error = reason;
        updateStatus();
    });
    connect(m_search, &Search::busyChanged, this, &SearchPane::updateStatus);
    connect(m_session, &client::ChatSession::personalChanged, this, &SearchPane::updateScopes);
    connect(m_session, &client::ChatSession::connectionStateChanged, this,
            &SearchPane::updateScopes);
    updateScopes();
    updateStatus();
}

void SearchPane::activate()
{
    show();
    updateScopes();
    m_query->setFocus(Qt::ShortcutFocusReason);
    m_query->selectAll();
}

void SearchPane::updateScopes()
{
    // A guest has no personal topic: only the conversation shown can be searched. Signed in
    // again with an account, "all conversations" is back unless the user chose otherwise.
    const bool everywhere = m_session->personal() != nullptr;
    if (!everywhere && m_scope->isEnabled()) {
        m_scopeForced = m_scope->currentIndex() == 0;
        m_scope->setCurrentIndex(1);
    } else if (everywhere && !m_scope->isEnabled() && std::exchange(m_scopeForced, false)) {
        m_scope->setCurrentIndex(0);
    }
    m_scope->setEnabled(everywhere);
}

void SearchPane::runSearch()
{
    m_error.clear();
    const auto scope = Search::Scope(m_scope->currentData().toInt());
    if (m_query->text().trimmed().isEmpty()) {
        m_search->clear();
        updateStatus();
        return;
    }
    m_search->start(m_query->text(), scope, m_session->currentRoom());
    updateStatus();
}

void SearchPane::updateStatus()
{
    const SearchResultsModel *results = m_search->results();
    m_more->setVisible(m_search->canFetchMore() || (m_search->isBusy() && results->rowCount()));
    m_more->setEnabled(m_search->canFetchMore());
    if (!m_error.isEmpty())
        m_status->setText(tr("Search failed: %1").arg(m_error));
    else if (m_search->isBusy())
        m_status->setText(tr("Searching…"));
    else if (m_search->query().isEmpty())
        m_status->setText(tr("Words, \"a phrase\", pre*, from:nick, in:room"));
    else if (results->resultCount() == 0)
        m_status->setText(tr("No messages found"));
    else
        m_status->setText(
            (results->resultCount() == 1 ? tr("1 result")
                                         : tr("%1 results").arg(results->resultCount())) +
            (results->groupCount() == 1 ? tr(" in 1 conversation")
                                        : tr(" in %1 conversations").arg(results->groupCount())) +
            (m_search->canFetchMore() ? tr(", more to come") : QString()));
}

void SearchPane::openIndex(const QModelIndex &index)
{
    const client::SearchResult *result = m_search->results()->resultAt(index);
    if (result)
        Q_EMIT openRequested(result->room, result->id);
}

void SearchPane::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        Q_EMIT closed();
        return;
    }
    QWidget::keyPressEvent(event);
}

bool SearchPane::eventFilter(QObject *watched, QEvent *event)
{
    // Down from the field goes to the results, as in a search popup.
    if (watched == m_query && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent *>(event)->key() == Qt::Key_Down &&
        m_search->results()->rowCount() > 0) {
        m_results->setFocus(Qt::TabFocusReason);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace chatter::ui
