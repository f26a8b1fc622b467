// SPDX-License-Identifier: MIT
#include "httpgate.h"

#include "accountapi.h"
#include "httpstatus.h"
#include "lingeringclose.h"
#include "worker.h"

#include <QTcpSocket>

#include <fcntl.h>

namespace chatter::server {
namespace {

constexpr qsizetype MaxRequestHead = 16 * 1024;
constexpr int SweepMs = 250;
const QString LongPollPath = QStringLiteral("/socket/longpoll");
const QString ApiPrefix = QStringLiteral("/api/");
const QString UploadPath = QStringLiteral("/api/files");
//! A form's framing around the file (boundaries, part headers); FileApi measures the file.
constexpr qint64 MultipartSlack = 16 * 1024;
//! An upload's body may take longer than other requests: this much time per byte on top of
//! the request deadline (64 KiB/s, so 25 MiB may take about 7 minutes), still bounded.
constexpr qint64 UploadBytesPerSecond = 64 * 1024;

} // namespace

HttpGate::HttpGate(Worker &worker, QObject *parent) : QObject(parent), m_worker(worker)
{
    m_sweep.setParent(this);
    m_sweep.setInterval(SweepMs);
    connect(&m_sweep, &QTimer::timeout, this, &HttpGate::sweep);
}

void HttpGate::watch(QTcpSocket *socket)
{
    const ServerConfig &config = m_worker.config();
    // Long-poll bodies carry Phoenix messages: as large as one WebSocket frame may be. The
    // accounts API takes small JSON objects. No other route takes a body.
    const qint64 longPollBody = config.maxFrameBytes;
    const qint64 uploadBody = config.maxUploadBytes + MultipartSlack;
    RequestStream stream(MaxRequestHead, [longPollBody, uploadBody](const RequestHead &head) {
        if (head.path == LongPollPath)
            return longPollBody;
        if (head.path == UploadPath)
            return uploadBody;
        return head.path.startsWith(ApiPrefix) ? qint64(AccountApi::MaxBodyBytes) : qint64(0);
    });
    // The first request has begun: its head is here, its body may not be.
    m_watched.insert(socket, Watched{socket, std::move(stream), 0,
                                     QDeadlineTimer(config.httpRequestTimeoutMs), 0});
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] { onBytesWritten(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket] { m_watched.remove(socket); });
    if (!m_sweep.isActive())
        m_sweep.start();
}

void HttpGate::onReadyRead(QTcpSocket *socket)
{
    const auto it = m_watched.find(socket);
    if (it == m_watched.end())
        return;
    Watched &watched = *it;
    const ServerConfig &config = m_worker.config();
    const bool wasBetween = watched.stream.phase() == RequestStream::Phase::Between;
    const quint64 completedBefore = watched.stream.completed();
    // Everything buffered is what Qt has not read yet: its slot, next in line, reads it all.
    const QByteArray fresh = socket->peek(socket->bytesAvailable());
    const RequestStream::Verdict verdict = watched.stream.feed(fresh);
    if (verdict != RequestStream::Verdict::Fine) {
        // An upload's refusal says the limit, as FileApi's own 413 does
        // (docs/files-and-search.md).
        if (verdict == RequestStream::Verdict::BodyTooLarge &&
            watched.stream.head().path == UploadPath) {
            const QByteArray limit = QByteArray::number(config.maxUploadBytes);
            refuse(socket, 413,
                   "{\"error\":\"too large\",\"message\":\"files are limited to " + limit +
                       " bytes\",\"limit\":" + limit + '}',
                   "content-type: application/json; charset=utf-8\r\n");
            return;
        }
        refuse(socket, RequestStream::httpStatus(verdict));
        return;
    }
    const bool finishedOne = watched.stream.completed() != completedBefore;
    if (watched.stream.phase() != RequestStream::Phase::Between) {
        // A new request began in these bytes: the whole of it gets one deadline.
        if (wasBetween || finishedOne)
            watched.deadline.setRemainingTime(config.httpRequestTimeoutMs);
        // An upload's body gets time in proportion to its declared size, once its head is in.
        const quint64 request = watched.stream.completed() + 1;
        if (watched.stream.phase() == RequestStream::Phase::Body &&
            watched.uploadExtended != request && watched.stream.head().path == UploadPath) {
            watched.uploadExtended = request;
            watched.deadline.setRemainingTime(
                config.httpRequestTimeoutMs +
                watched.stream.head().header("content-length").toLongLong() * 1000 /
                    UploadBytesPerSecond);
        }
    } else if (finishedOne) {
        // Answered at once, or held (an empty long-poll GET waits for messages).
        watched.deadline.setRemainingTime(config.longPollHoldMs + config.httpIdleTimeoutMs);
    }
}

void HttpGate::onBytesWritten(QTcpSocket *socket)
{
    const auto it = m_watched.find(socket);
    if (it == m_watched.end() || socket->bytesToWrite() > 0)
        return;
    it->answered = it->stream.completed();
    if (it->stream.phase() == RequestStream::Phase::Between)
        it->deadline.setRemainingTime(m_worker.config().httpIdleTimeoutMs);
}

void HttpGate::refuse(QTcpSocket *socket, int status, const QByteArray &body,
                      const QByteArray &headers)
{
    // Qt's parser must not read what is buffered: its slot comes after this one.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    m_watched.remove(socket);
    socket->write(closingResponse(status, body, headers));
    socket->flush();
    // The client may still be sending (the rest of a 2 GB body): closing with unread input
    // would reset the connection and could lose the answer. A duplicate of the descriptor
    // lingers, discarding input, while Qt's socket goes.
    int lingering = -1;
    if (socket->bytesToWrite() == 0)
        lingering = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    socket->abort();
    socket->deleteLater();
    LingeringClose::start(lingering, this);
}

void HttpGate::sweep()
{
    QList<const QTcpSocket *> late;
    for (auto it = m_watched.cbegin(); it != m_watched.cend(); ++it) {
        if (it->deadline.hasExpired())
            late.append(it.key());
    }
    for (const QTcpSocket *key : std::as_const(late)) {
        const auto it = m_watched.find(key);
        QTcpSocket *socket = it->socket;
        if (!socket) {
            m_watched.erase(it);
            continue;
        }
        if (it->stream.phase() != RequestStream::Phase::Between) {
            refuse(socket, 408); // a request that trickled in
            continue;
        }
        const bool idle = it->answered == it->stream.completed();
        m_watched.erase(it);
        if (idle) {
            socket->disconnectFromHost();
        } else {
            // Its answer never came, or Qt's parser gave the connection up without closing it.
            socket->abort();
        }
        socket->deleteLater();
    }
    if (m_watched.isEmpty())
        m_sweep.stop();
}

} // namespace chatter::server
