// SPDX-License-Identifier: MIT
#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QString>

#include <functional>

namespace chatter::server {

//! Who does an admin action: recorded in the audit log with it.
struct AdminActor
{
    QString nickname;
    QHostAddress address;
};

//! What `chatter:admin` channels do beyond their own worker: close an identity's sockets on
//! every worker, store bans, write the audit log. The engine provides it (EngineAdminActions);
//! tests provide a fake. Called on a worker's thread; thread-safe.
class AdminActions
{
public:
    virtual ~AdminActions() = default;

    //! Closes every socket of `user` and its look-alikes; `done(closed)` runs later on the
    //! calling worker's thread. Audited.
    virtual void kick(const QString &user, const AdminActor &by,
                      std::function<void(int closed)> done) = 0;
    //! A stored ban of the nickname, its look-alikes and its account; closes their sockets.
    //! `minutes` 0: until lifted. Returns the end (null: until lifted). Audited.
    virtual QDateTime ban(const QString &user, int minutes, const QString &reason,
                          const AdminActor &by) = 0;
    //! Lifts the bans in force on `user` (by keys); how many. Audited when any.
    virtual int unban(const QString &user, const AdminActor &by) = 0;
    //! An audit log entry for another action (a system message, say).
    virtual void record(const AdminActor &by, const QString &action, const QString &target,
                        const QString &detail) = 0;
};

} // namespace chatter::server
