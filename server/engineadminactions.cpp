// SPDX-License-Identifier: MIT
#include "engineadminactions.h"

#include "auditlog.h"
#include "engine.h"
#include "worker.h"

#include <QThread>

namespace chatter::server {

void EngineAdminActions::kick(const QString &user, const AdminActor &by,
                              std::function<void(int closed)> done)
{
    // The answer goes back to the worker that asked: its channel replies from there.
    Mailbox *caller = nullptr;
    for (int i = 0; Worker *worker = m_engine.worker(i); ++i)
        if (worker->thread() == QThread::currentThread())
            caller = &worker->mailbox();
    record(by, QStringLiteral("kick"), user, {});
    m_engine.closeIdentity(user, QStringLiteral("kicked by an administrator"), caller,
                           std::move(done));
}

QDateTime EngineAdminActions::ban(const QString &user, int minutes, const QString &reason,
                                  const AdminActor &by)
{
    return m_engine.banNickname(user, minutes, reason, by.nickname, by.address);
}

int EngineAdminActions::unban(const QString &user, const AdminActor &by)
{
    return m_engine.liftBans(user, by.nickname, by.address);
}

void EngineAdminActions::record(const AdminActor &by, const QString &action, const QString &target,
                                const QString &detail)
{
    if (AuditLog *audit = m_engine.audit())
        audit->record(by.nickname, action, target, by.address, detail);
}

} // namespace chatter::server
