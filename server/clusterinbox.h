// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUuid>

#include <functional>
#include <optional>

namespace chatter::server {

class ClusterBus;
class Mailbox;

//! Requests and answers between nodes over their inbox channels `chatter:<cid>:n:<node>`
//! (docs/cluster.md, "Redis"): a request `{t: "req", k: <kind>, corr, from, …}` goes to one
//! node's inbox, and its handler for that kind answers `{t: "ans", corr, body}` on the asking
//! node's inbox. A request published elsewhere (on `chatter:<cid>:all`, to every node) may be
//! answered the same way: expect() reserves a correlation for several answers.
//!
//! Lives on the cluster thread; ask() is called from any thread. Answers that come after their
//! deadline, or for a correlation nobody waits for, are dropped.
class ClusterInbox : public QObject
{
    Q_OBJECT
public:
    //! Any thread: sends a handler's answer back to the asking node.
    using Answer = std::function<void(const QJsonObject &body)>;
    using Handler = std::function<void(const QJsonObject &request, Answer answer)>;
    //! Cluster thread: what came by the deadline (or once `expected` answers came).
    using Answers = std::function<void(const QList<QJsonObject> &bodies)>;

    ClusterInbox(ClusterBus &bus, QUuid node, QObject *parent = nullptr);
    ~ClusterInbox() override;

    const QUuid &nodeId() const { return m_node; }
    //! Cluster thread, before the first message: who answers requests of `kind`.
    void handle(const QString &kind, Handler handler);
    //! Any thread: sends `request` (its `t`, `k`, `corr` and `from` are set here) to `node`'s
    //! inbox; `done` runs on the cluster thread with the answer, or with none after
    //! `timeoutMs` (or when the inbox stops).
    void ask(const QUuid &node, const QString &kind, QJsonObject request, int timeoutMs,
             std::function<void(const std::optional<QJsonObject> &)> done);
    //! Cluster thread: a correlation for up to `expected` answers to a request sent by the
    //! caller; `done` once they came, or after `timeoutMs` with those that did.
    quint64 expect(int expected, int timeoutMs, Answers done);
    //! Any thread: answers request `correlation` of node `to`.
    void answer(const QUuid &to, quint64 correlation, const QJsonObject &body);
    //! An Answer for request `correlation` of node `to`, callable from any thread.
    Answer answerTo(const QUuid &to, quint64 correlation);

    //! Cluster thread: a message on this node's inbox.
    void receive(const QByteArray &payload);
    //! Cluster thread: nothing more is answered or sent; waiting requests get what they have.
    void stop();

private:
    struct Waiting
    {
        int expected = 1;
        QList<QJsonObject> bodies;
        qint64 deadlineMs = 0;
        Answers done;
    };
    void expire();
    //! Cluster thread: `correlation` is answered now with what it has (its node is gone).
    void giveUp(quint64 correlation);

    ClusterBus &m_bus;
    QUuid m_node;
    Mailbox *m_mailbox;
    QHash<QString, Handler> m_handlers;
    quint64 m_nextCorrelation = 1;
    QHash<quint64, Waiting> m_waiting; //!< cluster thread
    QTimer m_expiry;
    bool m_stopped = false;
};

} // namespace chatter::server
