// SPDX-License-Identifier: MIT
#pragma once

#include "discoveredserver.h"

#include <QList>
#include <QObject>

#include <map>
#include <memory>
#include <tuple>

struct AvahiServiceBrowser;

namespace chatter::discovery {
class AvahiSession;
}

namespace chatter::client {

//! Finds Chatter servers on the LAN, live: browses `_chatter._tcp` with DNS-SD over mDNS
//! through the system's Avahi daemon and resolves each service (address, port, TXT records:
//! docs/discovery.md). A server seen on several interfaces or over IPv4 and IPv6 is one entry
//! (by name), shown with its IPv4 address where it has one. Without a daemon (or a D-Bus
//! system bus) availabilityChanged() says so once; browsing starts when the daemon does.
//!
//! Thread: the thread that makes it; Avahi's callbacks and every signal come there.
class ServerBrowser : public QObject
{
    Q_OBJECT
public:
    explicit ServerBrowser(QObject *parent = nullptr);
    ~ServerBrowser() override;

    void start();
    //! The servers resolved so far, in the order found.
    QList<DiscoveredServer> servers() const;
    bool isAvailable() const { return m_available; }
    //! Why there is no browsing, while unavailable.
    QString unavailableReason() const { return m_reason; }

Q_SIGNALS:
    void serverAdded(const chatter::client::DiscoveredServer &server);
    //! Its address, port or records changed (users online, say).
    void serverUpdated(const chatter::client::DiscoveredServer &server);
    void serverRemoved(const QString &name);
    //! Said once per change: the daemon answers (browsing) or not (`reason`).
    void availabilityChanged(bool available, const QString &reason);

private:
    friend struct ServerBrowserCallbacks;
    struct Instance;
    //! One service instance: interface, protocol, name, domain.
    using InstanceKey = std::tuple<int, int, QString, QString>;

    void sessionStateChanged();
    void startBrowsing();
    void stopBrowsing();
    void instanceFound(int interface, int protocol, const QString &name, const QString &domain);
    void instanceGone(int interface, int protocol, const QString &name, const QString &domain);
    void instanceResolved(Instance &instance);
    //! Re-derives one name's entry from its instances; emits added/updated/removed.
    void refresh(const QString &name);
    static DiscoveredServer best(const QList<const Instance *> &instances);

    std::unique_ptr<discovery::AvahiSession> m_session;
    AvahiServiceBrowser *m_browser = nullptr;
    std::map<InstanceKey, std::unique_ptr<Instance>> m_instances;
    QList<DiscoveredServer> m_servers;
    bool m_available = false;
    bool m_saidAvailability = false;
    QString m_reason;
};

} // namespace chatter::client
