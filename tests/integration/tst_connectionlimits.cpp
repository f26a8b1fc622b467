// SPDX-License-Identifier: MIT
// Connection and long-poll session caps, in all and per address: the real engine over real
// loopback sockets, clients bound to different loopback addresses.
#include "connectionlimiter.h"
#include "engine.h"
#include "httpexchange.h"
#include "testengineconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

#include <sys/resource.h>

using namespace chatter::server;
using namespace httpexchange;

namespace {

const QHostAddress First(QStringLiteral("127.0.0.1"));
const QHostAddress Second(QStringLiteral("127.0.0.2"));

QByteArray upgradeRequest(quint16 port, const QByteArray &user)
{
    return "GET /socket/websocket?vsn=2.0.0&user=" + user +
           " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

//! The status line's code of the first answer on a fresh connection from `from`.
int firstStatus(QTcpSocket &socket, quint16 port, const QHostAddress &from,
                const QByteArray &request)
{
    if (!connectTo(socket, port, from))
        return -1;
    socket.write(request);
    QByteArray answer;
    for (int i = 0; i < 1000 && !answer.contains("\r\n\r\n"); ++i) {
        QTest::qWait(5);
        answer += socket.readAll();
    }
    return answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : -1;
}

int refusedEvents(Engine &engine)
{
    int refused = 0;
    for (const EngineEvent &e : engine.events().take())
        refused += e.kind == EngineEvent::Kind::Refused && e.text.contains(QLatin1String("503"));
    return refused;
}

} // namespace

class tst_ConnectionLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void perAddressCapRefusesThe257thWhileAnotherAddressConnects();
    void totalCapRefusesEveryAddress();
    void defaultTotalLeavesDescriptorHeadroom();
    void longPollSessionsAreCappedPerAddress();
};

void tst_ConnectionLimits::perAddressCapRefusesThe257thWhileAnotherAddressConnects()
{
    ServerConfig config = loopbackTestConfig();
    config.httpRequestTimeoutMs = 120'000; // the idle sockets below must not be cut meanwhile
    QCOMPARE(config.maxConnectionsPerAddress, 256); // the default
    Engine engine(config);
    engine.events().startReading();
    QVERIFY(engine.start());
    ConnectionLimiter &limits = engine.limits();

    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 256; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        QVERIFY(connectTo(*held.back(), engine.port(), First));
    }
    QTRY_COMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, First), 256);
    engine.events().take();

    // The 257th from 127.0.0.1 is answered 503 before anything is upgraded.
    QTcpSocket refused;
    QCOMPARE(firstStatus(refused, engine.port(), First, upgradeRequest(engine.port(), "x")), 503);
    QVERIFY(waitClosed(refused));

    // Another address still connects, and upgrades.
    QTcpSocket other;
    QCOMPARE(firstStatus(other, engine.port(), Second, upgradeRequest(engine.port(), "y")), 101);

    // More refusals from the same address within a second are logged once.
    for (int i = 0; i < 20; ++i) {
        QTcpSocket again;
        QCOMPARE(firstStatus(again, engine.port(), First, "GET /healthz HTTP/1.1\r\n\r\n"), 503);
    }
    const int logged = refusedEvents(engine);
    QVERIFY2(logged >= 1 && logged < 21, qPrintable(QString::number(logged)));

    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    QVERIFY(ready.wait());
    QCOMPARE(ready.first().first().value<EngineSnapshot>().refusedConnections, qint64(21));

    // A connection that ends makes room again.
    held.front()->disconnectFromHost();
    QTRY_COMPARE(limits.countFor(ConnectionLimiter::Kind::Connection, First), 255);
    QTcpSocket later;
    QCOMPARE(firstStatus(later, engine.port(), First, "GET /healthz HTTP/1.1\r\n\r\n"), 200);
}

void tst_ConnectionLimits::totalCapRefusesEveryAddress()
{
    ServerConfig config = loopbackTestConfig();
    config.maxConnections = 4;
    Engine engine(config);
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        QVERIFY(connectTo(*held.back(), engine.port(), i % 2 ? First : Second));
    }
    QTRY_COMPARE(engine.limits().count(ConnectionLimiter::Kind::Connection), 4);
    QTcpSocket fifth;
    QCOMPARE(firstStatus(fifth, engine.port(), QHostAddress(QStringLiteral("127.0.0.3")),
                         "GET /healthz HTTP/1.1\r\n\r\n"),
             503);
}

void tst_ConnectionLimits::defaultTotalLeavesDescriptorHeadroom()
{
    Engine engine(loopbackTestConfig());
    QVERIFY(engine.start());
    rlimit limit{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    const qint64 total = engine.limits().maxTotal();
    QCOMPARE(engine.config().maxConnections, total);
    QVERIFY2(total > 0 && total < qint64(limit.rlim_cur),
             qPrintable(QStringLiteral("%1 of %2").arg(total).arg(limit.rlim_cur)));
    QVERIFY(qint64(limit.rlim_cur) - total >= 256);
}

void tst_ConnectionLimits::longPollSessionsAreCappedPerAddress()
{
    ServerConfig config = loopbackTestConfig();
    config.maxConnectionsPerAddress = 3;
    Engine engine(config);
    QVERIFY(engine.start());
    // Every session from one kept-alive connection, as the flood did.
    QTcpSocket socket;
    QVERIFY(connectTo(socket, engine.port(), First));
    // Another address takes another nickname: a bare guest's is held per address.
    auto openSession = [&](QTcpSocket &on, const QByteArray &user = "ann") {
        on.write("GET /socket/longpoll?vsn=2.0.0&user=" + user +
                 " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(engine.port()) + "\r\n\r\n");
        return QJsonDocument::fromJson(bodyOf(readResponse(on))).object();
    };
    for (int i = 0; i < 3; ++i)
        QCOMPARE(openSession(socket).value("status").toInt(), 410);
    // phoenix.js answers 500 by closing and retrying after its backoff.
    QCOMPARE(openSession(socket).value("status").toInt(), 500);
    QCOMPARE(engine.limits().countFor(ConnectionLimiter::Kind::LongPollSession, First), 3);

    QTcpSocket other;
    QVERIFY(connectTo(other, engine.port(), Second));
    const QJsonObject opened = openSession(other, "bea");
    QCOMPARE(opened.value("status").toInt(), 410);
    QVERIFY(!opened.value("token").toString().isEmpty());
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(
        QStringLiteral("chatter.*.info=false\nchatter.*.warning=false"));
    tst_ConnectionLimits test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_connectionlimits.moc"
