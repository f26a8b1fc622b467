// SPDX-License-Identifier: MIT
#include "discoveredservermodel.h"

#include "serverbrowser.h"

namespace chatter::client {

DiscoveredServerModel::DiscoveredServerModel(ServerBrowser *browser, QObject *parent)
    : QAbstractListModel(parent), m_servers(browser->servers())
{
    connect(browser, &ServerBrowser::serverAdded, this, &DiscoveredServerModel::add);
    connect(browser, &ServerBrowser::serverUpdated, this, &DiscoveredServerModel::update);
    connect(browser, &ServerBrowser::serverRemoved, this, &DiscoveredServerModel::remove);
}

int DiscoveredServerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_servers.size());
}

QVariant DiscoveredServerModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_servers.size())
        return {};
    const DiscoveredServer &server = m_servers.at(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        QString line =
            tr("%1 — %2:%3").arg(server.name, server.address.toString()).arg(server.port);
        if (server.tls)
            line += tr(" · TLS");
        if (server.accountsRequired)
            line += tr(" · accounts only");
        if (server.usersOnline >= 0)
            line += tr(" · %n online", nullptr, server.usersOnline);
        return line;
    }
    case Qt::ToolTipRole:
        return tr("%1 (%2), Chatter %3").arg(server.host, server.url().toString(), server.version);
    case NameRole:
        return server.name;
    case HostRole:
        return server.host;
    case AddressRole:
        return server.address.toString();
    case PortRole:
        return server.port;
    case TlsRole:
        return server.tls;
    case AccountsRequiredRole:
        return server.accountsRequired;
    case UsersOnlineRole:
        return server.usersOnline;
    case UrlRole:
        return server.url().toString();
    default:
        return {};
    }
}

QHash<int, QByteArray> DiscoveredServerModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NameRole, "name");
    names.insert(HostRole, "host");
    names.insert(AddressRole, "address");
    names.insert(PortRole, "port");
    names.insert(TlsRole, "tls");
    names.insert(AccountsRequiredRole, "accountsRequired");
    names.insert(UsersOnlineRole, "usersOnline");
    names.insert(UrlRole, "url");
    return names;
}

int DiscoveredServerModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_servers.size(); ++row) {
        if (m_servers.at(row).name == name)
            return row;
    }
    return -1;
}

void DiscoveredServerModel::add(const DiscoveredServer &server)
{
    if (rowOf(server.name) >= 0)
        return update(server);
    const int row = int(m_servers.size());
    beginInsertRows({}, row, row);
    m_servers.append(server);
    endInsertRows();
}

void DiscoveredServerModel::update(const DiscoveredServer &server)
{
    const int row = rowOf(server.name);
    if (row < 0)
        return add(server);
    m_servers[row] = server;
    Q_EMIT dataChanged(index(row), index(row));
}

void DiscoveredServerModel::remove(const QString &name)
{
    const int row = rowOf(name);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_servers.removeAt(row);
    endRemoveRows();
}

} // namespace chatter::client
