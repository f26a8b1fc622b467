// SPDX-License-Identifier: MIT
#include "roombrowser.h"

#include "chatsession.h"
#include "roomdirectorymodel.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace chatter::ui {

using client::RoomDirectoryModel;

RoomBrowser::RoomBrowser(client::ChatSession *session, QWidget *parent)
    : QDialog(parent), m_session(session), m_filter(new QLineEdit(this)),
      m_proxy(new QSortFilterProxyModel(this)), m_view(new QTableView(this)),
      m_join(new QPushButton(tr("&Join"), this))
{
    setWindowTitle(tr("Browse Rooms"));
    setObjectName(QStringLiteral("roomBrowser"));
    m_filter->setObjectName(QStringLiteral("roomFilter"));
    m_filter->setPlaceholderText(tr("Filter rooms"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter rooms"));
    m_proxy->setSourceModel(session->directory());
    m_proxy->setFilterKeyColumn(RoomDirectoryModel::NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(RoomDirectoryModel::SortRole);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);

    m_view->setObjectName(QStringLiteral("roomDirectoryView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RoomDirectoryModel::MembersColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(RoomDirectoryModel::NameColumn,
                                                     QHeaderView::Stretch);
    m_view->setTabKeyNavigation(false);
    m_view->setAccessibleName(tr("Rooms on the server"));
    connect(m_view, &QAbstractItemView::activated, this, &RoomBrowser::joinSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &RoomBrowser::updateJoinButton);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_join, QDialogButtonBox::ActionRole);
    connect(m_join, &QPushButton::clicked, this, &RoomBrowser::joinSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    layout->addWidget(buttons);
    // Down from the filter goes into the list, as in a search field with results.
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_view->setCurrentIndex(m_proxy->index(0, 0));
        joinSelected();
    });
    updateJoinButton();
    resize(460, 380);
}

void RoomBrowser::showEvent(QShowEvent *event)
{
    m_session->directory()->setWatching(true);
    m_filter->setFocus();
    QDialog::showEvent(event);
}

void RoomBrowser::hideEvent(QHideEvent *event)
{
    m_session->directory()->setWatching(false);
    QDialog::hideEvent(event);
}

bool RoomBrowser::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent *>(event)->key() == Qt::Key_Down && m_proxy->rowCount() > 0) {
        m_view->setFocus();
        if (!m_view->currentIndex().isValid())
            m_view->setCurrentIndex(m_proxy->index(0, 0));
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void RoomBrowser::joinSelected()
{
    const QString room = m_view->currentIndex().data(RoomDirectoryModel::NameRole).toString();
    if (room.isEmpty())
        return;
    if (m_session->joinRoom(room)) {
        m_session->setCurrentRoom(room);
        accept();
    }
}

void RoomBrowser::updateJoinButton()
{
    m_join->setEnabled(m_view->currentIndex().isValid());
}

} // namespace chatter::ui
