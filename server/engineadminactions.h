// SPDX-License-Identifier: MIT
#pragma once

#include "adminactions.h"

namespace chatter::server {

class Engine;

//! AdminActions on the running engine: the engine's stored bans, its workers' sockets and its
//! audit log. Owned by the engine; used by chatter:admin channels on every worker thread.
class EngineAdminActions final : public AdminActions
{
public:
    explicit EngineAdminActions(Engine &engine) : m_engine(engine) {}

    void kick(const QString &user, const AdminActor &by,
              std::function<void(int closed)> done) override;
    QDateTime ban(const QString &user, int minutes, const QString &reason,
                  const AdminActor &by) override;
    int unban(const QString &user, const AdminActor &by) override;
    void record(const AdminActor &by, const QString &action, const QString &target,
                const QString &detail) override;

private:
    Engine &m_engine;
};

} // namespace chatter::server
