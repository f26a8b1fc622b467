// SPDX-License-Identifier: MIT
// wss:// against the engine in-process: real QWebSockets over loopback that verify the server's
// certificate against a CA made for the test (and nothing else).
#include "engine.h"
#include "proxyheader.h"
#include "testclient.h"
#include "testengineconfig.h"
#include "testpki.h"

#include <QFile>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QtEndian>
#include <QTest>

#include <memory>
#include <vector>

using namespace chatter::server;

namespace {

bool isEvent(const QJsonArray &frame, const char *event)
{
    return frame.at(3).toString() == QLatin1String(event);
}

QSslConfiguration trusting(const QSslCertificate &ca)
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates({ca});
    ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return ssl;
}

QUrl wssUrl(quint16 port, const QString &user)
{
    // An address, not "localhost": a name would start Qt's host-lookup thread, whose
    // internals ThreadSanitizer cannot follow; the certificate names 127.0.0.1 too.
    return QUrl(QStringLiteral("wss://127.0.0.1:%1/socket/websocket?vsn=2.0.0&user=%2")
                    .arg(port)
                    .arg(user));
}

//! The certificate a new TLS connection to the engine shows (verified against `ca`).
QSslCertificate presented(quint16 port, const QSslCertificate &ca)
{
    // Waits run the event loop: the engine accepts on this (the main) thread.
    QSslSocket socket;
    socket.setSslConfiguration(trusting(ca));
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!QTest::qWaitFor([&] { return socket.isEncrypted(); }, 10000))
        return QSslCertificate();
    return socket.peerCertificate();
}

bool replaceFile(const QString &from, const QString &to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

} // namespace

class tst_Tls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void chatOverWssWithVerifiedCertificate_data();
    void chatOverWssWithVerifiedCertificate();
    void clientWithoutTheCaRefusesTheServer();
    void plainHttpOnTheTlsPortIsRedirectedOrRefused();
    void reloadServesTheNewCertificateToNewConnections();
    void tlsConnectionsCountAgainstThePerAddressCap();
    void proxyHeaderComesBeforeTheClientHello();
    void pageOriginsAreHttps_data();
    void pageOriginsAreHttps();

private:
    ServerConfig tlsConfig() const;
    std::unique_ptr<TestPki> m_pki;
};

void tst_Tls::initTestCase()
{
    m_pki = std::make_unique<TestPki>();
    QVERIFY(m_pki->isValid());
    QVERIFY(!m_pki->ca().isNull());
    QVERIFY(QSslSocket::supportsSsl());
}

ServerConfig tst_Tls::tlsConfig() const
{
    ServerConfig config = loopbackTestConfig();
    config.tlsCertificateFile = m_pki->path(QStringLiteral("server.pem"));
    config.tlsKeyFile = m_pki->path(QStringLiteral("server.key"));
    return config;
}

void tst_Tls::chatOverWssWithVerifiedCertificate_data()
{
    QTest::addColumn<bool>("batchedSends");
    QTest::newRow("sends batched (io_uring)") << true;
    QTest::newRow("one send() per recipient") << false;
}

void tst_Tls::chatOverWssWithVerifiedCertificate()
{
    QFETCH(bool, batchedSends);
    ServerConfig config = tlsConfig();
    config.batchedSends = batchedSends;
    Engine engine(config);
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        clients.back()->socket().setSslConfiguration(trusting(m_pki->ca()));
        QSignalSpy sslErrors(&clients.back()->socket(), &QWebSocket::sslErrors);
        QVERIFY(clients.back()->openUrl(wssUrl(engine.port(), QStringLiteral("tls%1").arg(i))));
        QCOMPARE(sslErrors.count(), 0);
        QCOMPARE(
            clients.back()->join(QStringLiteral("chatter:room:tls")).value("status").toString(),
            QStringLiteral("ok"));
    }
    // Enough traffic that records queue up behind a full socket buffer, in order.
    const int count = 200;
    const QString filler(3000, QLatin1Char('x'));
    for (int i = 0; i < count; ++i)
        clients[0]->send(QJsonArray{"1", QString::number(1000 + i), "chatter:room:tls", "new_msg",
                                    QJsonObject{{"body", QString::number(i) + filler}}});
    for (auto &client : clients) {
        QVERIFY(!client
                     ->waitFor(
                         [&](const QJsonArray &f) {
                             return isEvent(f, "new_msg") &&
                                    f.at(4).toObject().value("body").toString() ==
                                        QString::number(count - 1) + filler;
                         },
                         20000)
                     .isEmpty());
        int next = 0;
        for (const QJsonArray &f : client->frames()) {
            if (isEvent(f, "new_msg")) {
                QCOMPARE(f.at(4).toObject().value("body").toString(),
                         QString::number(next) + filler);
                ++next;
            }
        }
        QCOMPARE(next, count);
    }
}

void tst_Tls::clientWithoutTheCaRefusesTheServer()
{
    Engine engine(tlsConfig());
    QVERIFY(engine.start());
    TestClient client;
    QSignalSpy sslErrors(&client.socket(), &QWebSocket::sslErrors);
    QVERIFY(!client.openUrl(wssUrl(engine.port(), QStringLiteral("doubter"))));
    QVERIFY(sslErrors.count() > 0);
}

void tst_Tls::plainHttpOnTheTlsPortIsRedirectedOrRefused()
{
    Engine engine(tlsConfig());
    QVERIFY(engine.start());
    auto exchange = [&](const QByteArray &request) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, engine.port());
        socket.write(request);
        // The server closes after its answer; waits run the event loop (the engine accepts
        // on this thread).
        (void)QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                              5000);
        return socket.readAll();
    };
    const QByteArray own = "127.0.0.1:" + QByteArray::number(engine.port());
    const QByteArray page = exchange("GET /?room=lobby HTTP/1.1\r\nHost: " + own + "\r\n\r\n");
    QVERIFY2(page.startsWith("HTTP/1.1 308 "), page.constData());
    QVERIFY(page.contains("\r\nlocation: https://" + own + "/?room=lobby\r\n"));
    // A name the server does not have gets no redirect (a DNS rebinding page would use one).
    const QByteArray foreign = exchange(
        "GET / HTTP/1.1\r\nHost: evil.example:" + QByteArray::number(engine.port()) + "\r\n\r\n");
    QVERIFY2(foreign.startsWith("HTTP/1.1 400 "), foreign.constData());
    QVERIFY(!foreign.contains("location:"));
    const QByteArray upgrade = exchange(
        "GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: chat.lan:4000\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n");
    QVERIFY2(upgrade.startsWith("HTTP/1.1 400 "), upgrade.constData());
    QVERIFY(upgrade.contains("use https:// or wss://"));
}

void tst_Tls::reloadServesTheNewCertificateToNewConnections()
{
    ServerConfig config = tlsConfig();
    config.tlsCertificateFile = m_pki->path(QStringLiteral("live.pem"));
    config.tlsKeyFile = m_pki->path(QStringLiteral("live.key"));
    QVERIFY(replaceFile(m_pki->path(QStringLiteral("server.pem")), config.tlsCertificateFile));
    QVERIFY(replaceFile(m_pki->path(QStringLiteral("server.key")), config.tlsKeyFile));
    Engine engine(config);
    QVERIFY(engine.start());
    const QSslCertificate first = m_pki->certificate(QStringLiteral("server.pem"));
    const QSslCertificate second = m_pki->certificate(QStringLiteral("other.pem"));
    QCOMPARE(presented(engine.port(), m_pki->ca()), first);
    QCOMPARE(engine.tlsFingerprint(),
             QString::fromLatin1(first.digest(QCryptographicHash::Sha256).toHex(':').toUpper()));

    TestClient open;
    open.socket().setSslConfiguration(trusting(m_pki->ca()));
    QVERIFY(open.openUrl(wssUrl(engine.port(), QStringLiteral("before"))));
    QCOMPARE(open.join(QStringLiteral("chatter:room:reload")).value("status").toString(),
             QStringLiteral("ok"));

    QVERIFY(replaceFile(m_pki->path(QStringLiteral("other.pem")), config.tlsCertificateFile));
    QVERIFY(replaceFile(m_pki->path(QStringLiteral("other.key")), config.tlsKeyFile));
    QSignalSpy changed(&engine, &Engine::tlsCertificateChanged);
    const auto reloaded = engine.reloadTls();
    QVERIFY2(reloaded.has_value(), qPrintable(reloaded ? QString() : reloaded.error()));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(presented(engine.port(), m_pki->ca()), second);
    // The connection made before the reload carries on with its own session.
    const QJsonObject reply =
        open.request(QStringLiteral("1"), QStringLiteral("chatter:room:reload"),
                     QStringLiteral("new_msg"), QJsonObject{{"body", "still here"}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));

    // A key that does not match keeps the certificate in use.
    QVERIFY(replaceFile(m_pki->path(QStringLiteral("server.key")), config.tlsKeyFile));
    QVERIFY(!engine.reloadTls().has_value());
    QCOMPARE(presented(engine.port(), m_pki->ca()), second);
}

void tst_Tls::tlsConnectionsCountAgainstThePerAddressCap()
{
    // The TLS relay and then the WebSocketConnection carry the accepted socket's place in the
    // connection limits: a connection must not stop counting when its first socket object goes.
    ServerConfig config = tlsConfig();
    config.maxConnectionsPerAddress = 2;
    Engine engine(config);
    QVERIFY(engine.start());
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 2; ++i) {
        clients.push_back(std::make_unique<TestClient>());
        clients.back()->socket().setSslConfiguration(trusting(m_pki->ca()));
        QVERIFY(clients.back()->openUrl(wssUrl(engine.port(), QStringLiteral("capped%1").arg(i))));
    }
    TestClient third;
    third.socket().setSslConfiguration(trusting(m_pki->ca()));
    QSignalSpy failed(&third.socket(), qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
    third.socket().open(wssUrl(engine.port(), QStringLiteral("capped2")));
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 10000);
    QVERIFY(third.socket().state() != QAbstractSocket::ConnectedState);
    // One leaves: once it is gone, its place is free again.
    clients.front()->socket().close();
    QVERIFY(clients.front()->waitClosed());
    QTRY_COMPARE_WITH_TIMEOUT(engine.connectionCount(), 1, 10000);
    TestClient fourth;
    fourth.socket().setSslConfiguration(trusting(m_pki->ca()));
    QVERIFY(fourth.openUrl(wssUrl(engine.port(), QStringLiteral("capped3"))));
}

void tst_Tls::pageOriginsAreHttps_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("page served over https") << "https" << true;
    QTest::newRow("an http origin, which this port never serves") << "http" << false;
}

void tst_Tls::pageOriginsAreHttps()
{
    QFETCH(QString, scheme);
    QFETCH(bool, allowed);
    Engine engine(tlsConfig());
    QVERIFY(engine.start());
    TestClient client;
    client.socket().setSslConfiguration(trusting(m_pki->ca()));
    QNetworkRequest request(wssUrl(engine.port(), QStringLiteral("page")));
    request.setRawHeader(
        "Origin", QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(engine.port()).toUtf8());
    QSignalSpy connected(&client.socket(), &QWebSocket::connected);
    QSignalSpy failed(&client.socket(),
                      qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
    client.socket().open(request);
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !failed.isEmpty(), 10000);
    QCOMPARE(!connected.isEmpty(), allowed);
}

void tst_Tls::proxyHeaderComesBeforeTheClientHello()
{
    // A balancer passing TLS through (mode tcp, send-proxy-v2): its header, then the client's
    // handshake; the node reads the header first and the client's address stands for it.
    ServerConfig config = tlsConfig();
    config.trustedProxies = {{QHostAddress(QStringLiteral("127.0.0.1")), 32}};
    Engine engine(config);
    QVERIFY(engine.start());

    QByteArray addresses(12, '\0'); // 192.0.2.7:51234 → 127.0.0.1:<port>, a documentation address
    qToBigEndian<quint32>(QHostAddress(QStringLiteral("192.0.2.7")).toIPv4Address(),
                          addresses.data());
    qToBigEndian<quint32>(QHostAddress(QStringLiteral("127.0.0.1")).toIPv4Address(),
                          addresses.data() + 4);
    qToBigEndian<quint16>(51234, addresses.data() + 8);
    qToBigEndian<quint16>(engine.port(), addresses.data() + 10);
    const QByteArray header = QByteArray(ProxyHeader::Signature, ProxyHeader::SignatureSize) +
                              QByteArray("\x21\x11\x00\x0c", 4) + addresses;

    QSslSocket socket;
    socket.setSslConfiguration(trusting(m_pki->ca()));
    socket.connectToHost(QStringLiteral("127.0.0.1"), engine.port());
    QVERIFY(
        QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 10000));
    socket.write(header);
    QVERIFY(QTest::qWaitFor([&] { return socket.bytesToWrite() == 0; }, 10000));
    socket.setPeerVerifyName(QStringLiteral("127.0.0.1"));
    socket.startClientEncryption();
    QVERIFY(QTest::qWaitFor([&] { return socket.isEncrypted(); }, 10000));
    socket.write(
        "GET /socket/websocket?vsn=2.0.0&user=tls HTTP/1.1\r\nHost: 127.0.0.1:" +
        QByteArray::number(engine.port()) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray answer;
    QVERIFY(
        QTest::qWaitFor([&] { return (answer += socket.readAll()).contains("\r\n\r\n"); }, 10000));
    QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());

    QSignalSpy ready(&engine, &Engine::snapshotReady);
    engine.requestSnapshot();
    QVERIFY(ready.wait());
    const auto sockets = ready.first().first().value<EngineSnapshot>().sockets;
    QCOMPARE(sockets.size(), 1);
    QCOMPARE(sockets.first().peer, QStringLiteral("192.0.2.7:51234"));
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
