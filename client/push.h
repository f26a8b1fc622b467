// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

namespace chatter::client {

class PhoenixChannel;

//! One request on a channel, answered by a `phx_reply` with the same ref or by a local timeout.
//!
//! Every (re)send takes a fresh ref and restarts the timeout, as phoenix.js does; a push whose
//! timeout has fired is never sent again. Pushes made with PhoenixChannel::push() delete
//! themselves once answered or timed out, so connect to their signals right away.
class Push : public QObject
{
    Q_OBJECT
public:
    using PayloadProvider = std::function<QJsonObject()>;

    Push(PhoenixChannel *channel, QString event, PayloadProvider payload, int timeoutMs);
    ~Push() override;

    const QString &event() const { return m_event; }
    //! Empty until the push has been sent or buffered.
    const QString &ref() const { return m_ref; }
    bool hasTimedOut() const { return m_timedOut; }
    bool isDone() const { return m_done; }
    bool wasSent() const { return m_sent; }

    //! Takes a fresh ref, restarts the timeout and writes the message (unless timed out).
    void send();
    //! Forgets the previous attempt, then send()s with `timeoutMs` (the join push on rejoin).
    void resend(int timeoutMs);
    //! Takes a ref and starts the timeout without sending: a push buffered before the join.
    void startTimeout();
    //! Cancels the timeout and drops the ref, so a late reply to it is ignored.
    void reset();
    void cancelTimeout();

Q_SIGNALS:
    //! Every reply, whatever its status ("ok", "error" or any other string).
    void replied(const QString &status, const QJsonValue &response);
    void ok(const QJsonValue &response);
    void error(const QJsonValue &response);
    void timeout();

private:
    friend class PhoenixChannel;
    void handleReply(const QString &status, const QJsonValue &response);
    void handleTimeout();
    void finish();

    PhoenixChannel *m_channel;
    QString m_event;
    PayloadProvider m_payload;
    QString m_ref;
    QTimer m_timer;
    bool m_sent = false;
    bool m_timedOut = false;
    bool m_done = false;
    //! Self-deleting once done: user pushes are. The join push is reused for every rejoin.
    bool m_autoDelete = false;
};

} // namespace chatter::client
