// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>

namespace chatter::server {

//! What other writers changed in the tables a node keeps in memory, gathered from the
//! `chatter_changed` notifications of PostgreSQL (docs/cluster.md, "What nodes keep in memory").
//! The payloads are those of `postgresql-schema.sql`'s triggers: a table name for the tables
//! read again whole, `sessions:<insert|delete>:<token hash in hex>` and
//! `read_state:<account id>` for the rows that change all the time.
struct ChangeSet
{
    bool everything = false; //!< notifications may have been missed (a reconnect): read it all
    bool accounts = false;   //!< accounts or their keys
    bool bans = false;
    bool conversations = false; //!< private rooms or their members
    QList<QByteArray> sessionsAdded;
    QList<QByteArray> sessionsRemoved;
    QSet<qint64> readStates; //!< account ids

    //! Adds one notification's payload; false (and nothing added) for one it does not know.
    bool add(const QString &payload);
    bool isEmpty() const;
};

} // namespace chatter::server
