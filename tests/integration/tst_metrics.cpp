// SPDX-License-Identifier: MIT
#include "engine.h"
#include "httpexchange.h"
#include "postgresinstance.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslSocket>
#include <QTest>

using namespace chatter::server;

//! GET /metrics and GET /healthz (docs/metrics.md) of a real engine on loopback: counters that
//! move with a real client's traffic, where /metrics is served (--metrics-address), and a
//! /healthz that turns 503 while the real PostgreSQL under the store is stopped.
class tst_Metrics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void countersMoveWithTraffic();
    void longPollSessionsAreCounted();
    void notOnTheChatPortWhenAccountsAreRequired();
    void notOnTheChatPortWithTls();
    void separateAddressServesMetricsAndHealth();
    void offServesNothing();
    void healthTurnsUnavailableWhileThePostgresStoreIsDown();
};

namespace {

//! A plain GET, the whole response (head and body); empty on failure.
QByteArray get(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return {};
    socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                 "\r\n\r\n");
    return httpexchange::readResponse(socket, 8000);
}

//! The samples of a text exposition: `name{labels}` (as written) → value. Every sample line
//! must be preceded by its family's TYPE line.
QHash<QByteArray, double> parseSamples(const QByteArray &text)
{
    QHash<QByteArray, double> samples;
    QSet<QByteArray> typed;
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith("# TYPE "))
            typed.insert(line.split(' ').value(2));
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        const QByteArray key = line.left(space);
        QByteArray family = key.left(key.indexOf('{') < 0 ? key.size() : key.indexOf('{'));
        for (const char *suffix : {"_bucket", "_sum", "_count"}) {
            if (!typed.contains(family) && family.endsWith(suffix))
                family.chop(qstrlen(suffix));
        }
        if (!typed.contains(family))
            qWarning("sample without a TYPE line: %s", line.constData());
        else
            samples.insert(key, line.mid(space + 1).toDouble());
    }
    return samples;
}

QHash<QByteArray, double> scrape(quint16 port)
{
    const QByteArray response = get(port, "/metrics");
    if (httpexchange::statusOf(response) != 200) {
        qWarning("GET /metrics: %s", response.left(200).constData());
        return {};
    }
    if (!response.contains("content-type: text/plain; version=0.0.4; charset=utf-8"))
        qWarning("GET /metrics: unexpected content type in %s", response.left(300).constData());
    return parseSamples(httpexchange::bodyOf(response));
}

QJsonObject healthOf(const QByteArray &response)
{
    return QJsonDocument::fromJson(httpexchange::bodyOf(response)).object();
}

} // namespace

void tst_Metrics::countersMoveWithTraffic()
{
    Engine engine(loopbackTestConfig());
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    const QHash<QByteArray, double> before = scrape(engine.port());
    QVERIFY(!before.isEmpty());
    QCOMPARE(before.value(R"(chatter_connections{transport="websocket"})", -1), 0.0);
    QCOMPARE(before.value("chatter_joins_total", -1), 0.0);
    QVERIFY(before.value("process_resident_memory_bytes") > 0);
    QVERIFY(before.value("process_open_fds") > 0);
    QVERIFY(before.value("process_start_time_seconds") > 1.6e9);

    const QString topic = QStringLiteral("chatter:room:metrics");
    TestClient ada;
    QVERIFY(ada.open(engine.port(), QStringLiteral("ada")));
    QCOMPARE(ada.join(topic).value("status").toString(), QStringLiteral("ok"));
    constexpr int Sent = 3;
    for (int i = 0; i < Sent; ++i) {
        const QJsonObject reply =
            ada.request(QStringLiteral("1"), topic, QStringLiteral("new_msg"),
                        QJsonObject{{"body", QStringLiteral("hello %1").arg(i)}});
        QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    }
    // A connection from a page of another origin is refused, and counted by its reason.
    QWebSocket foreign;
    QNetworkRequest request(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&user=eve")
                 .arg(engine.port())));
    request.setRawHeader("Origin", "http://elsewhere.example");
    foreign.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(foreign.state(), QAbstractSocket::UnconnectedState, 5000);

    const QHash<QByteArray, double> after = scrape(engine.port());
    QCOMPARE(after.value(R"(chatter_connections{transport="websocket"})"), 1.0);
    QCOMPARE(after.value(R"(chatter_connections{transport="longpoll"})"), 0.0);
    QCOMPARE(after.value("chatter_joins_total") - before.value("chatter_joins_total"), 1.0);
    // The join and the messages, each answered; the broadcasts of the messages come back.
    QVERIFY(after.value("chatter_messages_received_total") >= 1 + Sent);
    QVERIFY(after.value("chatter_messages_sent_total") >= 1 + 2 * Sent);
    QVERIFY(after.value("chatter_received_bytes_total") > 0);
    QVERIFY(after.value("chatter_sent_bytes_total") > after.value("chatter_received_bytes_total"));
    QCOMPARE(after.value(R"(chatter_refused_connections_total{reason="origin"})") -
                 before.value(R"(chatter_refused_connections_total{reason="origin"})"),
             1.0);
    QCOMPARE(after.value(R"(chatter_refused_connections_total{reason="ban"})"), 0.0);
    // Every message was committed, and each commit timed.
    QVERIFY(after.value("chatter_store_messages_total") >= Sent);
    const double commits = after.value("chatter_store_commits_total");
    QVERIFY(commits >= 1);
    QCOMPARE(after.value("chatter_store_commit_duration_seconds_count"), commits);
    QCOMPARE(after.value(R"(chatter_store_commit_duration_seconds_bucket{le="+Inf"})"), commits);
    QVERIFY(after.value("chatter_store_commit_duration_seconds_sum") > 0);
    QCOMPARE(after.value("chatter_rooms"), 1.0);
    QVERIFY(after.contains(R"(chatter_mailbox_pending_jobs{thread="worker-1"})"));
    QVERIFY(after.contains("chatter_store_pending_writes"));

    // The socket's close takes it off the gauge; its traffic stays in the totals.
    ada.socket().close();
    QTRY_COMPARE_WITH_TIMEOUT(
        scrape(engine.port()).value(R"(chatter_connections{transport="websocket"})", -1), 0.0,
        5000);
    QVERIFY(scrape(engine.port()).value("chatter_messages_received_total") >=
            after.value("chatter_messages_received_total"));
}

void tst_Metrics::longPollSessionsAreCounted()
{
    Engine engine(loopbackTestConfig());
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    // phoenix.js's first long-poll GET makes the session (status 410 with its token).
    const QByteArray opened = get(engine.port(), "/socket/longpoll?vsn=2.0.0&user=lena");
    QVERIFY2(opened.contains("\"status\":410"), opened.constData());
    const QHash<QByteArray, double> samples = scrape(engine.port());
    QCOMPARE(samples.value(R"(chatter_connections{transport="longpoll"})"), 1.0);
    QCOMPARE(samples.value("chatter_longpoll_sessions"), 1.0);
    // One refused for an invalid nickname.
    QVERIFY(get(engine.port(), "/socket/longpoll?vsn=2.0.0&user=%20").contains("\"status\":403"));
    QCOMPARE(scrape(engine.port()).value(R"(chatter_refused_connections_total{reason="nickname"})"),
             1.0);
}

void tst_Metrics::notOnTheChatPortWhenAccountsAreRequired()
{
    ServerConfig config = loopbackTestConfig();
    config.accountsRequired = true;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    QCOMPARE(httpexchange::statusOf(get(engine.port(), "/metrics")), 404);
    QVERIFY(!config.metricsOnPublicPort());
    QCOMPARE(engine.metricsPort(), quint16(0));
    const QByteArray health = get(engine.port(), "/healthz");
    QCOMPARE(httpexchange::statusOf(health), 200);
    QCOMPARE(healthOf(health).value("status").toString(), QStringLiteral("ok"));
}

void tst_Metrics::notOnTheChatPortWithTls()
{
    ServerConfig config = loopbackTestConfig();
    config.tlsSelfSigned = true;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    const auto getOverTls = [&](const QByteArray &path) {
        QSslSocket socket;
        // The certificate made for this run; who it is does not matter here.
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), engine.port());
        if (!QTest::qWaitFor([&] { return socket.isEncrypted(); }, 10000))
            return QByteArray();
        socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                     QByteArray::number(engine.port()) + "\r\n\r\n");
        return httpexchange::readResponse(socket, 8000);
    };
    QCOMPARE(httpexchange::statusOf(getOverTls("/healthz")), 200);
    QCOMPARE(httpexchange::statusOf(getOverTls("/metrics")), 404);
}

void tst_Metrics::separateAddressServesMetricsAndHealth()
{
    ServerConfig config = loopbackTestConfig();
    config.metricsExposure = ServerConfig::MetricsExposure::Address;
    config.metricsAddress = QHostAddress::LocalHost;
    config.metricsPort = 0;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    QVERIFY(engine.metricsPort() != 0);
    QVERIFY(engine.metricsPort() != engine.port());
    QCOMPARE(httpexchange::statusOf(get(engine.port(), "/metrics")), 404);
    TestClient bob;
    QVERIFY(bob.open(engine.port(), QStringLiteral("bob")));
    QCOMPARE(bob.join(QStringLiteral("chatter:room:ops")).value("status").toString(),
             QStringLiteral("ok"));
    const QHash<QByteArray, double> samples = scrape(engine.metricsPort());
    QCOMPARE(samples.value(R"(chatter_connections{transport="websocket"})"), 1.0);
    QCOMPARE(samples.value("chatter_joins_total"), 1.0);
    const QByteArray health = get(engine.metricsPort(), "/healthz");
    QCOMPARE(httpexchange::statusOf(health), 200);
    QCOMPARE(healthOf(health).value("store").toObject().value("backend").toString(),
             QStringLiteral("sqlite"));
    // Nothing else is served there.
    QCOMPARE(httpexchange::statusOf(get(engine.metricsPort(), "/")), 404);
    QCOMPARE(httpexchange::statusOf(get(engine.metricsPort(), "/socket/longpoll")), 404);

    // A taken address is a start-up error, not a server without its metrics.
    ServerConfig clash = loopbackTestConfig();
    clash.metricsExposure = ServerConfig::MetricsExposure::Address;
    clash.metricsAddress = QHostAddress::LocalHost;
    clash.metricsPort = engine.metricsPort();
    Engine second(clash);
    QVERIFY(!second.start());
    QVERIFY2(second.errorString().contains(QLatin1String("--metrics-address")),
             qPrintable(second.errorString()));
}

void tst_Metrics::offServesNothing()
{
    ServerConfig config = loopbackTestConfig();
    config.metricsExposure = ServerConfig::MetricsExposure::Off;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    QCOMPARE(httpexchange::statusOf(get(engine.port(), "/metrics")), 404);
    QCOMPARE(engine.metricsPort(), quint16(0));
    QCOMPARE(httpexchange::statusOf(get(engine.port(), "/healthz")), 200);
}

void tst_Metrics::healthTurnsUnavailableWhileThePostgresStoreIsDown()
{
    PostgresInstance postgres;
    QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
    const StoreLocation location = postgres.createDatabase(QStringLiteral("health"));
    ServerConfig config = loopbackTestConfig();
    config.database = QStringLiteral("postgresql://%1@%2:%3/%4")
                          .arg(location.user, location.host)
                          .arg(location.port)
                          .arg(location.database);
    config.search = false;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    QByteArray health = get(engine.port(), "/healthz");
    QCOMPARE(httpexchange::statusOf(health), 200);
    QCOMPARE(healthOf(health).value("store").toObject().value("backend").toString(),
             QStringLiteral("postgresql"));

    postgres.stop();
    QTRY_COMPARE_WITH_TIMEOUT(httpexchange::statusOf(health = get(engine.port(), "/healthz")), 503,
                              10000);
    const QJsonObject down = healthOf(health);
    QCOMPARE(down.value("status").toString(), QStringLiteral("store unavailable"));
    QCOMPARE(down.value("store").toObject().value("ready").toBool(true), false);
    QVERIFY(!down.value("store").toObject().value("error").toString().isEmpty());

    // The store connects again by itself (the checks themselves retry it): ready again.
    QVERIFY2(postgres.restart(), qPrintable(postgres.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(httpexchange::statusOf(get(engine.port(), "/healthz")), 200, 20000);
    engine.stop();
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
