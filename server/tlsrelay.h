// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

class QSocketNotifier;

namespace chatter::server {

class RelaySocket;
class TlsSession;

//! The cold path of a TLS connection: runs the handshake on the descriptor, then relays
//! between the client (ciphertext) and a RelaySocket (plaintext), so that Qt's HTTP server
//! and WebSocket handshake work unchanged over TLS. Plain HTTP over TLS (long-poll, the
//! browser client) stays on this path for its whole life. After a WebSocket upgrade the
//! front door takes the descriptor and the session back (handOver()) and the connection
//! continues in WebSocketConnection, which encrypts its own records: the hot path never
//! crosses the relay. Lives on the worker's thread, as a child of the front door.
class TlsRelay final : public QObject
{
    Q_OBJECT
public:
    struct Peer
    {
        QHostAddress address;
        quint16 port = 0;
        QHostAddress localAddress;
        quint16 localPort = 0;
    };
    //! Takes ownership of `descriptor` (a TCP connection whose ClientHello has begun) and of
    //! `session`; `received` is what was read from it already.
    TlsRelay(int descriptor, std::unique_ptr<TlsSession> session, const QByteArray &received,
             Peer peer, int handshakeTimeoutMs, QObject *parent);
    ~TlsRelay() override;

    struct Handover
    {
        int descriptor = -1;
        std::unique_ptr<TlsSession> session;
        QByteArray plain;         //!< decrypted input Qt has not read, in order
        QByteArray pendingOutput; //!< ciphertext not yet sent, to go out first
    };
    //! Ends the relay after Qt's WebSocket handshake: Qt's answer (written to its end of the
    //! pair, `qtDescriptor`) is encrypted, and everything after it belongs to the caller.
    Handover handOver(int qtDescriptor);

Q_SIGNALS:
    //! The handshake is done; `socket` carries the decrypted stream (parented to the relay's
    //! parent, so it outlives the relay if needed).
    void decrypted(chatter::server::RelaySocket *socket);

private:
    void onNetworkReadable();
    void onNetworkWritable();
    void onQtReadable();
    void onQtWritable();
    bool startPlaintext();
    void decryptToQt();
    bool writeToQt();
    void sendOutput();
    void networkEnded();
    void qtEnded();
    void finish(bool graceful);

    int m_descriptor;
    int m_pair = -1; //!< the relay's end of the socketpair; Qt has the other
    std::unique_ptr<TlsSession> m_session;
    Peer m_peer;
    QSocketNotifier *m_networkRead = nullptr;
    QSocketNotifier *m_networkWrite = nullptr;
    QSocketNotifier *m_qtRead = nullptr;
    QSocketNotifier *m_qtWrite = nullptr;
    QByteArray m_toNetwork; //!< ciphertext the kernel has not taken yet
    QByteArray m_toQt;      //!< plaintext Qt's end has not taken yet
    QTimer m_deadline;      //!< the handshake's, then the final flush's
    bool m_networkEnded = false;
    bool m_qtEnded = false;
    bool m_finished = false;
};

} // namespace chatter::server
