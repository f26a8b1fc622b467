// SPDX-License-Identifier: MIT
#include "nodetablemodel.h"

#include <QFont>
#include <QLocale>

namespace chatter::monitor {

using server::NodeRow;

namespace {

QString timeText(const QDateTime &at)
{
    if (!at.isValid())
        return QStringLiteral("—");
    const QDateTime local = at.toLocalTime();
    return local.date() == QDate::currentDate()
               ? local.toString(QStringLiteral("HH:mm:ss"))
               : local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

NodeTableModel::NodeTableModel(QObject *parent) : KeyedTableModel(parent) {}

int NodeTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NodeTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const NodeRow &n = rows().at(index.row());
    const int column = index.column();
    if (role == Qt::FontRole && n.self) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (role == Qt::ToolTipRole) {
        if (column == Name)
            return n.self ? tr("%1 (this node)\n%2").arg(n.name, n.id) : n.id;
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = column >= Connections && column <= MessagesOut;
        return QVariant::fromValue(Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                         : Qt::AlignLeft | Qt::AlignVCenter));
    }
    if (role == SortRole) {
        switch (column) {
        case Connections:
            return n.connections;
        case MessagesIn:
            return n.messagesIn;
        case MessagesOut:
            return n.messagesOut;
        case Started:
            return n.startedAt;
        case LastSeen:
            return n.lastSeen;
        default:
            break;
        }
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Name:
        return n.self ? tr("%1 (this node)").arg(n.name) : n.name;
    case Address:
        return n.address;
    case Connections:
        return QLocale().toString(n.connections);
    case MessagesIn:
        return QLocale().toString(n.messagesIn);
    case MessagesOut:
        return QLocale().toString(n.messagesOut);
    case Started:
        return timeText(n.startedAt);
    case LastSeen:
        return timeText(n.lastSeen);
    default:
        return {};
    }
}

QVariant NodeTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("Node");
    case Address:
        return tr("Address");
    case Connections:
        return tr("Connections");
    case MessagesIn:
        return tr("Msgs in");
    case MessagesOut:
        return tr("Msgs out");
    case Started:
        return tr("Started");
    case LastSeen:
        return tr("Last seen");
    default:
        return {};
    }
}

bool NodeTableModel::sameContent(const NodeRow &a, const NodeRow &b) const
{
    return a.connections == b.connections && a.messagesIn == b.messagesIn &&
           a.messagesOut == b.messagesOut && a.lastSeen == b.lastSeen && a.name == b.name &&
           a.address == b.address && a.startedAt == b.startedAt && a.self == b.self;
}

} // namespace chatter::monitor
