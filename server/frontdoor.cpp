// SPDX-License-Identifier: MIT
#include "frontdoor.h"

#include "bufferedinput.h"
#include "connectionlimiter.h"
#include "engine.h"
#include "httproutes.h"
#include "httpstatus.h"
#include "lingeringclose.h"
#include "logging.h"
#include "proxiedsocket.h"
#include "proxyheader.h"
#include "relaysocket.h"
#include "requesthead.h"
#include "tlscontext.h"
#include "tlsrelay.h"
#include "tlssession.h"
#include "websocketconnection.h"
#include "websocketupgrade.h"
#include "worker.h"

#include <QTcpSocket>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace chatter::server {
namespace {

constexpr qsizetype MaxRequestHead = 16 * 1024;
constexpr int HeadSweepMs = 1'000;
//! Refused connections that may linger at once (all workers), so that their 503 is read
//! rather than reset; beyond it they are closed at once. Part of the engine's descriptor
//! headroom.
constexpr int MaxLingeringRefusals = 256;
constexpr int RefusalLingerMs = 1'000;
const QString SocketPath = QStringLiteral("/socket/websocket");

//! Takes `bytes` that were peeked (at most MaxRequestHead) off the socket. MSG_TRUNC makes the
//! kernel discard them without a copy (tcp(7)); a buffer is passed all the same, because the
//! sanitizers' recv interceptors mark it as written (a null one was a "race" on address 0).
bool discardPeeked(int descriptor, qsizetype bytes)
{
    char sink[MaxRequestHead];
    Q_ASSERT(bytes <= MaxRequestHead);
    return ::recv(descriptor, sink, size_t(bytes), MSG_DONTWAIT | MSG_TRUNC) == bytes;
}

} // namespace

FrontDoor::Arrival::Arrival(FrontDoor &owner, int fd, Newcomer waiting)
    : door(owner), descriptor(fd), newcomer(std::move(waiting)), watch(fd, *this, &owner)
{}

FrontDoor::FrontDoor(Worker &worker, HttpRoutes &http)
    : QObject(&worker), m_worker(worker), m_http(http)
{
    m_headSweep.setParent(this);
    m_headSweep.setInterval(HeadSweepMs);
    connect(&m_headSweep, &QTimer::timeout, this, &FrontDoor::sweepUnrouted);
}

FrontDoor::~FrontDoor()
{
    for (auto &[descriptor, arrival] : m_arrivals) {
        arrival.reset(); // unwatched before the descriptor goes
        ::close(descriptor);
    }
}

const QByteArray &FrontDoor::busyResponse()
{
    static const QByteArray busy =
        closingResponse(503, "too many connections\n", "retry-after: 5\r\n");
    return busy;
}

void FrontDoor::turnAway(qintptr descriptor)
{
    answerAndClose(int(descriptor), busyResponse());
}

void FrontDoor::answerAndClose(int descriptor, const QByteArray &answer)
{
    // A fresh connection's send buffer is empty: the short answer goes out whole, or not at all.
    ::send(descriptor, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (LingeringClose::liveCount() < MaxLingeringRefusals)
        LingeringClose::start(descriptor, this, RefusalLingerMs);
    else
        ::close(descriptor);
}

void FrontDoor::adopt(qintptr descriptor, const QHostAddress &peer, quint16 peerPort, bool proxied)
{
    ConnectionLimiter &limits = m_worker.engine().limits();
    // A trusted balancer's connection counts under its client's address once its header is read.
    Admission admission = proxied ? Admission::exempt(limits, ConnectionLimiter::Kind::Connection)
                                  : Admission(limits, ConnectionLimiter::Kind::Connection, peer);
    const int fd = int(descriptor);
    // TLS connections are relayed through a QTcpSocket from their first byte (behind a
    // balancer, from the first byte after its header).
    if (m_worker.engine().tls()) {
        if (QTcpSocket *socket = socketFor(fd, std::move(admission), proxied)) {
            if (proxied)
                m_awaitingProxyHeader.insert(socket);
            watch(socket, QDeadlineTimer(m_worker.config().httpRequestTimeoutMs));
        }
        return;
    }
    Newcomer newcomer{std::move(admission), peer, peerPort,
                      QDeadlineTimer(m_worker.config().httpRequestTimeoutMs), proxied};
    // A client sends its upgrade right behind the connect, so it is usually here already:
    // taken at once, the descriptor is never watched for it (two epoll_ctl calls fewer).
    char buffer[MaxRequestHead];
    if (const auto peeked = peekFirstInput(fd, buffer)) {
        takeFirstInput(fd, std::move(newcomer), buffer, *peeked);
        return;
    }
    // A client that never sends its request head must not hold a descriptor for ever.
    m_arrivals.emplace(fd, std::make_unique<Arrival>(*this, fd, std::move(newcomer)));
    if (!m_headSweep.isActive())
        m_headSweep.start();
}

std::optional<qsizetype> FrontDoor::peekFirstInput(int descriptor, char *buffer)
{
    const ssize_t peeked = ::recv(descriptor, buffer, MaxRequestHead, MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return std::nullopt;
    return qsizetype(peeked);
}

void FrontDoor::arrived(int descriptor)
{
    char buffer[MaxRequestHead];
    const auto peeked = peekFirstInput(descriptor, buffer);
    if (!peeked)
        return;
    const auto found = m_arrivals.find(descriptor);
    if (found == m_arrivals.end())
        return;
    Newcomer newcomer = std::move(found->second->newcomer);
    m_arrivals.erase(found); // unwatched: whoever takes the descriptor over watches it itself
    takeFirstInput(descriptor, std::move(newcomer), buffer, *peeked);
}

void FrontDoor::takeFirstInput(int descriptor, Newcomer newcomer, const char *buffer,
                               qsizetype peeked)
{
    if (peeked <= 0) { // closed (or broken) before a byte: nothing to answer
        ::close(descriptor);
        return;
    }
    // Behind a trusted balancer its PROXY header comes first, usually in the same segment as
    // the request: then both are read here, and the header's client stands for the newcomer.
    qsizetype offset = 0;
    if (newcomer.proxied) {
        offset = peekedProxyHeader(descriptor, newcomer, QByteArrayView(buffer, peeked));
        if (offset <= 0)
            return; // closed, refused, or left to the socket path
    }
    RequestHead head;
    const auto status = RequestHead::parse(QByteArray(buffer + offset, peeked - offset), &head);
    if (status != RequestHead::Status::Complete || head.path != SocketPath) {
        // Partial, invalid or plain HTTP: the socket path handles all of it, unread (but for
        // a PROXY header, which is taken off), by the deadline the connection already has.
        if (offset > 0 && !discardPeeked(descriptor, offset)) {
            qCWarning(lcNet) << "PROXY header could not be taken off the socket; closing";
            ::close(descriptor);
            return;
        }
        if (QTcpSocket *socket =
                socketFor(descriptor, std::move(newcomer.admission), newcomer.proxied)) {
            if (auto *proxiedSocket = qobject_cast<ProxiedSocket *>(socket))
                proxiedSocket->setClient(newcomer.peer, newcomer.peerPort);
            watch(socket, newcomer.deadline);
        }
        return;
    }
    HandshakeValidator::Decision decision = m_worker.validator().validate(head, newcomer.peer);
    // The head was peeked whole; taking it now leaves the client's first frames, if any came
    // behind it, for the connection to read (and a refusal's close is a FIN: a close with
    // unread input would reset, and the answer could be lost). A balancer's header goes with
    // them.
    if (!discardPeeked(descriptor, offset + head.size)) {
        qCWarning(lcNet) << "upgrade request could not be taken off the socket; closing";
        ::close(descriptor);
        return;
    }
    if (decision.status != 101) {
        recordRefusal(newcomer.peer, newcomer.peerPort, decision);
        newcomer.admission = {}; // its admission ends here, with the connection
        answerAndClose(descriptor, closingResponse(decision.status, decision.body));
        return;
    }
    const int on = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    const QByteArray response = upgrade(head, decision.info, newcomer.peer, newcomer.peerPort);
    auto *connection = new WebSocketConnection(descriptor, {}, std::move(decision.info), m_worker,
                                               nullptr, {}, response);
    connection->holdAdmission(std::move(newcomer.admission));
    m_worker.addConnection(connection);
}

qsizetype FrontDoor::peekedProxyHeader(int descriptor, Newcomer &newcomer, QByteArrayView bytes)
{
    const ProxyHeader header = ProxyHeader::parse(bytes);
    switch (header.status) {
    case ProxyHeader::Status::NeedMore:
        // A header in pieces: the socket path waits for the rest, by the same deadline.
        if (QTcpSocket *socket = socketFor(descriptor, std::move(newcomer.admission), true)) {
            m_awaitingProxyHeader.insert(socket);
            watch(socket, newcomer.deadline);
        }
        return 0;
    case ProxyHeader::Status::Invalid:
        noHeaderFrom(newcomer.peer, header.reason);
        ::close(descriptor);
        return 0;
    case ProxyHeader::Status::Parsed:
        break;
    }
    if (!admitClient(header, newcomer.peer, newcomer.admission)) {
        newcomer.admission = {};
        answerAndClose(descriptor, busyResponse());
        return 0;
    }
    if (header.usesAddresses()) {
        newcomer.peer = header.source;
        newcomer.peerPort = header.sourcePort;
    }
    return header.size;
}

void FrontDoor::noHeaderFrom(const QHostAddress &balancer, const QString &reason)
{
    // Read on, and every client would be the balancer: a balancer not set to send the
    // header (or something else at its address) is cut off instead.
    qCWarning(lcNet).noquote() << "closing a connection from trusted proxy" << balancer.toString()
                               << "without a PROXY v2 header:" << reason;
}

bool FrontDoor::admitClient(const ProxyHeader &header, const QHostAddress &balancer,
                            Admission &admission)
{
    // A LOCAL header (the balancer's own health check) keeps the balancer's address.
    const QHostAddress client = header.usesAddresses() ? header.source : balancer;
    if (QString why; !admission.readdress(client, &why)) {
        m_worker.engine().noteRefused(client, QStringLiteral("HTTP 503: ") + why);
        return false;
    }
    return true;
}

QTcpSocket *FrontDoor::socketFor(int descriptor, Admission admission, bool proxied)
{
    QTcpSocket *socket = proxied ? new ProxiedSocket(this) : new QTcpSocket(this);
    new AdmissionTicket(std::move(admission), socket);
    if (!socket->setSocketDescriptor(descriptor)) {
        // Not closed here: Qt may have closed it already, and the number may belong to
        // another connection by now.
        qCWarning(lcNet) << "cannot adopt socket descriptor:" << socket->errorString();
        delete socket;
        return nullptr;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    return socket;
}

void FrontDoor::watch(QTcpSocket *socket, QDeadlineTimer deadline)
{
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { route(socket); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QObject::destroyed, this, [this, socket] {
        m_unrouted.remove(socket);
        m_awaitingProxyHeader.remove(socket);
    });
    // A client that never finishes its request head must not hold a descriptor for ever.
    m_unrouted.insert(socket, deadline);
    if (!m_headSweep.isActive())
        m_headSweep.start();
}

void FrontDoor::sweepUnrouted()
{
    for (auto it = m_arrivals.begin(); it != m_arrivals.end();) {
        if (!it->second->newcomer.deadline.hasExpired()) {
            ++it;
            continue;
        }
        const int descriptor = it->first;
        it = m_arrivals.erase(it); // unwatched (and its admission released) first
        ::close(descriptor);
    }
    QList<QTcpSocket *> late;
    for (auto it = m_unrouted.cbegin(); it != m_unrouted.cend(); ++it) {
        if (it.value().hasExpired())
            late.append(it.key());
    }
    for (QTcpSocket *socket : std::as_const(late)) {
        stopWaiting(socket);
        socket->abort();
    }
    if (m_unrouted.isEmpty() && m_arrivals.empty())
        m_headSweep.stop();
}

void FrontDoor::stopWaiting(QTcpSocket *socket)
{
    m_unrouted.remove(socket);
    m_awaitingProxyHeader.remove(socket);
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
}

std::optional<RequestHead> FrontDoor::peekHead(QTcpSocket *socket)
{
    RequestHead head;
    const QByteArray buffered = socket->peek(MaxRequestHead);
    switch (RequestHead::parse(buffered, &head)) {
    case RequestHead::Status::Incomplete:
        if (buffered.size() >= MaxRequestHead) {
            m_worker.engine().refusals().add(RefusalReason::BadRequest);
            refuse(socket, 431, {});
        }
        return std::nullopt;
    case RequestHead::Status::Invalid:
        m_worker.engine().refusals().add(RefusalReason::BadRequest);
        // Its header is read only from --trusted-proxies; anyone else sending one is told so
        // in the log (a balancer missing from the list, most likely).
        if (ProxyHeader::startsWithSignature(buffered)) {
            ConnectInfo peer;
            peer.peerAddress = socket->peerAddress();
            peer.peerPort = socket->peerPort();
            m_worker.record(EngineEvent::Kind::Refused, peer, {},
                            QStringLiteral("HTTP 400: PROXY header from an address not in "
                                           "--trusted-proxies"));
        }
        refuse(socket, 400, {});
        return std::nullopt;
    case RequestHead::Status::Complete:
        break;
    }
    return head;
}

void FrontDoor::route(QTcpSocket *socket)
{
    // From a trusted proxy the PROXY header comes before anything else, TLS included.
    if (m_awaitingProxyHeader.contains(socket) && !takeProxyHeader(socket))
        return;
    if (m_worker.engine().tls() && !qobject_cast<RelaySocket *>(socket)) {
        // Every TLS connection opens with a handshake record (content type 22).
        char first = 0;
        if (socket->peek(&first, 1) != 1)
            return;
        if (first == 0x16)
            startTls(socket);
        else
            answerPlainOnTlsPort(socket);
        return;
    }
    const std::optional<RequestHead> parsed = peekHead(socket);
    if (!parsed)
        return;
    const RequestHead &head = *parsed;
    stopWaiting(socket);

    if (head.path != SocketPath) {
        disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        m_http.serve(socket);
        return;
    }
    HandshakeValidator::Decision decision =
        m_worker.validator().validate(head, socket->peerAddress());
    if (decision.status != 101) {
        refuseUpgrade(socket, decision);
        return;
    }
    acceptWebSocket(socket, head, std::move(decision.info));
}

bool FrontDoor::takeProxyHeader(QTcpSocket *socket)
{
    const ProxyHeader header = ProxyHeader::parse(socket->peek(ProxyHeader::MaxSize));
    if (header.status == ProxyHeader::Status::NeedMore)
        return false;
    m_awaitingProxyHeader.remove(socket);
    if (header.status == ProxyHeader::Status::Invalid) {
        noHeaderFrom(socket->peerAddress(), header.reason);
        stopWaiting(socket);
        socket->abort();
        return false;
    }
    socket->skip(header.size);
    auto *ticket = socket->findChild<AdmissionTicket *>(QString(), Qt::FindDirectChildrenOnly);
    if (!ticket || !admitClient(header, socket->peerAddress(), ticket->admission())) {
        stopWaiting(socket);
        socket->write(busyResponse());
        socket->disconnectFromHost();
        return false;
    }
    if (auto *proxied = qobject_cast<ProxiedSocket *>(socket); proxied && header.usesAddresses())
        proxied->setClient(header.source, header.sourcePort);
    return true;
}

void FrontDoor::refuseUpgrade(QTcpSocket *socket, const HandshakeValidator::Decision &decision)
{
    recordRefusal(socket->peerAddress(), socket->peerPort(), decision);
    refuse(socket, decision.status, decision.body);
}

void FrontDoor::recordRefusal(const QHostAddress &address, quint16 port,
                              const HandshakeValidator::Decision &decision)
{
    m_worker.engine().refusals().add(decision.reason);
    ConnectInfo peer;
    peer.peerAddress = address;
    peer.peerPort = port;
    m_worker.record(EngineEvent::Kind::Refused, peer, {},
                    QStringLiteral("HTTP %1: %2").arg(decision.status).arg(decision.logReason));
}

QByteArray FrontDoor::upgrade(const RequestHead &head, ConnectInfo &info, const QHostAddress &peer,
                              quint16 peerPort)
{
    info.id = m_worker.engine().nextConnectionId();
    info.peerAddress = peer;
    info.peerPort = peerPort;
    info.connectedAt = QDateTime::currentDateTimeUtc();
    return websocketupgrade::switchingProtocols(head.header("sec-websocket-key"),
                                                info.phoenixSubprotocol);
}

void FrontDoor::startTls(QTcpSocket *socket)
{
    stopWaiting(socket);
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    TlsRelay::Peer peer{socket->peerAddress(), socket->peerPort(), socket->localAddress(),
                        socket->localPort()};
    const QByteArray received = socket->readAll();
    // The relay continues on a duplicate; closing Qt's copy puts nothing on the wire.
    const int descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    socket->abort();
    socket->deleteLater();
    auto session = m_worker.engine().tls()->newSession();
    if (descriptor < 0 || !session) {
        qCWarning(lcNet) << "cannot start TLS:" << TlsSession::lastError();
        if (descriptor >= 0)
            ::close(descriptor);
        return;
    }
    auto *relay = new TlsRelay(descriptor, std::move(session), received, std::move(peer),
                               m_worker.config().httpRequestTimeoutMs, this);
    // The relay is the connection now, for the connection limits too.
    if (auto *ticket = socket->findChild<AdmissionTicket *>(QString(), Qt::FindDirectChildrenOnly))
        ticket->setParent(relay);
    // The decrypted stream is routed like a new connection, head deadline and all.
    connect(relay, &TlsRelay::decrypted, this, [this](QTcpSocket *decrypted) {
        watch(decrypted, QDeadlineTimer(m_worker.config().httpRequestTimeoutMs));
    });
}

void FrontDoor::answerPlainOnTlsPort(QTcpSocket *socket)
{
    // Plain HTTP on the TLS port: a page or a long-poll request sent to http:// is redirected
    // to the same URL over https (a browser follows it); anything else, such as a ws://
    // upgrade, which no client follows to wss://, is refused with a reason. Nothing is served
    // in the clear.
    const std::optional<RequestHead> parsed = peekHead(socket);
    if (!parsed)
        return;
    const RequestHead &head = *parsed;
    const QByteArray host = head.header("host");
    const bool wantsUpgrade = head.headerHasToken("upgrade", "websocket");
    // Only to this server's own names: a redirect must not lend a rebinding page a hop.
    if ((head.method == "GET" || head.method == "HEAD") && !wantsUpgrade && !host.isEmpty() &&
        !host.contains('/') && !host.contains('\\') && !host.contains(' ') &&
        m_worker.validator().hostAllowed(QString::fromLatin1(host))) {
        QByteArray location = "https://" + host + head.path.toUtf8();
        if (!head.query.isEmpty())
            location += '?' + head.query.toUtf8();
        refuse(socket, 308, {}, "location: " + location + "\r\n");
        return;
    }
    m_worker.engine().refusals().add(RefusalReason::BadRequest);
    refuse(socket, 400, "This port speaks TLS: use https:// or wss://.\n");
}

void FrontDoor::refuse(QTcpSocket *socket, int status, const QByteArray &body,
                       const QByteArray &extraHeaders)
{
    stopWaiting(socket);
    socket->write(closingResponse(status, body, extraHeaders));
    socket->disconnectFromHost();
}

void FrontDoor::acceptWebSocket(QTcpSocket *socket, const RequestHead &head, ConnectInfo info)
{
    // The 101 is answered here rather than by QWebSocketServer: its handshake builds a
    // QWebSocket with its private parts and buffers for every connection, only for the
    // connection to drop them right after (docs/performance.md, "The connect path").
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    const QByteArray response = upgrade(head, info, socket->peerAddress(), socket->peerPort());
    // The head was only peeked at; whatever came behind it is the client's first frames.
    socket->skip(head.size);
    QByteArray received = socket->readAll();

    // The connection continues on a duplicate of the descriptor, and Qt's own copy is closed
    // without a byte on the wire (a close() of one of two descriptors neither sends FIN nor
    // resets).
    int descriptor = -1;
    std::unique_ptr<TlsSession> tls;
    QByteArray pendingOutput;
    AdmissionTicket *ticket = nullptr; //!< what counts this connection against the limits
    const auto *relayed = qobject_cast<RelaySocket *>(socket);
    if (!relayed) {
        ticket = socket->findChild<AdmissionTicket *>(QString(), Qt::FindDirectChildrenOnly);
        descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    } else if (TlsRelay *relay = relayed->relay()) {
        ticket = relay->findChild<AdmissionTicket *>(QString(), Qt::FindDirectChildrenOnly);
        // Over TLS the connection continues on the TCP descriptor with the relay's session;
        // the decrypted pair Qt talked through is closed.
        TlsRelay::Handover handover = relay->handOver(int(socket->socketDescriptor()));
        descriptor = handover.descriptor;
        received += handover.plain;
        tls = std::move(handover.session);
        pendingOutput = std::move(handover.pendingOutput);
    }
    // Deleted later, not now: this runs inside the socket's own readyRead.
    socket->abort();
    socket->deleteLater();
    if (descriptor < 0) {
        qCWarning(lcNet) << "upgraded socket could not be taken over; closing";
        return;
    }
    auto *connection =
        new WebSocketConnection(descriptor, std::move(received), std::move(info), m_worker,
                                std::move(tls), std::move(pendingOutput), response);
    // The connection is counted until the WebSocketConnection goes, no longer the socket
    // (or, over TLS, the relay).
    if (ticket)
        connection->holdAdmission(ticket->take());
    m_worker.addConnection(connection);
}

} // namespace chatter::server
