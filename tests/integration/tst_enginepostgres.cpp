// SPDX-License-Identifier: MIT
#include "engine.h"
#include "httpexchange.h"
#include "postgresinstance.h"
#include "testclient.h"
#include "testengineconfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace chatter::server;

//! The whole server on PostgreSQL (`--database`, docs/cluster.md): a real PostgreSQL the test
//! starts (PostgresInstance), the engine in-process, Phoenix V2 clients over loopback. What
//! is durable must be in the database, not in the data directory: a second engine with an
//! empty data directory on the same database finds the account, the session and the history.
class tst_EnginePostgres : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void historyAccountsAndSessionsLiveInPostgres();
    void searchWorksOnPostgres();

private:
    QString databaseUrl(const QString &name);
    PostgresInstance m_postgres;
};

namespace {

bool isEvent(const QJsonArray &frame, const char *event)
{
    return frame.size() == 5 && frame.at(3).toString() == QLatin1String(event);
}

//! POST /api/accounts: the new account's session token, or empty.
QString registerAccount(quint16 port, const QString &user, const QString &password)
{
    QTcpSocket socket;
    if (!httpexchange::connectTo(socket, port))
        return {};
    const QByteArray body =
        QJsonDocument(QJsonObject{{"user", user}, {"password", password}}).toJson();
    socket.write("POST /api/accounts HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                 "\r\nContent-Type: application/json\r\nContent-Length: " +
                 QByteArray::number(body.size()) + "\r\n\r\n" + body);
    const QByteArray response = httpexchange::readResponse(socket, 20000);
    if (httpexchange::statusOf(response) != 201) {
        qWarning("registration: %s", response.constData());
        return {};
    }
    return QJsonDocument::fromJson(httpexchange::bodyOf(response))
        .object()
        .value("token")
        .toString();
}

QUrl sessionUrl(quint16 port, const QString &token)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket/websocket?vsn=2.0.0&session=%2")
                    .arg(port)
                    .arg(token));
}

} // namespace

void tst_EnginePostgres::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

QString tst_EnginePostgres::databaseUrl(const QString &name)
{
    const StoreLocation location = m_postgres.createDatabase(name);
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(location.user, location.host)
        .arg(location.port)
        .arg(location.database);
}

void tst_EnginePostgres::historyAccountsAndSessionsLiveInPostgres()
{
    const QString database = databaseUrl(QStringLiteral("engine"));
    const QString topic = QStringLiteral("chatter:room:lobby");
    QString token;
    qint64 firstId = 0;
    {
        ServerConfig config = loopbackTestConfig();
        config.database = database;
        config.search = false;
        config.minimumPasswordCost = true;
        Engine engine(config);
        QVERIFY2(engine.start(), qPrintable(engine.errorString()));
        token = registerAccount(engine.port(), QStringLiteral("dora"),
                                QStringLiteral("correct horse battery"));
        QVERIFY(!token.isEmpty());

        TestClient dora;
        QVERIFY(dora.openUrl(sessionUrl(engine.port(), token)));
        QCOMPARE(dora.join(topic).value("status").toString(), QStringLiteral("ok"));
        for (const char *body : {"first words", "second words"}) {
            const QJsonObject reply =
                dora.request(QStringLiteral("1"), topic, QStringLiteral("new_msg"),
                             QJsonObject{{"body", QString::fromUtf8(body)}});
            QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
            const qint64 id = qint64(reply.value("response").toObject().value("id").toDouble());
            QVERIFY(id > firstId);
            if (firstId == 0)
                firstId = id;
        }
        QVERIFY(!dora.waitFor([](const QJsonArray &f) { return isEvent(f, "new_msg"); }).isEmpty());

        // A guest joining later gets the history from the database.
        TestClient guest;
        QVERIFY(guest.open(engine.port(), QStringLiteral("gus")));
        const QJsonObject joined = guest.join(topic);
        QCOMPARE(joined.value("status").toString(), QStringLiteral("ok"));
        const QJsonArray messages = joined.value("response").toObject().value("messages").toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).toObject().value("user").toString(), QStringLiteral("dora"));
        QCOMPARE(messages.at(1).toObject().value("body").toString(),
                 QStringLiteral("second words"));
        engine.stop();
    }

    // Another engine, another (empty) data directory, the same database.
    ServerConfig config = loopbackTestConfig();
    config.database = database;
    config.search = false;
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    TestClient dora;
    QVERIFY(dora.openUrl(sessionUrl(engine.port(), token)));
    QJsonObject joined = dora.join(topic);
    QCOMPARE(joined.value("status").toString(), QStringLiteral("ok"));
    // Rejoin after the first message: only what came after it.
    TestClient again;
    QVERIFY(again.openUrl(sessionUrl(engine.port(), token)));
    joined = again.request(QString(), topic, QStringLiteral("phx_join"),
                           QJsonObject{{"last_seen_id", firstId}});
    QCOMPARE(joined.value("status").toString(), QStringLiteral("ok"));
    const QJsonArray after = joined.value("response").toObject().value("messages").toArray();
    QCOMPARE(after.size(), 1);
    QCOMPARE(after.at(0).toObject().value("body").toString(), QStringLiteral("second words"));
    const QJsonObject reply =
        dora.request(QStringLiteral("1"), topic, QStringLiteral("new_msg"),
                     QJsonObject{{"body", QStringLiteral("after the restart")}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    QVERIFY(qint64(reply.value("response").toObject().value("id").toDouble()) > firstId);
    engine.stop();
}

void tst_EnginePostgres::searchWorksOnPostgres()
{
    // `--search on` (the default) with --database: the search thread reads PostgreSQL's
    // tsvector index; a room topic's search finds that room's messages, marked and cut.
    ServerConfig config = loopbackTestConfig();
    config.database = databaseUrl(QStringLiteral("search"));
    QVERIFY(config.search);
    Engine engine(config);
    QVERIFY2(engine.start(), qPrintable(engine.errorString()));
    const QString topic = QStringLiteral("chatter:room:lobby");
    TestClient gus;
    QVERIFY(gus.open(engine.port(), QStringLiteral("gus")));
    QCOMPARE(gus.join(topic).value("status").toString(), QStringLiteral("ok"));
    for (const char *body : {"the Déploy went fine", "nothing to see", "deploying again"}) {
        const QJsonObject sent = gus.request(QStringLiteral("1"), topic, QStringLiteral("new_msg"),
                                             QJsonObject{{"body", QString::fromUtf8(body)}});
        QCOMPARE(sent.value("status").toString(), QStringLiteral("ok"));
    }
    const QJsonObject reply = gus.request(QStringLiteral("1"), topic, QStringLiteral("search"),
                                          QJsonObject{{"query", "deploy"}});
    QCOMPARE(reply.value("status").toString(), QStringLiteral("ok"));
    const QJsonArray results = reply.value("response").toObject().value("results").toArray();
    QCOMPARE(results.size(), 1);
    const QJsonObject hit = results.at(0).toObject();
    QCOMPARE(hit.value("snippet").toString(), QString::fromUtf8("the Déploy went fine"));
    QCOMPARE(hit.value("highlights").toArray(), (QJsonArray{QJsonArray{4, 6}}));
    const QJsonObject prefix = gus.request(QStringLiteral("1"), topic, QStringLiteral("search"),
                                           QJsonObject{{"query", "depl* from:GUS"}});
    QCOMPARE(prefix.value("response").toObject().value("results").toArray().size(), 2);
    engine.stop();
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("chatter.*.info=false"));
    tst_EnginePostgres test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_enginepostgres.moc"
