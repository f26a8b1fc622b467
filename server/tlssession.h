// SPDX-License-Identifier: MIT
#pragma once

#include "expected.h"

#include <QByteArray>

typedef struct bio_st BIO;
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace chatter::server {

//! One connection's TLS state (OpenSSL) without a descriptor: ciphertext goes in through
//! feed() and comes out of takeOutput(), so the connection that owns the descriptor decides
//! when and how bytes reach the kernel (a broadcast's records for all recipients go in one
//! io_uring submission). Owned by one thread at a time: the front door's relay during the
//! handshake and plain-HTTP phase, then the WebSocket connection.
//!
//! This is also where kernel TLS would come in: after the handshake, the session's keys
//! would go to the socket (TCP_ULP "tls") and encrypt() would pass bytes through.
class TlsSession
{
public:
    //! A server-side session of `context` (which it keeps alive).
    explicit TlsSession(SSL_CTX *context);
    ~TlsSession();
    TlsSession(const TlsSession &) = delete;
    TlsSession &operator=(const TlsSession &) = delete;

    bool isValid() const { return m_ssl != nullptr; }
    //! Ciphertext that arrived from the peer.
    void feed(const char *data, qsizetype size);
    //! Advances the handshake with what was fed: true once it is complete, false while it
    //! needs more input, or why it failed.
    Expected<bool> handshake();
    bool isHandshakeComplete() const { return m_handshakeComplete; }

    //! What read() found besides plaintext.
    enum class ReadEnd
    {
        NeedMore = 0, //!< nothing to decrypt until more ciphertext is fed
        Closed = -1,  //!< the peer sent close_notify
        Failed = -2   //!< a broken record or protocol violation
    };
    //! Decrypts into `buffer`: the number of bytes (> 0), or a ReadEnd as a number (<= 0).
    qsizetype read(char *buffer, qsizetype capacity);
    //! True while decrypted or undecrypted input is held inside the session.
    bool hasBufferedInput() const;

    //! Encrypts `plain` into records, appended to the output.
    bool encrypt(const char *plain, qsizetype size);
    //! Encrypts `plain` and returns just its records (plus any output that was waiting).
    QByteArray encrypted(const QByteArray &plain);
    //! Queues a close_notify alert.
    void closeNotify();

    bool hasOutput() const { return !m_output.isEmpty(); }
    //! Ciphertext for the peer: handshake flights, records, alerts, in order.
    QByteArray takeOutput() { return std::exchange(m_output, QByteArray()); }

    //! The negotiated protocol and cipher ("TLSv1.3 TLS_AES_128_GCM_SHA256"), for logs.
    QString description() const;
    //! Why the last operation failed, from OpenSSL's error queue.
    static QString lastError();

private:
    friend struct TlsOutputBio;
    SSL *m_ssl = nullptr;
    BIO *m_input = nullptr; //!< a memory BIO: ciphertext fed but not yet decrypted
    QByteArray m_output;    //!< written by the output BIO, which appends here
    bool m_handshakeComplete = false;
};

} // namespace chatter::server
