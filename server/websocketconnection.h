// SPDX-License-Identifier: MIT
#pragma once

#include "batchsender.h"
#include "connection.h"
#include "connectionlimiter.h"
#include "socketreadwatch.h"
#include "socketsession.h"
#include "tlssession.h"
#include "websocketreader.h"

#include <QList>
#include <QObject>
#include <QSocketNotifier>

namespace chatter::server {

class Worker;

//! The WebSocket transport after the upgrade: reads and writes the connection's descriptor
//! itself (FrontDoor answers the upgrade). A QWebSocket and its QTcpSocket would cost ~15 KiB
//! per idle connection (buffers kept after the 101 response, two objects with their private
//! parts) and a text conversion per message each way. Here an idle
//! connection holds no buffer at all: reads go into a per-thread scratch buffer and only an
//! incomplete frame is kept; writes go straight to the kernel and only what it does not take
//! (a slow reader) is queued. Over TLS the connection holds the handshake's TlsSession and
//! encrypts each frame itself (one record per frame and recipient), so the kernel still gets
//! every send of a broadcast in one io_uring submission; everything below write() and above
//! recv() is then ciphertext.
class WebSocketConnection final : public Connection,
                                  private ReadWatcher,
                                  private WebSocketReaderSink,
                                  private BatchSender::Client
{
    Q_OBJECT
public:
    //! Takes ownership of `descriptor`, a connected, upgraded, non-blocking socket. `received`
    //! is what arrived after the handshake before the descriptor was handed over (decrypted). Over
    //! TLS, `tls` is the connection's session and `pendingOutput` ciphertext to send first.
    //! `greeting` (the 101 response) goes out before any frame, encrypted over TLS.
    WebSocketConnection(int descriptor, QByteArray received, ConnectInfo info, Worker &worker,
                        std::unique_ptr<TlsSession> tls = nullptr, QByteArray pendingOutput = {},
                        const QByteArray &greeting = {});
    ~WebSocketConnection() override;

    void sendFrame(const Frame &frame) override;
    void sendPrebuilt(const Frame &frame, const QByteArray &webSocketFrame) override;
    void closeWith(quint16 code, const QString &reason) override;

    const ConnectInfo &info() const override { return m_session.info(); }
    SocketSession &session() override { return m_session; }
    bool isClosing() const override { return m_closing; }
    void sweep(const ServerConfig &config) override;
    qint64 queuedBytes() const override { return m_queuedBytes; }
    void setInputPaused(bool paused) override;
    //! Counts this connection against the limits for as long as it lives.
    void holdAdmission(Admission admission) { m_admission = std::move(admission); }

private:
    bool onMessage(QByteArrayView payload, bool binary) override;
    bool onPing(QByteArrayView payload) override;
    bool onPong() override;
    void onClose(quint16 code, QByteArrayView reason) override;
    void onProtocolError(quint16 code, const char *what) override;

    void batchedSendDone(const QByteArray &bytes, int result) override;

    void readReady() override; // the socket has input (ReadWatcher)
    void onWritable();
    void consume(char *data, qsizetype size);
    //! Decrypts and consumes what the TLS session holds; false once the connection ended.
    bool decryptInput();
    //! Frames out: encrypted first over TLS.
    void write(const QByteArray &bytes);
    //! Bytes as they go on the wire.
    void writeRaw(const QByteArray &bytes);
    void enqueue(const QByteArray &bytes, qsizetype written);
    void armWriteNotifier();
    void onSendFailed();
    void checkSlowReader();
    void startClosing(quint16 code, const QString &reason);
    void finishWhenFlushed();
    //! Ends the connection; a graceful end keeps reading until the client closes too.
    void finish(bool graceful);
    void onPeerGone();
    void dropWriteNotifier();

    Admission m_admission;
    int m_descriptor;
    SocketReadWatch m_readWatch;
    QSocketNotifier *m_writeNotifier = nullptr; //!< only while output is queued
    Worker &m_worker;
    WebSocketReader m_reader;
    std::unique_ptr<TlsSession> m_tls; //!< null for a plain connection
    SocketSession m_session;
    QList<QByteArray> m_queue; //!< frames the kernel has not taken yet; the first one partly
    qsizetype m_queueOffset = 0;
    qint64 m_queuedBytes = 0;
    qint64 m_lastFrameMs = 0; //!< monotonic; of the last whole message (idle timeout)
    //! Monotonic ms since the first fragment of a message still open, -1 while none is: its
    //! fragments are held in memory, so the rest must follow within
    //! ServerConfig::fragmentTimeoutMs (pings and pongs in between do not extend it).
    qint64 m_messageOpenSinceMs = -1;
    quint16 m_closeCode = 1006; //!< as sent or received; 1006 while none was
    bool m_closing = false;
    bool m_finished = false;
    bool m_batchPending = false; //!< a send is in the worker's batch; later output joins it
    bool m_inputPaused = false;
    BatchSender::EntryId m_batchEntry = -1; //!< that send's entry in the batch
};

} // namespace chatter::server
