// SPDX-License-Identifier: MIT
#include "sockettablemodel.h"

#include "textformat.h"
#include "topics.h"

#include <QLocale>

namespace chatter::monitor {

using server::SocketRow;

namespace {

QString timeText(const QDateTime &at)
{
    return at.isValid() ? at.toLocalTime().toString(QStringLiteral("HH:mm:ss"))
                        : QStringLiteral("—");
}

QString bytesText(qint64 bytes)
{
    return TextFormat::bytes(bytes);
}

} // namespace

SocketTableModel::SocketTableModel(QObject *parent) : KeyedTableModel(parent) {}

int SocketTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SocketTableModel::displayTopic(const QString &topic)
{
    return topic.startsWith(topics::RoomPrefix) ? QLatin1Char('#') + topics::roomName(topic)
                                                : topic;
}

QVariant SocketTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SocketRow &s = rows().at(index.row());
    if (role == IdRole)
        return s.id;
    if (role == NodeIdRole)
        return s.nodeId;
    if (role == Qt::TextAlignmentRole) {
        const bool numeric = index.column() == Id ||
                             (index.column() >= MessagesIn && index.column() <= BytesOut) ||
                             index.column() == Queued;
        return QVariant::fromValue(Qt::Alignment(numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                         : Qt::AlignLeft | Qt::AlignVCenter));
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Topics:
            return s.topics.join(QLatin1Char('\n'));
        case Peer:
            return s.peer;
        case ConnectedSince:
            return QLocale().toString(s.connectedAt.toLocalTime(), QLocale::LongFormat);
        case BytesIn:
            return QLocale().toString(s.bytesIn);
        case BytesOut:
            return QLocale().toString(s.bytesOut);
        case Queued:
            return QLocale().toString(s.queuedBytes);
        default:
            return {};
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Id:
            return s.id;
        case ConnectedSince:
            return s.connectedAt;
        case Topics:
            return s.topics.size();
        case MessagesIn:
            return s.messagesIn;
        case MessagesOut:
            return s.messagesOut;
        case BytesIn:
            return s.bytesIn;
        case BytesOut:
            return s.bytesOut;
        case LastHeartbeat:
            return s.lastHeartbeat;
        case Queued:
            return s.queuedBytes;
        default:
            break; // the display text sorts well enough
        }
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case Id:
        return QString::number(s.id);
    case Node:
        return s.node;
    case Peer:
        return TextFormat::peer(s.peer);
    case Nickname:
        return s.user;
    case Client:
        return s.clientKind.isEmpty() ? QStringLiteral("—") : s.clientKind;
    case Transport:
        return s.transport;
    case Protocol:
        return s.vsn;
    case ConnectedSince:
        return timeText(s.connectedAt);
    case Topics: {
        QStringList shown;
        shown.reserve(s.topics.size());
        for (const QString &topic : s.topics)
            shown.append(displayTopic(topic));
        return shown.join(QStringLiteral(", "));
    }
    case MessagesIn:
        return QLocale().toString(s.messagesIn);
    case MessagesOut:
        return QLocale().toString(s.messagesOut);
    case BytesIn:
        return bytesText(s.bytesIn);
    case BytesOut:
        return bytesText(s.bytesOut);
    case LastHeartbeat:
        return timeText(s.lastHeartbeat);
    case Queued:
        return s.queuedBytes == 0 ? QStringLiteral("0") : bytesText(s.queuedBytes);
    default:
        return {};
    }
}

QVariant SocketTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id:
        return tr("ID");
    case Node:
        return tr("Node");
    case Peer:
        return tr("Peer");
    case Nickname:
        return tr("Nickname");
    case Client:
        return tr("Client");
    case Transport:
        return tr("Transport");
    case Protocol:
        return tr("Protocol");
    case ConnectedSince:
        return tr("Connected");
    case Topics:
        return tr("Topics");
    case MessagesIn:
        return tr("Msgs in");
    case MessagesOut:
        return tr("Msgs out");
    case BytesIn:
        return tr("Bytes in");
    case BytesOut:
        return tr("Bytes out");
    case LastHeartbeat:
        return tr("Heartbeat");
    case Queued:
        return tr("Queued");
    default:
        return {};
    }
}

SocketTableModel::Changes SocketTableModel::applySnapshot(const QList<SocketRow> &sockets)
{
    // The engine keeps a socket's topics in a hash; sorted, a row does not change (and flicker)
    // just because the hash reordered.
    QList<SocketRow> rows = sockets;
    for (SocketRow &row : rows) {
        if (row.topics.size() > 1)
            row.topics.sort();
    }
    return replaceRows(std::move(rows));
}

std::optional<SocketRow> SocketTableModel::socket(quint64 id, const QString &nodeId) const
{
    const int row = rowOfKey({id, nodeId});
    if (row < 0)
        return std::nullopt;
    return rows().at(row);
}

bool SocketTableModel::sameContent(const SocketRow &a, const SocketRow &b) const
{
    // Counters and heartbeats change most often; compare them first.
    return a.messagesIn == b.messagesIn && a.messagesOut == b.messagesOut &&
           a.bytesIn == b.bytesIn && a.bytesOut == b.bytesOut && a.queuedBytes == b.queuedBytes &&
           a.lastHeartbeat == b.lastHeartbeat && a.topics == b.topics && a.user == b.user &&
           a.peer == b.peer && a.clientKind == b.clientKind && a.transport == b.transport &&
           a.vsn == b.vsn && a.connectedAt == b.connectedAt && a.node == b.node;
}

} // namespace chatter::monitor
