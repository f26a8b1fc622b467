// SPDX-License-Identifier: MIT
#pragma once

#include "connectinfo.h"
#include "connectionlimiter.h"
#include "handshakevalidator.h"
#include "requesthead.h"
#include "socketreadwatch.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>
#include <optional>
#include <unordered_map>

class QTcpSocket;

namespace chatter::server {

class HttpRoutes;
class ProxyHeader;
class RelaySocket;
class Worker;

//! A worker's front door: takes over accepted descriptors, peeks at the first request head
//! and sends it on: a valid WebSocket upgrade, answered here, to a WebSocketConnection, a refused
//! one an HTTP 400/403/431, anything else to the HTTP routes. With TLS, a connection that opens
//! with a ClientHello goes through a TlsRelay first and its decrypted stream (a RelaySocket) is
//! routed the same way; plain HTTP on the TLS port is redirected to https (GET, HEAD) or refused.
//! A plain connection's first request head is looked at on the bare descriptor (MSG_PEEK):
//! a whole WebSocket upgrade, what almost every connection opens with, goes to its
//! WebSocketConnection without a QTcpSocket ever being made for it; anything else (a partial
//! head, HTTP, a refusal) gets its QTcpSocket then, with every byte still unread.
//! Lives on the worker's thread, as a child of the worker.
class FrontDoor : public QObject
{
    Q_OBJECT
public:
    FrontDoor(Worker &worker, HttpRoutes &http);
    ~FrontDoor() override;

    //! Takes over an accepted socket descriptor from `peer`:`peerPort`, admitted by the
    //! connection limits for `peer` (released when the connection ends). `proxied`: `peer` is
    //! a trusted load balancer, so the connection must open with a PROXY v2 header, whose
    //! client is then admitted (per address) and stands for the connection.
    void adopt(qintptr descriptor, const QHostAddress &peer, quint16 peerPort, bool proxied);
    //! Answers 503 on a descriptor the connection limits refused, and closes it.
    void turnAway(qintptr descriptor);

private:
    //! An adopted plain connection before its first request head was looked at.
    struct Newcomer
    {
        Admission admission;
        QHostAddress peer; //!< behind a balancer, the client its header named, once read
        quint16 peerPort;
        QDeadlineTimer deadline;
        bool proxied = false; //!< from --trusted-proxies: a PROXY header comes first
    };
    //! A newcomer whose first input had not arrived when it was adopted: watched for it, still
    //! without a QTcpSocket.
    struct Arrival final : ReadWatcher
    {
        Arrival(FrontDoor &owner, int fd, Newcomer waiting);
        void readReady() override { door.arrived(descriptor); }

        FrontDoor &door;
        const int descriptor;
        Newcomer newcomer;
        SocketReadWatch watch; //!< last: watching starts once the rest is in place
    };

    //! Input on an Arrival's descriptor: its first input is taken.
    void arrived(int descriptor);
    //! The first bytes of a newcomer, peeked into `buffer` (MaxRequestHead bytes): how many,
    //! 0 if it closed, -1 on an error, or nullopt if none have come yet.
    static std::optional<qsizetype> peekFirstInput(int descriptor, char *buffer);
    //! A newcomer's first input, `peeked` bytes in `buffer`: a whole upgrade is accepted at
    //! once, anything else gets a QTcpSocket. Nothing may watch the descriptor any more.
    void takeFirstInput(int descriptor, Newcomer newcomer, const char *buffer, qsizetype peeked);
    //! A trusted balancer's newcomer: the size of its PROXY header at the start of `bytes`
    //! (peeked) once read and its client admitted, who then stands for the newcomer; 0 when
    //! the newcomer was taken care of instead: a header in pieces goes to the socket path, no
    //! header closes, a refused client gets its 503.
    qsizetype peekedProxyHeader(int descriptor, Newcomer &newcomer, QByteArrayView bytes);
    //! Counts a parsed header's client (LOCAL: the balancer) under the per-address cap in
    //! `admission`, exempt until now; false, noted as a refusal, when the cap is full.
    bool admitClient(const ProxyHeader &header, const QHostAddress &balancer, Admission &admission);
    void noHeaderFrom(const QHostAddress &balancer, const QString &reason);
    static const QByteArray &busyResponse();
    //! `descriptor` as a QTcpSocket holding its admission, nothing read yet; null (and the
    //! descriptor closed) if Qt will not take it. Nothing else may watch the descriptor.
    //! `proxied`: a ProxiedSocket, whose peer the PROXY header will name.
    QTcpSocket *socketFor(int descriptor, Admission admission, bool proxied = false);
    //! Routes `socket` once its first request head is complete, or cuts it at `deadline`.
    void watch(QTcpSocket *socket, QDeadlineTimer deadline);
    void route(QTcpSocket *socket);
    //! Reads a trusted proxy's PROXY v2 header off `socket` once it is complete: true when the
    //! client it names is admitted and set as the socket's peer (the rest is then routed as on
    //! any connection); false while it is incomplete, or when the connection was closed (no
    //! header) or refused (503: the client's per-address cap).
    bool takeProxyHeader(QTcpSocket *socket);
    void startTls(QTcpSocket *socket);
    void answerPlainOnTlsPort(QTcpSocket *socket);
    //! The first request head, without reading it: none while it is incomplete, or when it is
    //! oversized (431) or invalid (400), both answered here.
    std::optional<RequestHead> peekHead(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, const QByteArray &body,
                const QByteArray &extraHeaders = {});
    //! Answers a validated upgrade with its 101 and hands the descriptor (over TLS, the
    //! relay's session) to a WebSocketConnection.
    void acceptWebSocket(QTcpSocket *socket, const RequestHead &head, ConnectInfo info);
    //! Sends a short closing `answer` on a bare descriptor and closes it, lingering (bounded)
    //! so that the client reads the answer rather than a reset.
    void answerAndClose(int descriptor, const QByteArray &answer);
    //! Logs and answers a refused upgrade.
    void refuseUpgrade(QTcpSocket *socket, const HandshakeValidator::Decision &decision);
    void recordRefusal(const QHostAddress &address, quint16 port,
                       const HandshakeValidator::Decision &decision);
    //! The 101 for a validated upgrade; fills in the connection's id, peer and time.
    QByteArray upgrade(const RequestHead &head, ConnectInfo &info, const QHostAddress &peer,
                       quint16 peerPort);
    //! Leaves the "waiting for a request head" state: routed, refused or gone.
    void stopWaiting(QTcpSocket *socket);
    void sweepUnrouted();

    Worker &m_worker;
    HttpRoutes &m_http;
    //! Sockets whose request head is not complete yet, with the time they have left.
    QHash<QTcpSocket *, QDeadlineTimer> m_unrouted;
    //! Those of them, from trusted proxies, whose PROXY header has not been read yet.
    QSet<QTcpSocket *> m_awaitingProxyHeader;
    //! Plain descriptors not read yet, by descriptor; their deadlines are swept the same way.
    std::unordered_map<int, std::unique_ptr<Arrival>> m_arrivals;
    QTimer m_headSweep;
};

} // namespace chatter::server
