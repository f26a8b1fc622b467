// SPDX-License-Identifier: MIT
#pragma once

#include "longpollendpoint.h"

#include <QJsonObject>
#include <QObject>
#include <QUuid>

namespace chatter::server {

class ClusterInbox;
class Engine;

//! Long-poll behind a non-sticky balancer (docs/cluster.md, "Long-poll behind a non-sticky
//! balancer"): a request whose token names a session on another node goes to that node's inbox
//! channel `chatter:<cid>:n:<node>` (a ClusterInbox request of kind "lp"), which runs it as if
//! it had arrived there and answers on the asking node's inbox. The asking node gives up after
//! the hold time and 2 s more, answering 410 (phoenix.js then opens a new session and rejoins).
//!
//! Lives on the cluster thread; forward() is called by workers.
class LongPollRouter : public QObject
{
    Q_OBJECT
public:
    enum class Method : quint8
    {
        Get,
        Post,
        Delete
    };

    //! Registers the "lp" requests with `inbox` (cluster thread).
    LongPollRouter(Engine &engine, ClusterInbox &inbox, int holdMs, QObject *parent = nullptr);
    ~LongPollRouter() override;

    //! This node's id (in its long-poll tokens).
    const QUuid &nodeId() const;
    //! Any thread: runs `method` on `node`'s worker `worker` for session `session`; `reply`
    //! gets the answer (it posts to its own worker).
    void forward(const QUuid &node, int worker, quint64 session, Method method,
                 const LongPollEndpoint::Request &request, LongPollEndpoint::Reply reply);

private:
    //! Cluster thread: another node's request for a session of this node.
    void run(const QJsonObject &message, const std::function<void(const QJsonObject &)> &answer);

    Engine &m_engine;
    ClusterInbox &m_inbox;
    int m_holdMs;
};

} // namespace chatter::server
