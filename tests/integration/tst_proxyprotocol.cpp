// SPDX-License-Identifier: MIT
// PROXY protocol v2 from --trusted-proxies (docs/security.md): the real engine over loopback,
// the balancer played by a client that writes the header by hand. 127.0.0.1 is the trusted
// balancer; 127.0.0.2 is anyone else. The clients the headers name (192.0.2.0/24, a
// documentation range) only ever appear inside the header bytes: no traffic goes to them.
#include "connectionlimiter.h"
#include "engine.h"
#include "httpexchange.h"
#include "proxyheader.h"
#include "testengineconfig.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QtEndian>
#include <QTest>

#include <memory>
#include <vector>

using namespace chatter::server;
using namespace httpexchange;

namespace {

const QHostAddress Balancer(QStringLiteral("127.0.0.1"));
const QHostAddress Stranger(QStringLiteral("127.0.0.2"));
const QHostAddress Client(QStringLiteral("192.0.2.7"));
const QHostAddress OtherClient(QStringLiteral("192.0.2.8"));
constexpr quint16 ClientPort = 51234;

QByteArray be16(int value)
{
    QByteArray bytes(2, '\0');
    qToBigEndian<quint16>(quint16(value), bytes.data());
    return bytes;
}

//! A PROXY v2 header naming `client`:`port` (TCP/IPv4) as the connection's source.
QByteArray proxyHeader(const QHostAddress &client, quint16 port, quint16 nodePort)
{
    QByteArray addresses(8, '\0');
    qToBigEndian<quint32>(client.toIPv4Address(), addresses.data());
    qToBigEndian<quint32>(Balancer.toIPv4Address(), addresses.data() + 4);
    addresses += be16(port) + be16(nodePort);
    return QByteArray(ProxyHeader::Signature, ProxyHeader::SignatureSize) + "\x21\x11" +
           be16(int(addresses.size())) + addresses;
}

//! The LOCAL header a balancer's own connections (health checks) send.
QByteArray localHeader()
{
    return QByteArray(ProxyHeader::Signature, ProxyHeader::SignatureSize) +
           QByteArray("\x20\x00", 2) + be16(0);
}

QByteArray upgradeRequest(quint16 port, const QByteArray &user)
{
    return "GET /socket/websocket?vsn=2.0.0&user=" + user +
           " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

QByteArray healthz()
{
    return "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

//! Connects from `from` and writes `pieces` one by one, each on its own (the server reads
//! between them); then the status of the answer's head, or -1 when none came.
int exchange(QTcpSocket &socket, quint16 port, const QHostAddress &from,
             const QList<QByteArray> &pieces)
{
    if (!connectTo(socket, port, from))
        return -1;
    for (const QByteArray &piece : pieces) {
        socket.write(piece);
        socket.flush();
        QTest::qWait(30);
    }
    QByteArray answer;
    // Nothing at all (a closed connection) is an answer too: -1.
    (void)QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            return answer.contains("\r\n\r\n") ||
                   socket.state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    return answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : -1;
}

QStringList socketPeers(Engine &engine)
{
    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    if (!ready.wait())
        return {};
    QStringList peers;
    for (const SocketRow &row : ready.first().first().value<EngineSnapshot>().sockets)
        peers.append(row.peer);
    return peers;
}

QStringList refusals(Engine &engine)
{
    QStringList texts;
    for (const EngineEvent &e : engine.events().take()) {
        if (e.kind == EngineEvent::Kind::Refused)
            texts.append(e.text);
    }
    return texts;
}

ServerConfig trustingConfig()
{
    ServerConfig config = loopbackTestConfig();
    config.trustedProxies = {{Balancer, 32}};
    return config;
}

} // namespace

class tst_ProxyProtocol : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void theHeadersClientStandsForTheConnection();
    void headerSplitAcrossReads();
    void aBanOnTheHeadersClientClosesIt();
    void perAddressCapCountsTheHeadersClient();
    void loginThrottleCountsTheHeadersClient();
    void localHeaderKeepsTheBalancersAddress();
    void trustedPeerWithoutHeaderIsClosed();
    void incompleteHeaderIsCutAtTheRequestTimeout();
    void untrustedPeerSendingHeaderGets400();
    void withoutTrustedProxiesNoHeaderIsRead();
    void publicHostWithPortIsAnOrigin();
};

void tst_ProxyProtocol::theHeadersClientStandsForTheConnection()
{
    Engine engine(trustingConfig());
    QVERIFY(engine.start());
    QTcpSocket socket;
    QCOMPARE(exchange(socket, engine.port(), Balancer,
                      {proxyHeader(Client, ClientPort, engine.port()) +
                       upgradeRequest(engine.port(), "alice")}),
             101);
    // The monitor, the limits: the client, not the balancer.
    QCOMPARE(socketPeers(engine), QStringList{QStringLiteral("192.0.2.7:51234")});
    ConnectionLimiter &limits = engine.limits();
    QCOMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, Client), 1);
    QCOMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, Balancer), 0);
    QCOMPARE(limits.count(ConnectionLimiter::Kind::Connection), 1);
    socket.disconnectFromHost();
    QTRY_COMPARE(limits.count(ConnectionLimiter::Kind::Connection), 0);
    QCOMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, Client), 0);
}

void tst_ProxyProtocol::headerSplitAcrossReads()
{
    Engine engine(trustingConfig());
    QVERIFY(engine.start());
    const QByteArray header = proxyHeader(Client, ClientPort, engine.port());
    const QByteArray request = upgradeRequest(engine.port(), "bob");
    // Cut inside the signature, inside the addresses, and between header and request.
    QTcpSocket socket;
    QCOMPARE(exchange(socket, engine.port(), Balancer,
                      {header.left(5), header.mid(5, 15), header.mid(20), request.left(10),
                       request.mid(10)}),
             101);
    QCOMPARE(socketPeers(engine), QStringList{QStringLiteral("192.0.2.7:51234")});
    socket.disconnectFromHost();
    QTRY_VERIFY(socketPeers(engine).isEmpty());

    // The whole header, then the request in pieces.
    QTcpSocket second;
    QCOMPARE(
        exchange(second, engine.port(), Balancer, {header + request.left(30), request.mid(30)}),
        101);
    QCOMPARE(socketPeers(engine), QStringList{QStringLiteral("192.0.2.7:51234")});

    // Plain HTTP behind a header in pieces too.
    QTcpSocket http;
    QCOMPARE(exchange(http, engine.port(), Balancer, {header.left(14), header.mid(14) + healthz()}),
             200);
}

void tst_ProxyProtocol::aBanOnTheHeadersClientClosesIt()
{
    Engine engine(trustingConfig());
    QVERIFY(engine.start());
    QTcpSocket banned;
    QCOMPARE(exchange(banned, engine.port(), Balancer,
                      {proxyHeader(Client, ClientPort, engine.port()) +
                       upgradeRequest(engine.port(), "carol")}),
             101);
    QTcpSocket other;
    QCOMPARE(exchange(other, engine.port(), Balancer,
                      {proxyHeader(OtherClient, ClientPort, engine.port()) +
                       upgradeRequest(engine.port(), "dave")}),
             101);

    engine.banAddress(Client, 10);
    QVERIFY(waitClosed(banned));
    QCOMPARE(socketPeers(engine), QStringList{QStringLiteral("192.0.2.8:51234")});
    // And it cannot come back through the balancer, while the balancer's other clients can.
    QTcpSocket again;
    QCOMPARE(exchange(again, engine.port(), Balancer,
                      {proxyHeader(Client, ClientPort + 1, engine.port()) +
                       upgradeRequest(engine.port(), "carol2")}),
             403);
    QTcpSocket third;
    QCOMPARE(exchange(third, engine.port(), Balancer,
                      {proxyHeader(OtherClient, ClientPort + 1, engine.port()) +
                       upgradeRequest(engine.port(), "erin")}),
             101);
}

void tst_ProxyProtocol::perAddressCapCountsTheHeadersClient()
{
    ServerConfig config = trustingConfig();
    config.maxConnectionsPerAddress = 2;
    config.httpRequestTimeoutMs = 120'000; // the idle sockets below must not be cut meanwhile
    Engine engine(config);
    engine.events().startReading();
    QVERIFY(engine.start());
    ConnectionLimiter &limits = engine.limits();

    // Two from the client, through the balancer, which itself holds more than the cap.
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 2; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        QVERIFY(connectTo(*held.back(), engine.port(), Balancer));
        held.back()->write(proxyHeader(Client, quint16(ClientPort + i), engine.port()));
    }
    QTRY_COMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, Client), 2);
    QTcpSocket third;
    QCOMPARE(exchange(third, engine.port(), Balancer,
                      {proxyHeader(Client, ClientPort + 2, engine.port()) + healthz()}),
             503);
    QVERIFY(refusals(engine).join(QLatin1Char('\n')).contains(QLatin1String("192.0.2.7")));
    QTcpSocket other;
    QCOMPARE(exchange(other, engine.port(), Balancer,
                      {proxyHeader(OtherClient, ClientPort, engine.port()) + healthz()}),
             200);
    QCOMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, Balancer), 0);
}

void tst_ProxyProtocol::loginThrottleCountsTheHeadersClient()
{
    ServerConfig config = trustingConfig();
    config.minimumPasswordCost = true;
    Engine engine(config);
    QVERIFY(engine.start());
    const auto failedLogin = [&](const QHostAddress &client, const QByteArray &user) {
        const QByteArray body = R"({"user":")" + user + R"(","password":"not-the-password"})";
        QTcpSocket socket;
        return exchange(socket, engine.port(), Balancer,
                        {proxyHeader(client, ClientPort, engine.port()) +
                         "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: application/json\r\nContent-Length: " +
                         QByteArray::number(body.size()) + "\r\n\r\n" + body});
    };
    // Five wrong passwords per address (docs/identity.md), whichever nicknames they name.
    for (int i = 0; i < 5; ++i)
        QCOMPARE(failedLogin(Client, "nobody" + QByteArray::number(i)), 401);
    QCOMPARE(failedLogin(Client, "nobody5"), 429);
    // The balancer's other clients are not held back by this one.
    QCOMPARE(failedLogin(OtherClient, "nobody6"), 401);
}

void tst_ProxyProtocol::localHeaderKeepsTheBalancersAddress()
{
    Engine engine(trustingConfig());
    QVERIFY(engine.start());
    // HAProxy's health checks on a send-proxy-v2 server.
    QTcpSocket check;
    QCOMPARE(exchange(check, engine.port(), Balancer, {localHeader() + healthz()}), 200);
    QCOMPARE(engine.limits().countFor(ConnectionLimiter::Kind::Connection, Balancer), 1);
    QTcpSocket socket;
    QCOMPARE(exchange(socket, engine.port(), Balancer,
                      {localHeader() + upgradeRequest(engine.port(), "frank")}),
             101);
    QVERIFY(socketPeers(engine).first().startsWith(QLatin1String("127.0.0.1:")));
}

void tst_ProxyProtocol::trustedPeerWithoutHeaderIsClosed()
{
    Engine engine(trustingConfig());
    QVERIFY(engine.start());
    // A balancer not set to send the header: closed, rather than every client being it.
    QTcpSocket socket;
    QCOMPARE(exchange(socket, engine.port(), Balancer, {healthz()}), -1);
    QVERIFY(waitClosed(socket));
    QTcpSocket upgrade;
    QCOMPARE(exchange(upgrade, engine.port(), Balancer, {upgradeRequest(engine.port(), "g")}), -1);
    QVERIFY(waitClosed(upgrade));
    QTRY_COMPARE(engine.limits().count(ConnectionLimiter::Kind::Connection), 0);
}

void tst_ProxyProtocol::incompleteHeaderIsCutAtTheRequestTimeout()
{
    ServerConfig config = trustingConfig();
    config.httpRequestTimeoutMs = 300;
    Engine engine(config);
    QVERIFY(engine.start());
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port(), Balancer));
    socket.write(proxyHeader(Client, ClientPort, engine.port()).left(20));
    QVERIFY(waitClosed(socket));
    QTRY_COMPARE(engine.limits().count(ConnectionLimiter::Kind::Connection), 0);
}

void tst_ProxyProtocol::untrustedPeerSendingHeaderGets400()
{
    Engine engine(trustingConfig());
    engine.events().startReading();
    QVERIFY(engine.start());
    // The header is not read from anyone else: it is not HTTP.
    QTcpSocket socket;
    QCOMPARE(exchange(socket, engine.port(), Stranger,
                      {proxyHeader(Client, ClientPort, engine.port()) +
                       upgradeRequest(engine.port(), "mallory")}),
             400);
    QVERIFY(waitClosed(socket));
    QVERIFY(refusals(engine).join(QLatin1Char('\n')).contains(QLatin1String("--trusted-proxies")));
    QCOMPARE(engine.limits().countFor(ConnectionLimiter::Kind::Connection, Client), 0);
    // Without a header it is an ordinary client.
    QTcpSocket plain;
    QCOMPARE(exchange(plain, engine.port(), Stranger, {upgradeRequest(engine.port(), "henry")}),
             101);
    QVERIFY(socketPeers(engine).first().startsWith(QLatin1String("127.0.0.2:")));
}

void tst_ProxyProtocol::withoutTrustedProxiesNoHeaderIsRead()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    QTcpSocket socket;
    QCOMPARE(exchange(socket, engine.port(), Balancer,
                      {proxyHeader(Client, ClientPort, engine.port()) + healthz()}),
             400);
    QTcpSocket plain;
    QCOMPARE(exchange(plain, engine.port(), Balancer, {healthz()}), 200);
}

void tst_ProxyProtocol::publicHostWithPortIsAnOrigin()
{
    // The page comes through a balancer on 4000; its socket reaches this node on its own port.
    ServerConfig config = loopbackTestConfig();
    config.publicHosts = {QStringLiteral("127.0.0.1:4000")};
    Engine engine(config);
    QVERIFY(engine.start());
    const auto withOrigin = [&](const QByteArray &origin) {
        QByteArray request = upgradeRequest(engine.port(), "ivy");
        request.insert(request.size() - 2, "Origin: " + origin + "\r\n");
        return request;
    };
    QTcpSocket balancerPage;
    QCOMPARE(exchange(balancerPage, engine.port(), Stranger, {withOrigin("http://127.0.0.1:4000")}),
             101);
    QTcpSocket otherPort;
    QCOMPARE(exchange(otherPort, engine.port(), Stranger, {withOrigin("http://127.0.0.1:4002")}),
             403);
}

QTEST_GUILESS_MAIN(tst_ProxyProtocol)
#include "tst_proxyprotocol.moc"
