// SPDX-License-Identifier: MIT
#include "websocketconnection.h"

#include "lingeringclose.h"
#include "logging.h"
#include "monotonicclock.h"
#include "websocketframe.h"
#include "worker.h"

#include <QTimer>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chatter::server {

namespace {

//! How long a closing connection may take to flush its queue (a slow reader's backlog holds
//! the close frame up) before it is cut.
constexpr int CloseFlushTimeoutMs = 2000;

//! One per worker thread: an idle connection owns no read buffer.
char *scratchBuffer(qsizetype *size)
{
    constexpr qsizetype Size = 64 * 1024;
    thread_local char buffer[Size];
    *size = Size;
    return buffer;
}

} // namespace

WebSocketConnection::WebSocketConnection(int descriptor, QByteArray received, ConnectInfo info,
                                         Worker &worker, std::unique_ptr<TlsSession> tls,
                                         QByteArray pendingOutput, const QByteArray &greeting)
    : m_descriptor(descriptor), m_readWatch(descriptor, *this, this), m_worker(worker),
      m_reader(worker.config().maxFrameBytes), m_tls(std::move(tls)),
      m_session(*this, worker, std::move(info))
{
    Q_ASSERT(::fcntl(m_descriptor, F_GETFL) & O_NONBLOCK);
    m_lastFrameMs = monotonicMs();
    worker.recordConnect(m_session.info());
    // What the TLS session still owes the client (the end of its handshake), then the 101:
    // they go ahead of everything.
    if (!pendingOutput.isEmpty())
        writeRaw(pendingOutput);
    if (!greeting.isEmpty())
        write(greeting);
    if (!received.isEmpty() || m_tls) {
        // Not from the constructor: the worker has not registered this connection yet. The
        // socket is read only after these bytes, which came first (and, over TLS, after the
        // records the session took in with the handshake).
        m_readWatch.setEnabled(false);
        QMetaObject::invokeMethod(
            this,
            [this, received]() mutable {
                consume(received.data(), received.size());
                if (m_tls && !m_closing && !decryptInput())
                    return;
                if (!m_finished && !m_inputPaused)
                    m_readWatch.setEnabled(true);
            },
            Qt::QueuedConnection);
    }
}

WebSocketConnection::~WebSocketConnection()
{
    if (m_batchPending)
        m_worker.batchSender().cancel(m_batchEntry, this);
    m_session.shutdown(QStringLiteral("closed"));
    m_readWatch.setEnabled(false);
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

void WebSocketConnection::readReady()
{
    qsizetype capacity = 0;
    char *buffer = scratchBuffer(&capacity);
    // A few reads at most per wake-up, so one busy client cannot starve the others.
    for (int round = 0; round < 4 && m_descriptor >= 0 && !m_inputPaused; ++round) {
        const ssize_t n = ::recv(m_descriptor, buffer, size_t(capacity), 0);
        if (n > 0) {
            if (m_closing) {
                // Input after our close frame is discarded, records included.
            } else if (m_tls) {
                m_tls->feed(buffer, n); // copied: the scratch buffer now takes the plaintext
                if (!decryptInput())
                    return;
            } else {
                consume(buffer, n);
            }
            if (n < capacity)
                return; // drained; the notifier fires again when more arrives
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n == 0 && m_closing && !m_queue.isEmpty()) {
            // The client closed its side after its close frame; ours is still queued and
            // can go out (the flush or its time limit ends the connection).
            m_readWatch.setEnabled(false);
            return;
        }
        onPeerGone(); // EOF or a reset
        return;
    }
}

void WebSocketConnection::consume(char *data, qsizetype size)
{
    m_reader.feed(data, size, *this);
    if (!m_reader.isMessageOpen())
        m_messageOpenSinceMs = -1;
    else if (m_messageOpenSinceMs < 0)
        m_messageOpenSinceMs = monotonicMs();
}

bool WebSocketConnection::decryptInput()
{
    qsizetype capacity = 0;
    char *buffer = scratchBuffer(&capacity);
    while (!m_closing && !m_inputPaused && m_descriptor >= 0) {
        const qsizetype n = m_tls->read(buffer, capacity);
        if (n > 0) {
            consume(buffer, n);
            continue;
        }
        if (n == qsizetype(TlsSession::ReadEnd::NeedMore))
            break;
        if (n == qsizetype(TlsSession::ReadEnd::Failed))
            m_worker.record(EngineEvent::Kind::ProtocolError, info(), {},
                            QStringLiteral("TLS: %1 - closing").arg(TlsSession::lastError()));
        onPeerGone(); // close_notify or a broken record: nothing more can be read
        return false;
    }
    // Reading can produce records of its own (the answer to a key update).
    if (m_tls->hasOutput() && m_descriptor >= 0)
        writeRaw(m_tls->takeOutput());
    return m_descriptor >= 0;
}

bool WebSocketConnection::onMessage(QByteArrayView payload, bool binary)
{
    if (m_closing)
        return false;
    // Only whole messages count as activity: a trickle of bytes, pings, or pongs nobody asked
    // for (the server sends no pings) do not keep a connection alive.
    m_lastFrameMs = monotonicMs();
    ++stats.messagesIn;
    stats.bytesIn += payload.size();
    if (const auto handled = m_session.handleFrame(payload, binary); !handled) {
        m_worker.record(
            EngineEvent::Kind::ProtocolError, info(), {},
            QStringLiteral("malformed frame: %1 - closing with 1011").arg(handled.error()));
        closeWith(1011, QStringLiteral("malformed frame"));
    }
    return !m_closing;
}

bool WebSocketConnection::onPing(QByteArrayView payload)
{
    if (m_closing)
        return false;
    // A client that pings without reading gets no pongs piling up: RFC 6455 §5.5.3 lets an
    // endpoint answer only the latest ping, and while output is queued none is answered.
    if (m_queue.isEmpty())
        write(serverPongFrame(payload));
    return true;
}

bool WebSocketConnection::onPong()
{
    return !m_closing;
}

void WebSocketConnection::onClose(quint16 code, QByteArrayView)
{
    if (m_closing) {
        // The answer to our own close frame: nothing is left to say.
        finishWhenFlushed();
        return;
    }
    // RFC 6455 §5.5.1: answer with a close frame echoing the code.
    startClosing(code, QString());
}

void WebSocketConnection::onProtocolError(quint16 code, const char *what)
{
    m_worker.record(EngineEvent::Kind::ProtocolError, info(), {},
                    QStringLiteral("%1 - closing with %2").arg(QLatin1String(what)).arg(code));
    closeWith(code, QString::fromLatin1(what));
}

void WebSocketConnection::sendFrame(const Frame &frame)
{
    sendPrebuilt(frame, serverWebSocketFrame(frame.binary, frame.data));
}

void WebSocketConnection::sendPrebuilt(const Frame &frame, const QByteArray &webSocketFrame)
{
    if (m_closing)
        return;
    write(webSocketFrame);
    ++stats.messagesOut;
    stats.bytesOut += frame.data.size();
    checkSlowReader();
}

void WebSocketConnection::write(const QByteArray &bytes)
{
    if (m_descriptor < 0)
        return;
    // One record per frame and recipient: TLS encrypts each connection with its own keys.
    if (m_tls)
        writeRaw(m_tls->encrypted(bytes));
    else
        writeRaw(bytes);
}

void WebSocketConnection::writeRaw(const QByteArray &bytes)
{
    if (m_descriptor < 0)
        return;
    qsizetype written = 0;
    BatchSender &batch = m_worker.batchSender();
    // Not once closing: the close frame must stay in the queue that decides when we are done.
    if (m_batchPending && !m_closing && m_queue.isEmpty() &&
        batch.append(m_batchEntry, this, bytes))
        return;
    if (m_queue.isEmpty() && !m_batchPending) {
        // Inside a broadcast, the send joins the worker's single submission.
        if (batch.isCollecting()) {
            m_batchEntry = batch.queue(m_descriptor, bytes, this);
            if (m_batchEntry >= 0) {
                m_batchPending = true;
                return;
            }
        }
        // Otherwise the common case: the kernel takes the whole frame, nothing is kept.
        const ssize_t n = ::send(m_descriptor, bytes.constData(), size_t(bytes.size()),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n == bytes.size())
            return;
        if (n > 0) {
            written = n;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            onSendFailed();
            return;
        }
    }
    enqueue(bytes, written);
}

void WebSocketConnection::batchedSendDone(const QByteArray &bytes, int result)
{
    m_batchPending = false;
    if (m_descriptor < 0)
        return;
    if (result == bytes.size()) {
        if (!m_queue.isEmpty())
            onWritable(); // what was written meanwhile waited behind this
        else if (m_closing)
            finishWhenFlushed();
        return;
    }
    if (result < 0 && result != -EAGAIN && result != -EWOULDBLOCK && result != -EINTR) {
        onSendFailed();
        return;
    }
    // A short write: the rest goes first, ahead of anything queued meanwhile.
    const qsizetype written = std::max(result, 0);
    m_queue.prepend(bytes);
    m_queueOffset = written;
    m_queuedBytes += bytes.size() - written;
    armWriteNotifier();
    checkSlowReader();
}

void WebSocketConnection::enqueue(const QByteArray &bytes, qsizetype written)
{
    m_queue.append(bytes); // shared, not copied: broadcast frames are the same for everyone
    if (m_queue.size() == 1)
        m_queueOffset = written;
    m_queuedBytes += bytes.size() - written;
    if (!m_batchPending)
        armWriteNotifier();
}

void WebSocketConnection::armWriteNotifier()
{
    if (!m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this,
                &WebSocketConnection::onWritable);
    }
    m_writeNotifier->setEnabled(true);
}

void WebSocketConnection::onSendFailed()
{
    // The peer is gone; the read side may not have noticed yet. Nothing more is worth queuing.
    if (m_finished)
        return;
    m_closing = true;
    QMetaObject::invokeMethod(this, &WebSocketConnection::onPeerGone, Qt::QueuedConnection);
}

void WebSocketConnection::checkSlowReader()
{
    if (m_closing || m_queuedBytes <= m_worker.config().maxOutboundBytes)
        return;
    m_worker.record(EngineEvent::Kind::SlowReader, info(), {},
                    QStringLiteral("%1 bytes queued - closing with 1013").arg(m_queuedBytes));
    closeWith(1013, QStringLiteral("slow reader"));
}

void WebSocketConnection::onWritable()
{
    while (!m_queue.isEmpty() && m_descriptor >= 0) {
        const QByteArray &head = m_queue.first();
        const qsizetype left = head.size() - m_queueOffset;
        const ssize_t n = ::send(m_descriptor, head.constData() + m_queueOffset, size_t(left),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            onPeerGone();
            return;
        }
        m_queuedBytes -= n;
        if (n < left) {
            m_queueOffset += n;
            return;
        }
        m_queue.removeFirst();
        m_queueOffset = 0;
    }
    dropWriteNotifier(); // a slow reader's notifier is not kept once it has caught up
    m_queue = QList<QByteArray>();
    if (m_closing)
        finishWhenFlushed();
}

void WebSocketConnection::dropWriteNotifier()
{
    if (!m_writeNotifier)
        return;
    // Later: this may run inside the notifier's own activation.
    m_writeNotifier->setEnabled(false);
    m_writeNotifier->deleteLater();
    m_writeNotifier = nullptr;
}

void WebSocketConnection::setInputPaused(bool paused)
{
    m_inputPaused = paused;
    if (m_finished || m_descriptor < 0 || (m_closing && !paused))
        return; // a closing one ends by its flush or time limit, not by reading
    m_readWatch.setEnabled(!paused); // level-triggered: what waits is read on resume
    if (!paused)
        m_lastFrameMs = monotonicMs(); // the pause was ours; the idle clock starts again
    if (!paused && m_tls && m_tls->hasBufferedInput()) {
        // Records already taken from the socket do not make it readable again.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_finished && !m_closing && !m_inputPaused)
                    decryptInput();
            },
            Qt::QueuedConnection);
    }
}

void WebSocketConnection::sweep(const ServerConfig &config)
{
    if (m_closing)
        return;
    const qint64 now = monotonicMs();
    if (m_messageOpenSinceMs >= 0 && !m_inputPaused &&
        now - m_messageOpenSinceMs >= config.fragmentTimeoutMs) {
        m_worker.record(EngineEvent::Kind::ProtocolError, info(), {},
                        QStringLiteral("fragmented message unfinished after %1 ms - closing "
                                       "with 1008")
                            .arg(config.fragmentTimeoutMs));
        closeWith(1008, QStringLiteral("message not finished in time"));
        return;
    }
    // A paused client is waiting for us, not idle.
    if (m_inputPaused || now - m_lastFrameMs < config.idleTimeoutMs)
        return;
    m_worker.record(EngineEvent::Kind::Disconnect, info(), {},
                    QStringLiteral("idle timeout - closing with 1001"));
    closeWith(1001, QStringLiteral("idle timeout"));
}

void WebSocketConnection::closeWith(quint16 code, const QString &reason)
{
    if (m_closing)
        return;
    startClosing(code, reason);
}

void WebSocketConnection::startClosing(quint16 code, const QString &reason)
{
    m_closing = true;
    m_closeCode = code;
    // Later: closing can start inside a broadcast or a join (a slow reader), whose callers
    // still use the channels that shutting the session down destroys. Nothing goes in or out
    // meanwhile, as the connection is closing.
    QMetaObject::invokeMethod(
        this,
        [this, reason] {
            m_session.shutdown(reason.isEmpty() ? QStringLiteral("closed") : reason);
        },
        Qt::QueuedConnection);
    write(serverCloseFrame(code, reason));
    // A slow reader's backlog would hold the close frame up for as long as it stays slow.
    QTimer::singleShot(CloseFlushTimeoutMs, this, [this] { finish(false); });
    finishWhenFlushed();
}

void WebSocketConnection::finishWhenFlushed()
{
    if (!m_queue.isEmpty() || m_batchPending)
        return;
    // Queued: this may run inside a broadcast or a frame's handling, which still use the
    // connection; the worker deletes it once it has been told.
    QMetaObject::invokeMethod(
        this, [this] { finish(true); }, Qt::QueuedConnection);
}

void WebSocketConnection::onPeerGone()
{
    finish(false);
}

void WebSocketConnection::finish(bool graceful)
{
    if (m_finished)
        return;
    m_finished = true;
    m_closing = true;
    // A send still waiting in the worker's batch must not reach whatever socket gets this
    // descriptor's number next.
    if (m_batchPending)
        m_worker.batchSender().cancel(m_batchEntry, this);
    m_readWatch.setEnabled(false);
    dropWriteNotifier();
    m_queue.clear();
    m_queuedBytes = 0;
    if (m_descriptor >= 0) {
        if (graceful && m_tls) {
            // close_notify after the close frame, if the kernel takes it at once.
            m_tls->closeNotify();
            const QByteArray alert = m_tls->takeOutput();
            [[maybe_unused]] const ssize_t n = ::send(
                m_descriptor, alert.constData(), size_t(alert.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (graceful)
            LingeringClose::start(m_descriptor, &m_worker);
        else
            ::close(m_descriptor);
        m_descriptor = -1;
    }
    m_session.shutdown(QStringLiteral("closed"));
    m_worker.record(EngineEvent::Kind::Disconnect, info(), {},
                    QStringLiteral("closed, code %1").arg(m_closeCode));
    announceFinished();
}

} // namespace chatter::server
