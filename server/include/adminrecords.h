// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace chatter::server {

//! A stored ban in force, as the monitor lists it.
struct BanRow
{
    qint64 id = 0;
    QString target; //!< a nickname (its look-alikes are banned too) or an address
    QString reason;
    QString createdBy;
    QDateTime createdAt;
    QDateTime until; //!< null: until lifted
};

//! One entry of the stored audit log (docs/identity.md).
struct AuditRow
{
    qint64 id = 0;
    QDateTime at;
    QString actor;
    QString action;
    QString target;
    QString address;
    QString detail;
};

} // namespace chatter::server

Q_DECLARE_METATYPE(chatter::server::BanRow)
Q_DECLARE_METATYPE(chatter::server::AuditRow)
