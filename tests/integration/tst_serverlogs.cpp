// SPDX-License-Identifier: MIT
// Where the real server's log lines go: --log-file with rotation, and journald records when
// systemd's JOURNAL_STREAM names stderr. The journal is Debian's own systemd-journald, run by
// with-private-journald.sh in a private mount namespace (so this test needs root, as the other
// namespace tests do), read back with journalctl.
#include "testclient.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace {

// docs/operations.md lists them; they never change.
const QString ListeningId = QStringLiteral("4a307b60e2164a12a933e71877ab5b7c");
const QString ConnectId = QStringLiteral("32d0e8ca621c4603b82c080e538152ed");
const QString JoinId = QStringLiteral("fcfdbf01a73342e892cca8964fda47c1");
const QString ProtocolErrorId = QStringLiteral("277bf09201e14f23ba34be84aaa9aaea");

class tst_ServerLogs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void logFileRotates();
    void journalGetsRecordsWithFields();
    void staleJournalStreamMeansStderr();

private:
    QStringList serverArguments(const QString &dataDir) const;
    //! Every record of the journal in `dir` (journalctl's JSON, one object a record).
    QList<QJsonObject> journal(const QString &dir);
    //! Waits until a record satisfies `match`; the record, or an empty object after 20 s.
    QJsonObject waitForRecord(const QString &dir,
                              const std::function<bool(const QJsonObject &)> &match);

    QString m_binary;
    QString m_script;
};

void tst_ServerLogs::initTestCase()
{
    m_binary = qEnvironmentVariable("CHATTER_SERVER_BIN");
    QVERIFY2(QFile::exists(m_binary), "CHATTER_SERVER_BIN must name the chatter-server binary");
    m_script = QStringLiteral(CHATTER_JOURNAL_SCRIPT);
    QVERIFY(QFile::exists(m_script));
}

QStringList tst_ServerLogs::serverArguments(const QString &dataDir) const
{
    return {QStringLiteral("--headless"),
            QStringLiteral("--bind"),
            QStringLiteral("127.0.0.1"),
            QStringLiteral("--port"),
            QStringLiteral("0"),
            QStringLiteral("--data-dir"),
            dataDir,
            QStringLiteral("--workers"),
            QStringLiteral("1")};
}

void tst_ServerLogs::logFileRotates()
{
    QTemporaryDir dir;
    const QString log = dir.filePath(QStringLiteral("chatter.log"));
    QProcess server;
    server.start(m_binary, serverArguments(dir.filePath(QStringLiteral("data")))
                               << QStringLiteral("--log-file") << log
                               << QStringLiteral("--log-file-bytes") << QStringLiteral("4096")
                               << QStringLiteral("--log-files") << QStringLiteral("2"));
    static const QRegularExpression listening(
        QStringLiteral("chatter-server listening on 127\\.0\\.0\\.1:(\\d+)"));
    QString out;
    quint16 port = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            out += QString::fromUtf8(server.readAllStandardOutput());
            port = quint16(listening.match(out).captured(1).toUInt());
            return port != 0 || server.state() == QProcess::NotRunning;
        },
        20000));
    QVERIFY2(port != 0, qPrintable(server.readAllStandardError()));

    // Each client adds a connect and a disconnect line, ~150 bytes: 60 of them fill three
    // 4 KiB files and then some.
    QString lastUser;
    for (int i = 0; i < 60 && !QFile::exists(log + QStringLiteral(".2")); ++i) {
        TestClient client;
        lastUser = QStringLiteral("logger%1").arg(i);
        QVERIFY(client.open(port, lastUser));
        client.socket().close();
        QVERIFY(client.waitClosed());
    }
    // The last disconnect is logged by the server's own thread after the close; the newest
    // lines are in PATH, or in PATH.1 when that line itself began PATH.
    const auto newestTwo = [&] {
        QByteArray content;
        for (const QString &name : {log + QStringLiteral(".1"), log}) {
            QFile file(name);
            if (file.open(QIODevice::ReadOnly))
                content += file.readAll();
        }
        return content;
    };
    const QRegularExpression lastDisconnect(
        QStringLiteral(" disconnect: socket \\d+ user %1( |$)").arg(lastUser),
        QRegularExpression::MultilineOption);
    QVERIFY(QTest::qWaitFor(
        [&] { return lastDisconnect.match(QString::fromUtf8(newestTwo())).hasMatch(); }, 20000));
    QVERIFY(QFile::exists(log + QStringLiteral(".2")));
    server.terminate();
    QVERIFY(server.waitForFinished(20000));

    QVERIFY(!QFile::exists(log + QStringLiteral(".3")));
    static const QRegularExpression line(QStringLiteral(
        "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (debug|info|warning|error) "
        "chatter\\.[a-z]+: \\S.*$"));
    for (const QString &name : {log, log + QStringLiteral(".1"), log + QStringLiteral(".2")}) {
        QFile file(name);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(name));
        const QByteArray content = file.readAll();
        QVERIFY2(content.size() <= 4096, qPrintable(name));
        QVERIFY(content.endsWith('\n'));
        for (const QByteArray &text : content.trimmed().split('\n'))
            QVERIFY2(line.match(QString::fromUtf8(text)).hasMatch(), text.constData());
    }
    // The lines went to the file, not to stderr.
    QVERIFY2(!server.readAllStandardError().contains("chatter.net:"), "log lines on stderr");
}

QList<QJsonObject> tst_ServerLogs::journal(const QString &dir)
{
    QProcess journalctl;
    journalctl.start(QStringLiteral("journalctl"),
                     {QStringLiteral("--directory"), dir, QStringLiteral("--output"),
                      QStringLiteral("json"), QStringLiteral("--no-pager"),
                      QStringLiteral("--identifier"), QStringLiteral("chatter-server")});
    QList<QJsonObject> records;
    if (!journalctl.waitForFinished(10000))
        return records;
    for (const QByteArray &text : journalctl.readAllStandardOutput().split('\n')) {
        if (!text.trimmed().isEmpty())
            records.append(QJsonDocument::fromJson(text).object());
    }
    return records;
}

QJsonObject tst_ServerLogs::waitForRecord(const QString &dir,
                                          const std::function<bool(const QJsonObject &)> &match)
{
    QJsonObject found;
    (void)QTest::qWaitFor(
        [&] {
            for (const QJsonObject &record : journal(dir)) {
                if (match(record)) {
                    found = record;
                    return true;
                }
            }
            QTest::qWait(100);
            return false;
        },
        20000);
    return found;
}

QString field(const QJsonObject &record, const char *name)
{
    return record.value(QLatin1StringView(name)).toString();
}

void tst_ServerLogs::journalGetsRecordsWithFields()
{
    if (::geteuid() != 0)
        QFAIL("the journal test runs systemd-journald in a mount namespace: run it as root");
    QTemporaryDir dir;
    const QString journalDir = dir.filePath(QStringLiteral("journal"));
    QVERIFY(QDir().mkpath(journalDir));
    QProcess service;
    service.start(m_script, QStringList{journalDir, m_binary} +
                                serverArguments(dir.filePath(QStringLiteral("data"))));

    const QJsonObject listening = waitForRecord(
        journalDir, [](const QJsonObject &r) { return field(r, "MESSAGE_ID") == ListeningId; });
    QVERIFY2(!listening.isEmpty(), qPrintable(service.readAllStandardError()));
    // Native records (sd_journal_sendv), not lines on the stream.
    QCOMPARE(field(listening, "_TRANSPORT"), QStringLiteral("journal"));
    QCOMPARE(field(listening, "PRIORITY"), QStringLiteral("6"));
    QCOMPARE(field(listening, "SYSLOG_IDENTIFIER"), QStringLiteral("chatter-server"));
    QCOMPARE(field(listening, "CHATTER_CATEGORY"), QStringLiteral("chatter.net"));
    QCOMPARE(field(listening, "CHATTER_EVENT"), QStringLiteral("listening"));
    const quint16 port =
        quint16(QRegularExpression(QStringLiteral("^listening on 127\\.0\\.0\\.1 port (\\d+) "))
                    .match(field(listening, "MESSAGE"))
                    .captured(1)
                    .toUInt());
    QVERIFY2(port != 0, qPrintable(field(listening, "MESSAGE")));

    TestClient client;
    QVERIFY(client.open(port, QStringLiteral("journalist")));
    QCOMPARE(client.join(QStringLiteral("chatter:room:lobby")).value(QLatin1String("status")),
             QJsonValue(QStringLiteral("ok")));
    client.socket().sendTextMessage(QStringLiteral("not a phoenix frame"));

    const QJsonObject connect = waitForRecord(journalDir, [](const QJsonObject &r) {
        return field(r, "MESSAGE_ID") == ConnectId &&
               field(r, "MESSAGE").contains(QLatin1String("user journalist"));
    });
    QVERIFY(!connect.isEmpty());
    QCOMPARE(field(connect, "PRIORITY"), QStringLiteral("6"));
    QCOMPARE(field(connect, "CHATTER_EVENT"), QStringLiteral("connect"));
    QCOMPARE(field(connect, "CHATTER_CATEGORY"), QStringLiteral("chatter.net"));
    QVERIFY(field(connect, "MESSAGE").startsWith(QLatin1String("connect: socket ")));

    const QJsonObject join = waitForRecord(
        journalDir, [](const QJsonObject &r) { return field(r, "MESSAGE_ID") == JoinId; });
    QVERIFY(!join.isEmpty());
    QCOMPARE(field(join, "CHATTER_CATEGORY"), QStringLiteral("chatter.channel"));

    const QJsonObject protocolError = waitForRecord(
        journalDir, [](const QJsonObject &r) { return field(r, "MESSAGE_ID") == ProtocolErrorId; });
    QVERIFY(!protocolError.isEmpty());
    QCOMPARE(field(protocolError, "PRIORITY"), QStringLiteral("4"));
    QCOMPARE(field(protocolError, "CHATTER_EVENT"), QStringLiteral("protocol error"));

    service.terminate();
    QVERIFY(service.waitForFinished(20000));
    QCOMPARE(service.exitCode(), 0);
    // stdout's line came through the stream, and no log line was written there twice.
    bool streamLine = false;
    for (const QJsonObject &record : journal(journalDir)) {
        if (field(record, "_TRANSPORT") != QLatin1String("stdout"))
            continue;
        streamLine |= field(record, "MESSAGE")
                          .startsWith(QLatin1String("chatter-server listening on 127.0.0.1:"));
        QVERIFY2(!field(record, "MESSAGE").contains(QLatin1String(" chatter.")),
                 qPrintable(field(record, "MESSAGE")));
    }
    QVERIFY(streamLine);
}

void tst_ServerLogs::staleJournalStreamMeansStderr()
{
    if (::geteuid() != 0)
        QFAIL("the journal test runs systemd-journald in a mount namespace: run it as root");
    QTemporaryDir dir;
    const QString journalDir = dir.filePath(QStringLiteral("journal"));
    QVERIFY(QDir().mkpath(journalDir));
    QProcess service;
    service.start(m_script, QStringList{QStringLiteral("--stale-stream"), journalDir, m_binary} +
                                serverArguments(dir.filePath(QStringLiteral("data"))));
    // JOURNAL_STREAM names another stream: the lines are written to stderr as without systemd,
    // formatted, and reach the journal only as stream lines.
    const QJsonObject line = waitForRecord(journalDir, [](const QJsonObject &r) {
        return field(r, "MESSAGE").contains(QLatin1String(" info chatter.net: listening on "));
    });
    QVERIFY2(!line.isEmpty(), qPrintable(service.readAllStandardError()));
    QCOMPARE(field(line, "_TRANSPORT"), QStringLiteral("stdout"));
    service.terminate();
    QVERIFY(service.waitForFinished(20000));
    for (const QJsonObject &record : journal(journalDir))
        QVERIFY2(field(record, "MESSAGE_ID").isEmpty(), qPrintable(field(record, "MESSAGE")));
}

} // namespace

QTEST_GUILESS_MAIN(tst_ServerLogs)
#include "tst_serverlogs.moc"
