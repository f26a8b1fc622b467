// SPDX-License-Identifier: MIT
#include "longpollsession.h"

#include "logging.h"
#include "longpollbody.h"
#include "worker.h"

#include <QJsonArray>

namespace chatter::server {

LongPollSession::LongPollSession(ConnectInfo info, QString token, Worker &worker)
    : m_token(std::move(token)), m_worker(worker), m_session(*this, worker, std::move(info))
{
    m_lastPoll.start();
    m_hold.setSingleShot(true);
    connect(&m_hold, &QTimer::timeout, this, [this] { deliver(204); });
    worker.recordConnect(m_session.info());
}

LongPollSession::~LongPollSession()
{
    m_session.shutdown(QStringLiteral("closed"));
}

void LongPollSession::poll(Reply reply)
{
    m_lastPoll.restart();
    if (m_pending)
        deliver(204); // one GET at a time: the older one returns empty
    m_pending = std::move(reply);
    if (!m_buffer.isEmpty() || m_closing) {
        deliver(m_buffer.isEmpty() ? 204 : 200);
        return;
    }
    m_hold.start(m_worker.config().longPollHoldMs);
    // Tests wait for this line: a request that races a held one must find it held.
    qCDebug(lcProtocol) << "long-poll socket" << info().id << "holds a poll";
}

void LongPollSession::deliver(int status)
{
    m_hold.stop();
    if (!m_pending)
        return;
    Reply reply = std::exchange(m_pending, {});
    QJsonArray messages;
    for (const QString &message : std::as_const(m_buffer))
        messages.append(message);
    m_buffer.clear();
    m_bufferedBytes = 0;
    m_lastPoll.restart();
    reply(QJsonObject{{QStringLiteral("status"), messages.isEmpty() ? status : 200},
                      {QStringLiteral("token"), m_token},
                      {QStringLiteral("messages"), messages}});
}

int LongPollSession::post(const QByteArray &contentType, const QByteArray &body)
{
    if (m_closing)
        return 410;
    const QList<LongPollFrame> frames = splitLongPollBody(contentType, body, MaxLinesPerPost);
    for (const auto &[data, binary] : frames) {
        ++stats.messagesIn;
        stats.bytesIn += data.size();
        if (const auto handled = m_session.handleFrame(data, binary); !handled) {
            m_worker.record(EngineEvent::Kind::ProtocolError, info(), {},
                            QStringLiteral("malformed frame: %1 - ending the long-poll session")
                                .arg(handled.error()));
            closeWith(1011, QStringLiteral("malformed frame"));
            return 400;
        }
    }
    return 200;
}

void LongPollSession::sendFrame(const Frame &frame)
{
    if (m_closing)
        return;
    if (frame.binary) {
        // A long-poll body is JSON text; phoenix.js cannot take binary through it.
        qCDebug(lcProtocol) << "long-poll socket" << info().id << "dropped a binary frame";
        return;
    }
    m_buffer.append(frame.text);
    m_bufferedBytes += frame.data.size();
    ++stats.messagesOut;
    stats.bytesOut += frame.data.size();
    if (m_bufferedBytes > m_worker.config().maxOutboundBytes) {
        m_worker.record(
            EngineEvent::Kind::SlowReader, info(), {},
            QStringLiteral("%1 bytes queued - ending the long-poll session").arg(m_bufferedBytes));
        closeWith(1013, QStringLiteral("slow reader"));
        return;
    }
    // Everything produced in this turn of the event loop goes out in one response.
    if (m_pending && !m_flushQueued) {
        m_flushQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_flushQueued = false;
                deliver(200);
            },
            Qt::QueuedConnection);
    }
}

void LongPollSession::closeWith(quint16 code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    // Later, as for WebSocket connections: this can run inside a broadcast or a join.
    QMetaObject::invokeMethod(
        this, [this, reason] { m_session.shutdown(reason); }, Qt::QueuedConnection);
    m_buffer.clear();
    deliver(204); // the next GET finds no session and starts over (410)
    m_worker.record(EngineEvent::Kind::Disconnect, info(), {},
                    QStringLiteral("long-poll session ended: %1 (%2)").arg(reason).arg(code));
    announceFinished();
}

void LongPollSession::sweep(const ServerConfig &config)
{
    if (m_closing || m_pending || m_lastPoll.elapsed() < config.longPollSessionMs)
        return;
    closeWith(1001, QStringLiteral("long-poll session expired"));
}

} // namespace chatter::server
