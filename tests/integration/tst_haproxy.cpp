// SPDX-License-Identifier: MIT
// A real HAProxy (Debian's `haproxy`, installed by scripts/chatter) in front of the engine, as
// `scripts/chatter cluster` runs it (docs/cluster.md): `send-proxy-v2` to a node started with
// --trusted-proxies 127.0.0.1, `/healthz` checks. HAProxy binds a free loopback port in a
// temporary directory of its own and is stopped by its PID.
#include "childprocess.h"
#include "engine.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QFile>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace chatter::server;

namespace {

//! A loopback port nothing listens on right now.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

//! The whole answer to a one-shot HTTP/1.0 GET (HAProxy closes after it); empty on time-out.
QByteArray httpGet(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QByteArray answer;
    bool sent = false;
    const bool closed = QTest::qWaitFor(
        [&] {
            if (!sent && socket.state() == QAbstractSocket::ConnectedState) {
                socket.write("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
                sent = true;
            }
            answer += socket.readAll();
            return sent && socket.state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    return closed ? answer : QByteArray();
}

//! The body of a whole answer, unchunked when it came in chunks (HAProxy's stats page does).
QByteArray bodyOf(const QByteArray &answer)
{
    const qsizetype end = answer.indexOf("\r\n\r\n");
    if (end < 0)
        return {};
    QByteArray rest = answer.mid(end + 4);
    if (!answer.left(end).toLower().contains("transfer-encoding: chunked"))
        return rest;
    QByteArray body;
    while (true) {
        const qsizetype lineEnd = rest.indexOf("\r\n");
        bool ok = false;
        const qsizetype size = lineEnd < 0 ? 0 : rest.left(lineEnd).trimmed().toLongLong(&ok, 16);
        if (!ok || size == 0 || rest.size() < lineEnd + 2 + size)
            return body;
        body += rest.mid(lineEnd + 2, size);
        rest.remove(0, lineEnd + 2 + size + 2);
    }
}

//! HAProxy's view of one server from its CSV statistics: column name → value.
QHash<QByteArray, QByteArray> serverStats(quint16 statsPort, const QByteArray &server)
{
    const QList<QByteArray> lines = bodyOf(httpGet(statsPort, "/stats;csv")).split('\n');
    if (lines.isEmpty() || !lines.first().startsWith("# "))
        return {};
    const QList<QByteArray> names = lines.first().mid(2).split(',');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> fields = line.split(',');
        if (fields.size() < 2 || fields.at(0) != "nodes" || fields.at(1) != server)
            continue;
        QHash<QByteArray, QByteArray> row;
        for (qsizetype i = 0; i < qMin(names.size(), fields.size()); ++i)
            row.insert(names.at(i), fields.at(i));
        return row;
    }
    return {};
}

} // namespace

class tst_HaProxy : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void clientAddressAndHealthChecksThroughHaProxy();
    void cleanup();

private:
    bool startHaProxy(quint16 frontPort, quint16 statsPort, quint16 nodePort);

    QString m_haproxy;
    QTemporaryDir m_dir;
    pid_t m_pid = 0; //!< HAProxy
};

void tst_HaProxy::initTestCase()
{
    m_haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"));
    if (m_haproxy.isEmpty())
        m_haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"),
                                                   {QStringLiteral("/usr/sbin")});
    QVERIFY2(!m_haproxy.isEmpty(), "haproxy is not installed (scripts/chatter deps installs it)");
    QVERIFY(m_dir.isValid());
}

bool tst_HaProxy::startHaProxy(quint16 frontPort, quint16 statsPort, quint16 nodePort)
{
    // As docs/cluster.md's configuration, with checks 200 ms apart so the test is quick.
    const QByteArray config = "global\n"
                              "    maxconn 200\n"
                              "defaults\n"
                              "    mode http\n"
                              "    timeout connect 2s\n"
                              "    timeout client 70s\n"
                              "    timeout server 70s\n"
                              "    timeout tunnel 1h\n"
                              "    timeout http-request 10s\n"
                              "frontend chatter\n"
                              "    bind 127.0.0.1:" +
                              QByteArray::number(frontPort) +
                              "\n"
                              "    default_backend nodes\n"
                              "frontend stats\n"
                              "    bind 127.0.0.1:" +
                              QByteArray::number(statsPort) +
                              "\n"
                              "    stats enable\n"
                              "    stats uri /stats\n"
                              "backend nodes\n"
                              "    balance roundrobin\n"
                              "    option httpchk GET /healthz\n"
                              "    http-check expect status 200\n"
                              "    server n1 127.0.0.1:" +
                              QByteArray::number(nodePort) +
                              " send-proxy-v2 check inter 200ms fall 2 rise 2\n";
    QFile file(m_dir.filePath(QStringLiteral("haproxy.cfg")));
    if (!file.open(QIODevice::WriteOnly) || file.write(config) != config.size())
        return false;
    file.close();
    m_pid = childprocess::spawn(
        {m_haproxy, QStringLiteral("-db"), QStringLiteral("-f"), file.fileName()},
        m_dir.filePath(QStringLiteral("haproxy.log")));
    return m_pid != 0;
}

void tst_HaProxy::cleanup()
{
    childprocess::stop(m_pid, 5000); // SIGTERM to its PID
    m_pid = 0;
}

void tst_HaProxy::clientAddressAndHealthChecksThroughHaProxy()
{
    ServerConfig config = loopbackTestConfig();
    config.trustedProxies = {{QHostAddress(QStringLiteral("127.0.0.1")), 32}};
    Engine engine(config);
    QVERIFY(engine.start());
    const quint16 frontPort = freePort();
    const quint16 statsPort = freePort();
    QVERIFY(frontPort && statsPort && frontPort != statsPort);
    QVERIFY(startHaProxy(frontPort, statsPort, engine.port()));

    // Its /healthz checks carry the header too, and pass: the server goes up (2 in a row).
    QHash<QByteArray, QByteArray> stats;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     stats = serverStats(statsPort, "n1");
                     return stats.value("status") == "UP";
                 },
                 10'000),
             stats.value("status") + ' ' + stats.value("check_status"));
    // While the next check runs (every 200 ms here) HAProxy reports the last status prefixed
    // with "* " and the code as 0: read again until a check is not running.
    QVERIFY(QTest::qWaitFor(
        [&] {
            stats = serverStats(statsPort, "n1");
            return !stats.value("check_status").startsWith("* ");
        },
        10'000));
    QCOMPARE(stats.value("check_status"), QByteArray("L7OK"));
    QCOMPARE(stats.value("check_code"), QByteArray("200"));

    // A WebSocket client through HAProxy joins a room; the node sees the client's own
    // address and port, not HAProxy's connection.
    TestClient client;
    QVERIFY(client.open(frontPort, QStringLiteral("alice")));
    QCOMPARE(client.join(QStringLiteral("chatter:room:lobby")).value("status").toString(),
             QStringLiteral("ok"));
    const QString expected = QStringLiteral("127.0.0.1:%1").arg(client.socket().localPort());
    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    QVERIFY(ready.wait());
    const auto snapshot = ready.first().first().value<EngineSnapshot>();
    QCOMPARE(snapshot.sockets.size(), 1);
    QCOMPARE(snapshot.sockets.first().peer, expected);

    // Plain HTTP through HAProxy too.
    QVERIFY(httpGet(frontPort, "/healthz").startsWith("HTTP/1.1 200"));
    client.socket().close();
    QVERIFY(client.waitClosed());
}

QTEST_GUILESS_MAIN(tst_HaProxy)
#include "tst_haproxy.moc"
