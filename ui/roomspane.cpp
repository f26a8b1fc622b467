// SPDX-License-Identifier: MIT
#include "roomspane.h"

#include "chatsession.h"
#include "roomdelegate.h"
#include "roomkindfilter.h"
#include "roomlistmodel.h"

#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QVBoxLayout>

namespace chatter::ui {

using Kind = client::RoomListModel::Kind;

RoomsPane::RoomsPane(client::ChatSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_joinEdit(new QLineEdit),
      m_roomFilter(new RoomKindFilter({Kind::Room, Kind::PrivateRoom}, this)),
      m_conversationFilter(new RoomKindFilter({Kind::Direct, Kind::Group}, this))
{
    m_joinEdit->setObjectName(QStringLiteral("joinEdit"));
    m_joinEdit->setPlaceholderText(tr("Join room… (Ctrl+J)"));
    m_joinEdit->setClearButtonEnabled(true);
    m_joinEdit->setAccessibleName(tr("Room to join"));
    m_roomFilter->setSourceModel(m_session->rooms());
    m_conversationFilter->setSourceModel(m_session->rooms());
    m_roomView = listOf(QStringLiteral("roomView"), tr("Rooms"), m_roomFilter);
    m_conversationView = listOf(QStringLiteral("conversationView"),
                                tr("Direct messages and groups"), m_conversationFilter);
    m_conversationLabel = new QLabel(tr("&Direct Messages"));
    m_conversationLabel->setBuddy(m_conversationView);
    // Shown once there is a conversation: guests never have one.
    auto showConversations = [this] {
        const bool any = m_conversationFilter->rowCount() > 0;
        m_conversationLabel->setVisible(any);
        m_conversationView->setVisible(any);
    };
    connect(m_conversationFilter, &QAbstractItemModel::rowsInserted, this, showConversations);
    connect(m_conversationFilter, &QAbstractItemModel::rowsRemoved, this, showConversations);
    connect(m_conversationFilter, &QAbstractItemModel::modelReset, this, showConversations);
    showConversations();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 0, 6);
    auto *roomsLabel = new QLabel(tr("&Rooms"));
    roomsLabel->setBuddy(m_roomView);
    layout->addWidget(m_joinEdit);
    layout->addWidget(roomsLabel);
    layout->addWidget(m_roomView, 3);
    layout->addWidget(m_conversationLabel);
    layout->addWidget(m_conversationView, 2);
    setTabOrder(m_joinEdit, m_roomView);
    setTabOrder(m_roomView, m_conversationView);
}

QListView *RoomsPane::listOf(const QString &name, const QString &accessible, RoomKindFilter *model)
{
    auto *view = new QListView;
    view->setObjectName(name);
    view->setModel(model);
    view->setItemDelegate(new RoomDelegate(view));
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAccessibleName(accessible);
    connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_session->setCurrentRoom(
                        current.data(client::RoomListModel::NameRole).toString());
            });
    return view;
}

void RoomsPane::showCurrent(const QString &room)
{
    for (auto [view, filter] : {std::pair{m_roomView, m_roomFilter},
                                std::pair{m_conversationView, m_conversationFilter}}) {
        const int row = filter->rowOf(room);
        if (row >= 0 && view->currentIndex().row() != row)
            view->setCurrentIndex(filter->index(row, 0));
        else if (row < 0 && view->currentIndex().isValid())
            view->setCurrentIndex({});
    }
}

QStringList RoomsPane::visibleOrder() const
{
    return m_roomFilter->names() + m_conversationFilter->names();
}

} // namespace chatter::ui
