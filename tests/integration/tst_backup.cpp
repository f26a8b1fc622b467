// SPDX-License-Identifier: MIT
// `chatter-server backup` and `restore`: the real binary copies the data directory of a real
// server that keeps taking messages meanwhile; the copy, restored into a new data directory,
// serves every message acknowledged before the backup began (and no gap after them).
#include "testclient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString Topic = QStringLiteral("chatter:room:backup");

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

class tst_Backup : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void restoredHistoryHasEveryAcknowledgedMessage();
    void postgresGetsPgDumpGuidance();
    void badBackupIsRefusedAndLeavesNothing();
    void replaceMovesTheOldDatabaseAside();

private:
    Run run(const QStringList &arguments);
    //! Starts a server on `dataDir`; its port, or 0.
    quint16 startServer(QProcess &server, const QString &dataDir);
    //! Every message of the room, oldest first, through `history {after}` pages.
    QMap<qint64, QString> readHistory(quint16 port);

    QString m_binary;
};

void tst_Backup::initTestCase()
{
    m_binary = qEnvironmentVariable("CHATTER_SERVER_BIN");
    QVERIFY2(QFile::exists(m_binary), "CHATTER_SERVER_BIN must name the chatter-server binary");
}

Run tst_Backup::run(const QStringList &arguments)
{
    QProcess process;
    process.start(m_binary, arguments);
    Run result;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

quint16 tst_Backup::startServer(QProcess &server, const QString &dataDir)
{
    server.setProcessChannelMode(QProcess::SeparateChannels);
    server.start(m_binary, {QStringLiteral("--headless"), QStringLiteral("--bind"),
                            QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
                            QStringLiteral("0"), QStringLiteral("--data-dir"), dataDir,
                            QStringLiteral("--workers"), QStringLiteral("1"),
                            QStringLiteral("--max-messages-per-second"), QStringLiteral("100000")});
    static const QRegularExpression listening(
        QStringLiteral("chatter-server listening on 127\\.0\\.0\\.1:(\\d+)"));
    QString out;
    quint16 port = 0;
    (void)QTest::qWaitFor(
        [&] {
            out += QString::fromUtf8(server.readAllStandardOutput());
            const auto match = listening.match(out);
            if (match.hasMatch())
                port = quint16(match.captured(1).toUInt());
            return port != 0 || server.state() == QProcess::NotRunning;
        },
        20000);
    return port;
}

QMap<qint64, QString> tst_Backup::readHistory(quint16 port)
{
    QMap<qint64, QString> history;
    TestClient reader;
    if (!reader.open(port, QStringLiteral("reader")))
        return history;
    const QString joinRef = QStringLiteral("1");
    if (reader.join(Topic).value(QLatin1String("status")).toString() != QLatin1String("ok"))
        return history;
    qint64 after = 0;
    for (int page = 0; page < 1000; ++page) {
        const QJsonObject reply = reader.request(
            joinRef, Topic, QStringLiteral("history"),
            QJsonObject{{QStringLiteral("after"), after}, {QStringLiteral("limit"), 100}});
        const QJsonObject response = reply.value(QLatin1String("response")).toObject();
        const QJsonArray messages = response.value(QLatin1String("messages")).toArray();
        for (const QJsonValue &m : messages) {
            const qint64 id = m[QLatin1String("id")].toInteger();
            history.insert(id, m[QLatin1String("body")].toString());
            after = std::max(after, id);
        }
        if (!response.value(QLatin1String("more")).toBool() || messages.isEmpty())
            break;
    }
    return history;
}

void tst_Backup::restoredHistoryHasEveryAcknowledgedMessage()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString original = dir.filePath(QStringLiteral("original"));
    const QString backup = dir.filePath(QStringLiteral("backup"));
    const QString restored = dir.filePath(QStringLiteral("restored"));

    QProcess server;
    const quint16 port = startServer(server, original);
    QVERIFY2(port != 0, qPrintable(QString::fromUtf8(server.readAllStandardError())));

    // History first, a few hundred messages sent without waiting, so the database has pages
    // enough for the backup to take many steps.
    TestClient writer;
    QVERIFY(writer.open(port, QStringLiteral("writer")));
    QCOMPARE(writer.join(Topic).value(QLatin1String("status")).toString(), QLatin1String("ok"));
    const QString joinRef = QStringLiteral("1");
    const QString padding(900, QLatin1Char('x'));
    QMap<qint64, QString> acknowledged;
    const auto idOf = [](const QJsonObject &reply) {
        return reply.value(QLatin1String("status")).toString() == QLatin1String("ok")
                   ? reply.value(QLatin1String("response"))[QLatin1String("id")].toInteger()
                   : qint64(0);
    };
    QStringList refs;
    for (int i = 0; i < 400; ++i) {
        const QString ref = QStringLiteral("before-%1").arg(i);
        refs.append(ref);
        writer.send(QJsonArray{joinRef, ref, Topic, QStringLiteral("new_msg"),
                               QJsonObject{{QStringLiteral("body"), ref + padding}}});
    }
    for (const QString &ref : refs) {
        const QJsonArray reply = writer.waitFor(
            [&](const QJsonArray &f) {
                return f.at(1).toString() == ref &&
                       f.at(3).toString() == QLatin1String("phx_reply");
            },
            20000);
        const qint64 id = idOf(reply.at(4).toObject());
        QVERIFY2(id > 0, qPrintable(ref));
        acknowledged.insert(id, ref + padding);
    }
    const qint64 acknowledgedBeforeBackup = acknowledged.size();
    // An uploaded file's content as FileContent lays it out, and one still being written.
    const QString stored = QStringLiteral("files/ab/ab") + QString(62, QLatin1Char('0'));
    QVERIFY(QDir(original).mkpath(QStringLiteral("files/ab")));
    for (const QString &name : {stored, stored + QStringLiteral(".tmp-1f")}) {
        QFile file(QDir(original).filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("uploaded bytes");
    }

    // The backup in small steps, while one message after another is sent and committed.
    QProcess backupRun;
    backupRun.start(m_binary, {QStringLiteral("backup"), backup, QStringLiteral("--data-dir"),
                               original, QStringLiteral("--pages-per-step"), QStringLiteral("4")});
    QVERIFY(backupRun.waitForStarted());
    int acknowledgedDuringBackup = 0;
    for (int i = 0; i < 20000 && backupRun.state() != QProcess::NotRunning; ++i) {
        const QString body = QStringLiteral("during-%1").arg(i);
        const qint64 id = idOf(writer.request(joinRef, Topic, QStringLiteral("new_msg"),
                                              QJsonObject{{QStringLiteral("body"), body}}, 20000));
        QVERIFY2(id > 0, qPrintable(body));
        acknowledged.insert(id, body);
        if (backupRun.state() != QProcess::NotRunning)
            ++acknowledgedDuringBackup;
    }
    QVERIFY(backupRun.state() == QProcess::NotRunning || backupRun.waitForFinished(60000));
    const QString backupOut = QString::fromUtf8(backupRun.readAllStandardOutput());
    QVERIFY2(backupRun.exitCode() == 0, qPrintable(backupRun.readAllStandardError()));
    qInfo("%lld messages before the backup, %d acknowledged while it ran: %s",
          acknowledgedBeforeBackup, acknowledgedDuringBackup, qPrintable(backupOut.trimmed()));
    QVERIFY2(acknowledgedDuringBackup > 0, "the server took no message while the backup ran");
    QVERIFY(QFile::exists(QDir(backup).filePath(QStringLiteral("chatter.db"))));
    QVERIFY(QFile::exists(QDir(backup).filePath(QStringLiteral("file-url.key"))));
    // Nothing half-made is left beside it.
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             (QStringList{QStringLiteral("backup"), QStringLiteral("original")}));

    server.terminate();
    QVERIFY(server.waitForFinished(20000));

    const Run restoring =
        run({QStringLiteral("restore"), backup, QStringLiteral("--data-dir"), restored});
    QVERIFY2(restoring.exitCode == 0, qPrintable(restoring.err));
    QFile originalKey(QDir(original).filePath(QStringLiteral("file-url.key")));
    QFile restoredKey(QDir(restored).filePath(QStringLiteral("file-url.key")));
    QVERIFY(originalKey.open(QIODevice::ReadOnly) && restoredKey.open(QIODevice::ReadOnly));
    QCOMPARE(restoredKey.readAll(), originalKey.readAll());
    QCOMPARE(restoredKey.permissions() & (QFile::ReadOther | QFile::ReadGroup),
             QFile::Permissions());
    QFile restoredFile(QDir(restored).filePath(stored));
    QVERIFY(restoredFile.open(QIODevice::ReadOnly));
    QCOMPARE(restoredFile.readAll(), QByteArray("uploaded bytes"));
    QVERIFY(!QFile::exists(QDir(restored).filePath(stored + QStringLiteral(".tmp-1f"))));

    QProcess restoredServer;
    const quint16 restoredPort = startServer(restoredServer, restored);
    QVERIFY2(restoredPort != 0, qPrintable(restoredServer.readAllStandardError()));

    // While that server runs, a restore into its directory is refused.
    const Run overRunning = run({QStringLiteral("restore"), backup, QStringLiteral("--data-dir"),
                                 restored, QStringLiteral("--replace")});
    QCOMPARE(overRunning.exitCode, 1);
    QVERIFY2(overRunning.err.contains(QLatin1String("stop it first")), qPrintable(overRunning.err));

    const QMap<qint64, QString> history = readHistory(restoredPort);
    restoredServer.terminate();
    QVERIFY(restoredServer.waitForFinished(20000));

    // One snapshot: the oldest acknowledged messages, every one before the backup began, then
    // possibly some sent during it, with no gap and nothing that was never acknowledged.
    QVERIFY2(history.size() >= acknowledgedBeforeBackup,
             qPrintable(QStringLiteral("%1 restored, %2 acknowledged before the backup")
                            .arg(history.size())
                            .arg(acknowledgedBeforeBackup)));
    QMap<qint64, QString> oldestAcknowledged;
    for (auto it = acknowledged.cbegin();
         it != acknowledged.cend() && oldestAcknowledged.size() < history.size(); ++it)
        oldestAcknowledged.insert(it.key(), it.value());
    QCOMPARE(history, oldestAcknowledged);
    QVERIFY2(backupOut.contains(QStringLiteral("backed up %1 messages").arg(history.size())) &&
                 backupOut.contains(QLatin1String("and 1 uploaded files")),
             qPrintable(backupOut));
}

void tst_Backup::postgresGetsPgDumpGuidance()
{
    QTemporaryDir dir;
    const Run result = run({QStringLiteral("backup"), dir.filePath(QStringLiteral("x.db")),
                            QStringLiteral("--database"),
                            QStringLiteral("postgresql://chat:secret@127.0.0.1:5433/chatter")});
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.err.contains(QLatin1String("pg_dump --format=custom --file chatter.dump "
                                               "--host 127.0.0.1 --port 5433 --username chat "
                                               "--dbname chatter")),
             qPrintable(result.err));
    QVERIFY2(!result.err.contains(QLatin1String("secret")), "the password is not printed");
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.db"))));
}

void tst_Backup::badBackupIsRefusedAndLeavesNothing()
{
    QTemporaryDir dir;
    // No database to back up: a clear error, and no partial file.
    const Run missing = run({QStringLiteral("backup"), dir.filePath(QStringLiteral("x.db")),
                             QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("none"))});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(QLatin1String("no database at")), qPrintable(missing.err));
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
             QStringList());

    // Something that is not a database is not restored.
    QFile junk(dir.filePath(QStringLiteral("junk.db")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(8192, 'j'));
    junk.close();
    const Run restoring = run({QStringLiteral("restore"), junk.fileName(),
                               QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("d"))});
    QCOMPARE(restoring.exitCode, 1);
    QVERIFY2(restoring.err.contains(QLatin1String("not a usable backup")),
             qPrintable(restoring.err));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("d/chatter.db"))));

    const Run usage = run({QStringLiteral("restore"), junk.fileName()});
    QCOMPARE(usage.exitCode, 2);
}

void tst_Backup::replaceMovesTheOldDatabaseAside()
{
    QTemporaryDir dir;
    const QString source = dir.filePath(QStringLiteral("source"));
    const QString target = dir.filePath(QStringLiteral("target"));
    const QString backup = dir.filePath(QStringLiteral("backup.db"));
    // `account list` opens (and so makes) a data directory's database.
    for (const QString &dataDir : {source, target})
        QCOMPARE(run({QStringLiteral("account"), QStringLiteral("list"),
                      QStringLiteral("--data-dir"), dataDir})
                     .exitCode,
                 0);
    const Run made = run({QStringLiteral("backup"), backup, QStringLiteral("--data-dir"), source});
    QVERIFY2(made.exitCode == 0, qPrintable(made.err));
    QVERIFY2(made.out.startsWith(QLatin1String("backed up 0 messages")), qPrintable(made.out));

    const Run refused =
        run({QStringLiteral("restore"), backup, QStringLiteral("--data-dir"), target});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QLatin1String("--replace")), qPrintable(refused.err));
    QVERIFY(!QFile::exists(QDir(target).filePath(QStringLiteral("chatter.db.before-restore"))));

    const Run replaced = run({QStringLiteral("restore"), backup, QStringLiteral("--data-dir"),
                              target, QStringLiteral("--replace")});
    QVERIFY2(replaced.exitCode == 0, qPrintable(replaced.err));
    QVERIFY(QFile::exists(QDir(target).filePath(QStringLiteral("chatter.db"))));
    QVERIFY(QFile::exists(QDir(target).filePath(QStringLiteral("chatter.db.before-restore"))));

    // A WAL left without its database would be replayed into the restored one: refused too.
    const QString strayWal = dir.filePath(QStringLiteral("stray"));
    QVERIFY(QDir().mkpath(strayWal));
    QFile wal(QDir(strayWal).filePath(QStringLiteral("chatter.db-wal")));
    QVERIFY(wal.open(QIODevice::WriteOnly));
    wal.write(QByteArray(32, 'w'));
    wal.close();
    QCOMPARE(
        run({QStringLiteral("restore"), backup, QStringLiteral("--data-dir"), strayWal}).exitCode,
        1);
}

} // namespace

QTEST_GUILESS_MAIN(tst_Backup)
#include "tst_backup.moc"
