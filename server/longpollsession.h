// SPDX-License-Identifier: MIT
#pragma once

#include "connection.h"
#include "socketsession.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace chatter::server {

class Worker;

//! The long-poll transport (phoenix-protocol.md §7): a server-side session that buffers
//! outgoing messages until a GET collects them, holds an empty GET for a while, and ends when
//! the client stops polling. Lives on the worker named in its token.
class LongPollSession final : public Connection
{
    Q_OBJECT
public:
    //! Answers one HTTP request with a JSON body; called on the session's worker thread.
    using Reply = std::function<void(const QJsonObject &body)>;

    LongPollSession(ConnectInfo info, QString token, Worker &worker);
    ~LongPollSession() override;

    //! A GET: answers at once with what is buffered, or holds until something arrives.
    void poll(Reply reply);
    //! A POST: hands the frames to the protocol layer in order; returns the body's status.
    int post(const QByteArray &contentType, const QByteArray &body);

    void sendFrame(const Frame &frame) override;
    void closeWith(quint16 code, const QString &reason) override;
    SocketSession &session() override { return m_session; }
    const ConnectInfo &info() const override { return m_session.info(); }
    bool isClosing() const override { return m_closing; }
    void sweep(const ServerConfig &config) override;
    qint64 queuedBytes() const override { return m_bufferedBytes; }

    const QString &token() const { return m_token; }
    //! At most this many lines of a POST are processed, as Phoenix does.
    static constexpr int MaxLinesPerPost = 100;

private:
    void deliver(int status);

    QString m_token;
    Worker &m_worker;
    SocketSession m_session;
    QStringList m_buffer;
    qint64 m_bufferedBytes = 0;
    Reply m_pending;
    QTimer m_hold;
    QElapsedTimer m_lastPoll;
    bool m_flushQueued = false;
    bool m_closing = false;
};

} // namespace chatter::server
