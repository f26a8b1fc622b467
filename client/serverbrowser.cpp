// SPDX-License-Identifier: MIT
#include "serverbrowser.h"

#include "avahisession.h"
#include "discoveryrecords.h"

#include <QNetworkInterface>

#include <avahi-client/lookup.h>
#include <avahi-common/address.h>

namespace chatter::client {

//! One service instance being resolved (or resolved). Avahi keeps a resolver running and
//! calls it again when the records change, so the users online follow the server's updates.
struct ServerBrowser::Instance
{
    ServerBrowser *browser = nullptr;
    InstanceKey key;
    AvahiServiceResolver *resolver = nullptr;
    bool resolved = false;
    DiscoveredServer server;

    ~Instance()
    {
        if (resolver)
            avahi_service_resolver_free(resolver);
    }
};

//! Avahi's C callbacks, back into the browser.
struct ServerBrowserCallbacks
{
    static void browsed(AvahiServiceBrowser *, AvahiIfIndex interface, AvahiProtocol protocol,
                        AvahiBrowserEvent event, const char *name, const char *, const char *domain,
                        AvahiLookupResultFlags, void *userdata)
    {
        auto *browser = static_cast<ServerBrowser *>(userdata);
        switch (event) {
        case AVAHI_BROWSER_NEW:
            browser->instanceFound(interface, protocol, QString::fromUtf8(name),
                                   QString::fromUtf8(domain));
            break;
        case AVAHI_BROWSER_REMOVE:
            browser->instanceGone(interface, protocol, QString::fromUtf8(name),
                                  QString::fromUtf8(domain));
            break;
        case AVAHI_BROWSER_FAILURE:
        case AVAHI_BROWSER_CACHE_EXHAUSTED:
        case AVAHI_BROWSER_ALL_FOR_NOW:
            break;
        }
    }

    static void resolved(AvahiServiceResolver *, AvahiIfIndex interface, AvahiProtocol,
                         AvahiResolverEvent event, const char *name, const char *, const char *,
                         const char *hostName, const AvahiAddress *address, uint16_t port,
                         AvahiStringList *txt, AvahiLookupResultFlags, void *userdata)
    {
        auto *instance = static_cast<ServerBrowser::Instance *>(userdata);
        if (event != AVAHI_RESOLVER_FOUND) {
            // Not answering (yet): the entry waits for a later answer or the removal.
            return;
        }
        DiscoveredServer &server = instance->server;
        server.name = QString::fromUtf8(name);
        server.host = QString::fromUtf8(hostName);
        char text[AVAHI_ADDRESS_STR_MAX] = {};
        avahi_address_snprint(text, sizeof text, address);
        server.address = QHostAddress(QString::fromLatin1(text));
        if (server.address.protocol() == QAbstractSocket::IPv6Protocol &&
            server.address.isLinkLocal())
            server.address.setScopeId(QNetworkInterface::interfaceNameFromIndex(interface));
        server.port = port;
        QList<QByteArray> strings;
        for (AvahiStringList *entry = txt; entry; entry = avahi_string_list_get_next(entry))
            strings.append(
                QByteArray(reinterpret_cast<const char *>(avahi_string_list_get_text(entry)),
                           qsizetype(avahi_string_list_get_size(entry))));
        const discovery::ServiceRecords records = discovery::parseChatterTxt(strings);
        server.version = records.version;
        server.tls = records.tls;
        server.accountsRequired = records.accountsRequired;
        server.usersOnline = records.usersOnline;
        instance->resolved = true;
        instance->browser->instanceResolved(*instance);
    }
};

ServerBrowser::ServerBrowser(QObject *parent)
    : QObject(parent), m_session(std::make_unique<discovery::AvahiSession>())
{
    connect(m_session.get(), &discovery::AvahiSession::stateChanged, this,
            &ServerBrowser::sessionStateChanged);
}

ServerBrowser::~ServerBrowser()
{
    // Resolvers and the browser go before the session that owns their client; nobody is told.
    m_instances.clear();
    if (m_browser)
        avahi_service_browser_free(m_browser);
}

void ServerBrowser::start()
{
    m_session->start();
}

QList<DiscoveredServer> ServerBrowser::servers() const
{
    return m_servers;
}

void ServerBrowser::sessionStateChanged()
{
    using State = discovery::AvahiSession::State;
    const State state = m_session->state();
    if (state == State::Registering || state == State::Starting)
        return; // browsing goes on while the daemon renames this host
    const bool available = state == State::Running;
    if (available)
        startBrowsing();
    else
        stopBrowsing();
    if (m_saidAvailability && available == m_available)
        return;
    m_saidAvailability = true;
    m_available = available;
    m_reason = available ? QString() : m_session->reason();
    Q_EMIT availabilityChanged(m_available, m_reason);
}

void ServerBrowser::startBrowsing()
{
    if (m_browser)
        return;
    m_browser = avahi_service_browser_new(
        m_session->client(), AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, discovery::ChatterServiceType,
        nullptr, AvahiLookupFlags(0), &ServerBrowserCallbacks::browsed, this);
}

void ServerBrowser::stopBrowsing()
{
    // Everything found came through the daemon that is gone: the list starts over.
    m_instances.clear();
    if (m_browser) {
        avahi_service_browser_free(m_browser);
        m_browser = nullptr;
    }
    const QList<DiscoveredServer> gone = std::exchange(m_servers, {});
    for (const DiscoveredServer &server : gone)
        Q_EMIT serverRemoved(server.name);
}

void ServerBrowser::instanceFound(int interface, int protocol, const QString &name,
                                  const QString &domain)
{
    InstanceKey key{interface, protocol, name, domain};
    if (m_instances.contains(key))
        return;
    auto instance = std::make_unique<Instance>();
    instance->browser = this;
    instance->key = key;
    // The address of the protocol the service was seen on, so each instance has its own.
    instance->resolver = avahi_service_resolver_new(
        m_session->client(), interface, protocol, name.toUtf8().constData(),
        discovery::ChatterServiceType, domain.toUtf8().constData(), protocol, AvahiLookupFlags(0),
        &ServerBrowserCallbacks::resolved, instance.get());
    m_instances.emplace(std::move(key), std::move(instance));
}

void ServerBrowser::instanceGone(int interface, int protocol, const QString &name,
                                 const QString &domain)
{
    if (m_instances.erase(InstanceKey{interface, protocol, name, domain}) > 0)
        refresh(name);
}

void ServerBrowser::instanceResolved(Instance &instance)
{
    refresh(std::get<2>(instance.key));
}

DiscoveredServer ServerBrowser::best(const QList<const Instance *> &instances)
{
    // IPv4 first: it needs no scope and every client can reach it.
    for (const Instance *instance : instances) {
        if (instance->server.address.protocol() == QAbstractSocket::IPv4Protocol)
            return instance->server;
    }
    return instances.first()->server;
}

void ServerBrowser::refresh(const QString &name)
{
    QList<const Instance *> resolved;
    for (const auto &[key, instance] : m_instances) {
        if (std::get<2>(key) == name && instance->resolved)
            resolved.append(instance.get());
    }
    const auto row = std::find_if(m_servers.begin(), m_servers.end(),
                                  [&](const DiscoveredServer &s) { return s.name == name; });
    if (resolved.isEmpty()) {
        if (row != m_servers.end()) {
            m_servers.erase(row);
            Q_EMIT serverRemoved(name);
        }
        return;
    }
    const DiscoveredServer server = best(resolved);
    if (row == m_servers.end()) {
        m_servers.append(server);
        Q_EMIT serverAdded(server);
    } else if (*row != server) {
        *row = server;
        Q_EMIT serverUpdated(server);
    }
}

} // namespace chatter::client
