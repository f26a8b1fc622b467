// SPDX-License-Identifier: MIT
// `chatter-server account ...` and `chatter-server audit`: the real binary on a temporary
// --data-dir, the password on stdin, the database inspected afterwards.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

class tst_AdminCommands : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void addStoresAnArgon2idHashAndNoPassword();
    void addRefusesTakenAndLookAlikeNames_data();
    void addRefusesTakenAndLookAlikeNames();
    void addRefusesBadInput();
    void listShowsEveryAccount();
    void passwdChangesTheHashAndEndsSessions();
    void removeDeletesKeysAndSessions();
    void auditPrintsTheEntries();
    void usageErrors();
    void refusedWhileTheServerIsOnPostgres();
    void terminalPasswordIsHiddenAndConfirmed_data();
    void terminalPasswordIsHiddenAndConfirmed();

private:
    Run run(const QStringList &arguments, const QByteArray &stdinText = {});
    QSqlDatabase db();
    QVariant scalar(const QString &sql);

    QString m_binary;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_AdminCommands::initTestCase()
{
    m_binary = qEnvironmentVariable("CHATTER_SERVER_BIN");
    QVERIFY2(QFile::exists(m_binary), "CHATTER_SERVER_BIN must name the chatter-server binary");
}

void tst_AdminCommands::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_AdminCommands::cleanup()
{
    QSqlDatabase::database(QStringLiteral("inspect"), false).close();
    QSqlDatabase::removeDatabase(QStringLiteral("inspect"));
    m_dir.reset();
}

void tst_AdminCommands::refusedWhileTheServerIsOnPostgres()
{
    // With CHATTER_DATABASE the server's accounts are in PostgreSQL: the commands must not
    // quietly work on a SQLite file of the data directory instead.
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("CHATTER_DATABASE"),
                       QStringLiteral("postgresql://chatter@127.0.0.1:1/chatter"));
    process.setProcessEnvironment(environment);
    process.start(m_binary, {QStringLiteral("account"), QStringLiteral("list"),
                             QStringLiteral("--data-dir"), m_dir->path()});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(QString::fromUtf8(process.readAllStandardError())
                .contains(QLatin1String("CHATTER_DATABASE")));
    QVERIFY(!QFile::exists(QDir(m_dir->path()).filePath(QStringLiteral("chatter.db"))));
}

Run tst_AdminCommands::run(const QStringList &arguments, const QByteArray &stdinText)
{
    QProcess process;
    process.start(m_binary, arguments + QStringList{QStringLiteral("--data-dir"), m_dir->path()});
    Run result;
    if (!process.waitForStarted(10'000))
        return result;
    process.write(stdinText);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QSqlDatabase tst_AdminCommands::db()
{
    QSqlDatabase db = QSqlDatabase::database(QStringLiteral("inspect"), false);
    if (!db.isValid()) {
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("inspect"));
        db.setDatabaseName(m_dir->filePath(QStringLiteral("chatter.db")));
    }
    if (!db.isOpen() && !db.open())
        qFatal("cannot open the test database");
    return db;
}

QVariant tst_AdminCommands::scalar(const QString &sql)
{
    QSqlQuery query(db());
    if (!query.exec(sql) || !query.next())
        return {};
    return query.value(0);
}

void tst_AdminCommands::addStoresAnArgon2idHashAndNoPassword()
{
    const Run added = run({"account", "add", "Alice", "--admin"}, "correct horse battery\n");
    QCOMPARE(added.exitCode, 0);
    QVERIFY2(added.out.contains("added admin Alice"), qPrintable(added.out + added.err));
    QCOMPARE(scalar("SELECT role FROM accounts WHERE display = 'Alice'").toString(),
             QString("admin"));
    QVERIFY(scalar("SELECT password_hash FROM accounts").toString().startsWith("$argon2id$"));
    QCOMPARE(scalar("SELECT group_concat(key) FROM account_keys").toString(), QString("alice"));
    db().close();
    // No byte of the file (nor of its write-ahead log) is the password.
    for (const QString &name : {QStringLiteral("chatter.db"), QStringLiteral("chatter.db-wal")}) {
        QFile file(m_dir->filePath(name));
        if (file.open(QIODevice::ReadOnly))
            QVERIFY(!file.readAll().contains("correct horse battery"));
    }
    QCOMPARE(run({"account", "add", "bob"}, "another password\n").exitCode, 0);
    QCOMPARE(scalar("SELECT role FROM accounts WHERE display = 'bob'").toString(),
             QString("member"));
}

void tst_AdminCommands::addRefusesTakenAndLookAlikeNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("the same") << "Alice";
    QTest::newRow("another case") << "ALICE";
    QTest::newRow("capital I for l") << "AIice";
    QTest::newRow("fullwidth") << QString::fromUtf8("\xef\xbd\x81lice");
}

void tst_AdminCommands::addRefusesTakenAndLookAlikeNames()
{
    QFETCH(QString, name);
    QCOMPARE(run({"account", "add", "Alice"}, "correct horse battery\n").exitCode, 0);
    const Run refused = run({"account", "add", name}, "another password\n");
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("taken by Alice"), qPrintable(refused.err));
    QCOMPARE(scalar("SELECT COUNT(*) FROM accounts").toInt(), 1);
}

void tst_AdminCommands::addRefusesBadInput()
{
    Run refused = run({"account", "add", "carol"}, "short\n");
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("at least 8"), qPrintable(refused.err));
    refused = run({"account", "add", "carol"}, "");
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("no password"), qPrintable(refused.err));
    refused = run({"account", "add", "system"}, "long enough password\n");
    QCOMPARE(refused.exitCode, 1);
    refused = run({"account", "add", "bad name"}, "long enough password\n");
    QCOMPARE(refused.exitCode, 1);
    QCOMPARE(scalar("SELECT COUNT(*) FROM accounts").toInt(), 0);
    // Never a password flag.
    QCOMPARE(run({"account", "add", "carol", "--password", "long enough password"}).exitCode, 2);
}

void tst_AdminCommands::listShowsEveryAccount()
{
    QCOMPARE(run({"account", "add", "zed", "--admin"}, "correct horse battery\n").exitCode, 0);
    QCOMPARE(run({"account", "add", "amy"}, "correct horse battery\n").exitCode, 0);
    const Run listed = run({"account", "list"});
    QCOMPARE(listed.exitCode, 0);
    const QStringList lines = listed.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith("ACCOUNT"));
    QCOMPARE(lines.at(1).split(' ', Qt::SkipEmptyParts).mid(0, 2), QStringList({"amy", "member"}));
    QCOMPARE(lines.at(2).split(' ', Qt::SkipEmptyParts).mid(0, 2), QStringList({"zed", "admin"}));
    QVERIFY(lines.at(2).endsWith("never"));
}

void tst_AdminCommands::passwdChangesTheHashAndEndsSessions()
{
    QCOMPARE(run({"account", "add", "alice"}, "correct horse battery\n").exitCode, 0);
    const QString before = scalar("SELECT password_hash FROM accounts").toString();
    QSqlQuery insert(db());
    QVERIFY(insert.exec("INSERT INTO sessions (token_hash, account_id, kind, display, keys, "
                        "created_at, last_used_at) SELECT x'01', id, 'account', display, "
                        "'alice', '2026-01-01', '2026-01-01' FROM accounts"));
    const Run changed = run({"account", "passwd", "ALICE"}, "a new password\n");
    QCOMPARE(changed.exitCode, 0);
    QVERIFY2(changed.out.contains("1 sessions revoked"), qPrintable(changed.out));
    const QString after = scalar("SELECT password_hash FROM accounts").toString();
    QVERIFY(after.startsWith("$argon2id$"));
    QVERIFY(after != before);
    QCOMPARE(scalar("SELECT COUNT(*) FROM sessions").toInt(), 0);
    QCOMPARE(run({"account", "passwd", "nobody"}, "a new password\n").exitCode, 1);
}

void tst_AdminCommands::removeDeletesKeysAndSessions()
{
    QCOMPARE(run({"account", "add", "alice"}, "correct horse battery\n").exitCode, 0);
    QCOMPARE(run({"account", "add", "bob"}, "correct horse battery\n").exitCode, 0);
    QSqlQuery insert(db());
    QVERIFY(insert.exec("INSERT INTO sessions (token_hash, account_id, kind, display, keys, "
                        "created_at, last_used_at) SELECT randomblob(32), id, 'account', "
                        "display, display, '2026-01-01', '2026-01-01' FROM accounts"));
    QCOMPARE(run({"account", "remove", "alice"}).exitCode, 0);
    QCOMPARE(scalar("SELECT group_concat(display) FROM accounts").toString(), QString("bob"));
    QCOMPARE(scalar("SELECT group_concat(key) FROM account_keys").toString(), QString("bob"));
    QCOMPARE(scalar("SELECT group_concat(display) FROM sessions").toString(), QString("bob"));
    QCOMPARE(run({"account", "remove", "alice"}).exitCode, 1);
    // The name is free again.
    QCOMPARE(run({"account", "add", "alice"}, "correct horse battery\n").exitCode, 0);
}

void tst_AdminCommands::auditPrintsTheEntries()
{
    QCOMPARE(run({"account", "add", "alice", "--admin"}, "correct horse battery\n").exitCode, 0);
    QCOMPARE(run({"account", "passwd", "alice"}, "a new password\n").exitCode, 0);
    QCOMPARE(run({"account", "remove", "alice"}).exitCode, 0);
    QCOMPARE(scalar("SELECT COUNT(*) FROM audit WHERE actor = 'cli'").toInt(), 3);
    Run audit = run({"audit"});
    QCOMPARE(audit.exitCode, 0);
    QStringList lines = audit.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines.at(0).split('\t').mid(1, 3), QStringList({"cli", "account_add", "alice"}));
    QCOMPARE(lines.at(0).split('\t').at(5), QString("admin"));
    QCOMPARE(lines.at(1).split('\t').mid(1, 3), QStringList({"cli", "account_passwd", "alice"}));
    QCOMPARE(lines.at(2).split('\t').mid(1, 3), QStringList({"cli", "account_remove", "alice"}));
    audit = run({"audit", "--limit", "1"});
    lines = audit.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1);
    QVERIFY(lines.at(0).contains("account_remove"));
}

void tst_AdminCommands::usageErrors()
{
    QCOMPARE(run({"account"}).exitCode, 2);
    QCOMPARE(run({"account", "frob", "x"}).exitCode, 2);
    QCOMPARE(run({"account", "list", "extra"}).exitCode, 2);
    QCOMPARE(run({"account", "remove"}).exitCode, 2);
    QCOMPARE(run({"account", "list", "--admin"}).exitCode, 2);
    QCOMPARE(run({"audit", "--limit", "0"}).exitCode, 2);
}

void tst_AdminCommands::terminalPasswordIsHiddenAndConfirmed_data()
{
    QTest::addColumn<QByteArray>("again");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("the same twice") << QByteArray("terminal secret 1") << 0;
    QTest::newRow("different") << QByteArray("terminal secret 2") << 1;
}

void tst_AdminCommands::terminalPasswordIsHiddenAndConfirmed()
{
    QFETCH(QByteArray, again);
    QFETCH(int, exitCode);
    const QByteArray binary = QFile::encodeName(m_binary);
    const QByteArray dataDir = QFile::encodeName(m_dir->path());
    int terminal = -1;
    const pid_t child = forkpty(&terminal, nullptr, nullptr, nullptr);
    QVERIFY(child >= 0);
    if (child == 0) {
        execl(binary.constData(), "chatter-server", "account", "add", "tty", "--data-dir",
              dataDir.constData(), static_cast<char *>(nullptr));
        _exit(127);
    }
    // Everything the terminal shows, until `expected` appears (or the child is done).
    QByteArray shown;
    const auto readUntil = [&](const QByteArray &expected) {
        QElapsedTimer timer;
        timer.start();
        while (!shown.contains(expected) && timer.elapsed() < 30'000) {
            pollfd p{terminal, POLLIN, 0};
            if (poll(&p, 1, 200) <= 0)
                continue;
            char buffer[512];
            const ssize_t n = read(terminal, buffer, sizeof buffer);
            if (n <= 0)
                return;
            shown.append(buffer, n);
        }
    };
    readUntil("Password for tty: ");
    QVERIFY(write(terminal, "terminal secret 1\n", 18) == 18);
    readUntil("Again: ");
    QVERIFY(write(terminal, again.constData(), size_t(again.size())) == again.size());
    QVERIFY(write(terminal, "\n", 1) == 1);
    readUntil(exitCode == 0 ? "added" : "differ");
    int status = 0;
    QElapsedTimer waited;
    waited.start();
    pid_t done = 0;
    while ((done = waitpid(child, &status, WNOHANG)) == 0 && waited.elapsed() < 30'000)
        QTest::qWait(20);
    if (done != child) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        QFAIL(qPrintable(QStringLiteral("the command did not finish; the terminal showed: %1")
                             .arg(QString::fromUtf8(shown))));
    }
    close(terminal);
    QVERIFY2(!shown.contains("terminal secret"), shown.constData());
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), exitCode);
    QCOMPARE(scalar("SELECT COUNT(*) FROM accounts").toInt(), exitCode == 0 ? 1 : 0);
}

} // namespace

QTEST_GUILESS_MAIN(tst_AdminCommands)
#include "tst_admincommands.moc"
