// SPDX-License-Identifier: MIT
#pragma once

#include "longpollendpoint.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUuid>

namespace chatter::server {

class ClusterBus;
class Engine;
class Mailbox;

//! Long-poll behind a non-sticky balancer (docs/cluster.md, "Long-poll behind a non-sticky
//! balancer"): a request whose token names a session on another node goes to that node's inbox
//! channel `chatter:<cid>:n:<node>`, which runs it as if it had arrived there and answers on the
//! asking node's inbox. The asking node gives up after the hold time and 2 s more, answering 410
//! (phoenix.js then opens a new session and rejoins).
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

    LongPollRouter(Engine &engine, ClusterBus &bus, QUuid node, int holdMs,
                   QObject *parent = nullptr);
    ~LongPollRouter() override;

    const QUuid &nodeId() const { return m_node; }
    //! Any thread: runs `method` on `node`'s worker `worker` for session `session`; `reply`
    //! gets the answer (it posts to its own worker).
    void forward(const QUuid &node, int worker, quint64 session, Method method,
                 const LongPollEndpoint::Request &request, LongPollEndpoint::Reply reply);

    //! Cluster thread: a message on this node's inbox.
    void receive(const QByteArray &payload);
    //! Cluster thread: answers nothing more; waiting requests get 410.
    void stop();

private:
    struct Waiting
    {
        LongPollEndpoint::Reply reply;
        qint64 deadlineMs = 0;
    };
    void expire();
    void answer(const QUuid &to, quint64 correlation, const QJsonObject &body);

    Engine &m_engine;
    ClusterBus &m_bus;
    QUuid m_node;
    int m_holdMs;
    Mailbox *m_mailbox;
    quint64 m_nextCorrelation = 1;
    QHash<quint64, Waiting> m_waiting; //!< cluster thread
    QTimer m_expiry;
    bool m_stopped = false;
};

} // namespace chatter::server
