// SPDX-License-Identifier: MIT
#pragma once

#include <QTcpServer>

#include <functional>

namespace chatter::server {

//! The front door: accepts on one thread and hands each raw descriptor straight to a worker,
//! so Qt's pending-connection queue (default 30) never fills and drops a connect burst.
class Listener final : public QTcpServer
{
    Q_OBJECT
public:
    using Dispatch = std::function<void(qintptr)>;
    explicit Listener(Dispatch dispatch, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Dispatch m_dispatch;
};

} // namespace chatter::server
