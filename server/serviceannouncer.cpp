// SPDX-License-Identifier: MIT
#include "serviceannouncer.h"

#include "logging.h"

#include <QNetworkInterface>
#include <QSysInfo>

#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>

namespace chatter::server {
namespace {

//! DNS-SD instance names are one DNS label: at most 63 bytes of UTF-8.
constexpr qsizetype MaxNameBytes = 63;

QString cutToLabel(QString name)
{
    while (name.toUtf8().size() > MaxNameBytes)
        name.chop(1);
    return name;
}

//! Avahi's string list from `key=value` strings (avahi_string_list_add prepends, so the list
//! is built from the end to keep the order).
AvahiStringList *stringList(const QList<QByteArray> &strings)
{
    AvahiStringList *list = nullptr;
    for (auto it = strings.crbegin(); it != strings.crend(); ++it)
        list = avahi_string_list_add(list, it->constData());
    return list;
}

QString avahiError(AvahiClient *client)
{
    return QString::fromUtf8(
        avahi_strerror(client ? avahi_client_errno(client) : AVAHI_ERR_FAILURE));
}

} // namespace

ServiceAnnouncer::ServiceAnnouncer(Settings settings, std::function<int()> usersOnline,
                                   QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_usersOnline(std::move(usersOnline)),
      m_name(cutToLabel(m_settings.name))
{
    const QHostAddress &bind = m_settings.bindAddress;
    // QHostAddress::Any listens on both families; the others name one.
    if (bind == QHostAddress::AnyIPv4) {
        m_protocol = AVAHI_PROTO_INET;
    } else if (bind == QHostAddress::AnyIPv6) {
        m_protocol = AVAHI_PROTO_INET6;
    } else if (bind != QHostAddress::Any) {
        m_protocol =
            bind.protocol() == QAbstractSocket::IPv6Protocol ? AVAHI_PROTO_INET6 : AVAHI_PROTO_INET;
        for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
            for (const QNetworkAddressEntry &entry : interface.addressEntries()) {
                if (entry.ip().isEqual(bind, QHostAddress::TolerantConversion))
                    m_interface = interface.index();
            }
        }
    }
    m_usersTimer.setInterval(std::max(100, m_settings.usersIntervalMs));
    connect(&m_usersTimer, &QTimer::timeout, this, &ServiceAnnouncer::refreshUsers);
    connect(&m_session, &discovery::AvahiSession::stateChanged, this,
            &ServiceAnnouncer::sessionStateChanged);
}

ServiceAnnouncer::~ServiceAnnouncer()
{
    dropGroup();
}

QString ServiceAnnouncer::defaultName(const QString &nodeName)
{
    if (!nodeName.isEmpty())
        return cutToLabel(nodeName);
    return cutToLabel(QStringLiteral("Chatter on %1").arg(QSysInfo::machineHostName()));
}

void ServiceAnnouncer::start()
{
    if (m_settings.bindAddress.isLoopback()) {
        qCInfo(lcDiscovery).noquote() << "listening on loopback only: not announced on the LAN";
        return;
    }
    if (m_usersOnline)
        m_settings.records.usersOnline = m_usersOnline();
    m_session.start();
    m_usersTimer.start();
}

void ServiceAnnouncer::sessionStateChanged(discovery::AvahiSession::State state)
{
    using State = discovery::AvahiSession::State;
    switch (state) {
    case State::Running:
        publish();
        break;
    case State::Registering:
        // The daemon is renaming this host: the services follow once it runs again.
        m_established = false;
        if (m_group)
            avahi_entry_group_reset(m_group);
        break;
    case State::Unavailable:
        // Said once per change (the session never repeats a state), never per retry.
        dropGroup();
        qCInfo(lcDiscovery).noquote() << "not announced on the LAN:" << m_session.reason()
                                      << "(announcing as soon as the Avahi daemon answers)";
        break;
    case State::Starting:
        break;
    }
}

void ServiceAnnouncer::publish()
{
    AvahiClient *client = m_session.client();
    if (!client)
        return;
    if (!m_group) {
        m_group = avahi_entry_group_new(client, &groupCallback, this);
        if (!m_group) {
            qCWarning(lcDiscovery).noquote()
                << "cannot announce on the LAN: entry group:" << avahiError(client);
            return;
        }
    }
    if (!avahi_entry_group_is_empty(m_group))
        return;
    if (!addServices())
        return;
    if (const int error = avahi_entry_group_commit(m_group); error < 0)
        qCWarning(lcDiscovery).noquote()
            << "cannot announce on the LAN: commit:" << avahi_strerror(error);
}

bool ServiceAnnouncer::addServices()
{
    // A local collision (another program on this host has the name) moves on to Avahi's next
    // name ("… #2", "… #3"); a few tries are plenty.
    for (int attempt = 0; attempt < 10; ++attempt) {
        const QByteArray name = m_name.toUtf8();
        AvahiStringList *chatter = stringList(discovery::chatterTxt(m_settings.records));
        int error = avahi_entry_group_add_service_strlst(
            m_group, m_interface, m_protocol, AvahiPublishFlags(0), name.constData(),
            discovery::ChatterServiceType, nullptr, nullptr, m_settings.port, chatter);
        avahi_string_list_free(chatter);
        if (error >= 0) {
            AvahiStringList *web = stringList(discovery::webTxt(m_settings.records.tls));
            error = avahi_entry_group_add_service_strlst(
                m_group, m_interface, m_protocol, AvahiPublishFlags(0), name.constData(),
                discovery::WebServiceType, nullptr, nullptr, m_settings.port, web);
            avahi_string_list_free(web);
        }
        if (error >= 0)
            return true;
        if (error != AVAHI_ERR_COLLISION) {
            qCWarning(lcDiscovery).noquote()
                << "cannot announce on the LAN:" << avahi_strerror(error);
            return false;
        }
        char *next = avahi_alternative_service_name(name.constData());
        qCInfo(lcDiscovery).noquote()
            << "the name" << m_name << "is taken on this host; trying" << next;
        m_name = QString::fromUtf8(next);
        avahi_free(next);
        avahi_entry_group_reset(m_group);
    }
    qCWarning(lcDiscovery).noquote() << "cannot announce on the LAN: no free name";
    return false;
}

void ServiceAnnouncer::groupCallback(AvahiEntryGroup *group, AvahiEntryGroupState state,
                                     void *userdata)
{
    static_cast<ServiceAnnouncer *>(userdata)->groupStateChanged(group, state);
}

void ServiceAnnouncer::groupStateChanged(AvahiEntryGroup *group, AvahiEntryGroupState state)
{
    // Called from inside avahi_entry_group_new too, before m_group is set.
    m_group = group;
    switch (state) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
        m_established = true;
        qCInfo(lcDiscovery).noquote()
            << "announced on the LAN as" << QStringLiteral("\"%1\"").arg(m_name) << "("
            << discovery::ChatterServiceType << "and" << discovery::WebServiceType << "on port"
            << m_settings.port << ")";
        Q_EMIT announced(m_name);
        break;
    case AVAHI_ENTRY_GROUP_COLLISION: {
        // Another host on the LAN announces the same name.
        m_established = false;
        char *next = avahi_alternative_service_name(m_name.toUtf8().constData());
        qCInfo(lcDiscovery).noquote()
            << "the name" << m_name << "is taken on the LAN; trying" << next;
        m_name = QString::fromUtf8(next);
        avahi_free(next);
        avahi_entry_group_reset(group);
        publish();
        break;
    }
    case AVAHI_ENTRY_GROUP_FAILURE:
        m_established = false;
        qCWarning(lcDiscovery).noquote()
            << "announcement failed:" << avahiError(avahi_entry_group_get_client(group));
        break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
        break;
    }
}

void ServiceAnnouncer::refreshUsers()
{
    if (!m_usersOnline)
        return;
    const int users = m_usersOnline();
    if (users == m_settings.records.usersOnline)
        return;
    m_settings.records.usersOnline = users;
    // Only a group that is on the LAN is updated; one still registering takes the new count
    // when it is made again.
    if (!m_group || !m_established)
        return;
    AvahiStringList *chatter = stringList(discovery::chatterTxt(m_settings.records));
    const int error = avahi_entry_group_update_service_txt_strlst(
        m_group, m_interface, m_protocol, AvahiPublishFlags(0), m_name.toUtf8().constData(),
        discovery::ChatterServiceType, nullptr, chatter);
    avahi_string_list_free(chatter);
    if (error < 0)
        qCDebug(lcDiscovery).noquote()
            << "cannot update the users record:" << avahi_strerror(error);
}

void ServiceAnnouncer::dropGroup()
{
    m_established = false;
    if (m_group) {
        avahi_entry_group_free(m_group);
        m_group = nullptr;
    }
}

} // namespace chatter::server
