// SPDX-License-Identifier: MIT
#pragma once

#include "discoveredserver.h"

#include <QAbstractListModel>
#include <QList>

namespace chatter::client {

class ServerBrowser;

//! The servers a ServerBrowser finds, as a live list for a view: one row per server, added,
//! changed and removed as the LAN says. DisplayRole is one line (name, address, TLS, users
//! online); the roles give each part.
//!
//! Thread: the browser's.
class DiscoveredServerModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        NameRole = Qt::UserRole + 1,
        HostRole,
        AddressRole,
        PortRole,
        TlsRole,
        AccountsRequiredRole,
        UsersOnlineRole,
        UrlRole, //!< ws:// or wss:// address:port, what the connect dialog takes
    };
    Q_ENUM(Role)

    explicit DiscoveredServerModel(ServerBrowser *browser, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    DiscoveredServer server(int row) const { return m_servers.value(row); }

private:
    void add(const DiscoveredServer &server);
    void update(const DiscoveredServer &server);
    void remove(const QString &name);
    int rowOf(const QString &name) const;

    QList<DiscoveredServer> m_servers;
};

} // namespace chatter::client
