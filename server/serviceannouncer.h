// SPDX-License-Identifier: MIT
#pragma once

#include "avahisession.h"
#include "discoveryrecords.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <avahi-client/publish.h>

#include <functional>

namespace chatter::server {

//! Announces the server on the LAN with DNS-SD over mDNS through the system's Avahi daemon
//! (docs/discovery.md): `_chatter._tcp` and `_http._tcp` on the listening port, TXT records for
//! the version, TLS, whether accounts are required and the users online. A name taken on the
//! LAN becomes Avahi's alternative ("… #2"); a missing daemon is said once in the log and the
//! announcement follows whenever the daemon (re)appears.
//!
//! Thread: the engine's (main) thread, where it is made; Avahi's callbacks run there too.
class ServiceAnnouncer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString name;             //!< the service's instance name
        QHostAddress bindAddress; //!< a specific address: only its interface and family
        quint16 port = 0;
        discovery::ServiceRecords records;
        int usersIntervalMs = 5000; //!< the users record changes at most this often
    };

    //! `usersOnline` is asked every `usersIntervalMs` on this thread.
    ServiceAnnouncer(Settings settings, std::function<int()> usersOnline,
                     QObject *parent = nullptr);
    //! Withdraws the services (goodbye packets from the daemon).
    ~ServiceAnnouncer() override;

    void start();
    //! The name the services carry on the LAN once announced (after any collision); empty
    //! before.
    QString announcedName() const { return m_established ? m_name : QString(); }

    //! "Chatter on <host>", cut to DNS-SD's 63 bytes.
    static QString defaultName(const QString &nodeName);

Q_SIGNALS:
    void announced(const QString &name);

private:
    static void groupCallback(AvahiEntryGroup *group, AvahiEntryGroupState state, void *userdata);
    void sessionStateChanged(discovery::AvahiSession::State state);
    void groupStateChanged(AvahiEntryGroup *group, AvahiEntryGroupState state);
    void publish();
    bool addServices();
    void refreshUsers();
    void dropGroup();

    Settings m_settings;
    std::function<int()> m_usersOnline;
    AvahiIfIndex m_interface = AVAHI_IF_UNSPEC;
    AvahiProtocol m_protocol = AVAHI_PROTO_UNSPEC;
    QString m_name;
    discovery::AvahiSession m_session;
    AvahiEntryGroup *m_group = nullptr;
    bool m_established = false;
    QTimer m_usersTimer;
};

} // namespace chatter::server
