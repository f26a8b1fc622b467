// SPDX-License-Identifier: MIT
#include "postgresinstance.h"

#include "childprocess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QThread>
#include <QVersionNumber>

#include <csignal>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

using namespace childprocess;

namespace {

constexpr auto TestUser = "chatter-test";

QString newestPostgresBin()
{
    const QByteArray configured = qgetenv("CHATTER_PG_BIN");
    if (!configured.isEmpty())
        return QString::fromLocal8Bit(configured);
    QVersionNumber best;
    QString bin;
    const QDir root(QStringLiteral("/usr/lib/postgresql"));
    for (const QString &entry : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QVersionNumber version = QVersionNumber::fromString(entry);
        if (!version.isNull() && version > best &&
            QFile::exists(root.filePath(entry + QStringLiteral("/bin/postgres")))) {
            best = version;
            bin = root.filePath(entry + QStringLiteral("/bin"));
        }
    }
    return bin;
}

int freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

PostgresInstance::~PostgresInstance()
{
    stop();
}

bool PostgresInstance::ensureUser()
{
    if (::geteuid() != 0)
        return true;
    m_runAs = QString::fromLatin1(TestUser);
    if (::getpwnam(TestUser))
        return true;
    const pid_t useradd = spawn({QStringLiteral("useradd"), QStringLiteral("--system"),
                                 QStringLiteral("--no-create-home"), QStringLiteral("--shell"),
                                 QStringLiteral("/usr/sbin/nologin"), m_runAs},
                                QStringLiteral("/dev/null"));
    if (useradd == 0 || waitExit(useradd, 30000) != 0) {
        // Another test process may have created it meanwhile.
        if (::getpwnam(TestUser))
            return true;
        m_error = QStringLiteral("useradd %1 failed").arg(m_runAs);
        return false;
    }
    return true;
}

QStringList PostgresInstance::asServerUser(const QString &program,
                                           const QStringList &arguments) const
{
    // setpriv execs (the PID is the program's own) and, with --pdeathsig, sets the signal the
    // program gets when this process dies after the change of user (a change of user clears
    // it): a test that crashes still takes its PostgreSQL down (SIGINT: fast shutdown).
    QStringList command{QStringLiteral("setpriv"), QStringLiteral("--pdeathsig"),
                        QStringLiteral("INT")};
    if (!m_runAs.isEmpty())
        command << QStringLiteral("--reuid=") + m_runAs << QStringLiteral("--regid=") + m_runAs
                << QStringLiteral("--clear-groups");
    return command + QStringList{QStringLiteral("--"), program} + arguments;
}

bool PostgresInstance::run(const QString &program, const QStringList &arguments)
{
    const QStringList command = asServerUser(program, arguments);
    const QString logFile = m_dir->filePath(QStringLiteral("setup.log"));
    const pid_t pid = spawn(command, logFile);
    const int exitCode = pid ? waitExit(pid, 120000) : -1;
    if (exitCode != 0) {
        if (pid && running(pid)) {
            ::kill(pid, SIGKILL);
            waitExit(pid, 5000);
        }
        QFile log(logFile);
        m_error = QStringLiteral("%1 failed: %2")
                      .arg(command.join(QLatin1Char(' ')),
                           log.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(log.readAll())
                                                         : QString());
        return false;
    }
    return true;
}

bool PostgresInstance::start()
{
    m_bin = newestPostgresBin();
    if (m_bin.isEmpty()) {
        m_error = QStringLiteral("no PostgreSQL under /usr/lib/postgresql (Debian package "
                                 "`postgresql`; scripts/chatter deps installs it)");
        return false;
    }
    if (!ensureUser())
        return false;
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    if (!m_runAs.isEmpty()) {
        const passwd *user = ::getpwnam(TestUser);
        if (!user || ::chown(QFile::encodeName(m_dir->path()).constData(), user->pw_uid,
                             user->pw_gid) != 0) {
            m_error = QStringLiteral("cannot give %1 to %2").arg(m_dir->path(), m_runAs);
            return false;
        }
    }
    const QString data = m_dir->filePath(QStringLiteral("data"));
    if (!run(m_bin + QStringLiteral("/initdb"),
             {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("chatter"),
              QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
              QStringLiteral("--locale=C.UTF-8"), QStringLiteral("--no-sync")}))
        return false;
    // A port that was free a moment ago may be taken by the time the server binds it: a few
    // tries.
    for (int attempt = 0; attempt < 3; ++attempt) {
        m_port = freeLoopbackPort();
        if (launch())
            return true;
    }
    return false;
}

bool PostgresInstance::restart()
{
    stop();
    return launch();
}

bool PostgresInstance::launch()
{
    const QString data = m_dir->filePath(QStringLiteral("data"));
    const QStringList command = asServerUser(
        m_bin + QStringLiteral("/postgres"),
        {QStringLiteral("-D"), data, QStringLiteral("-p"), QString::number(m_port),
         QStringLiteral("-k"), m_dir->path(), QStringLiteral("-c"),
         QStringLiteral("listen_addresses=127.0.0.1"), QStringLiteral("-c"),
         QStringLiteral("fsync=off"), QStringLiteral("-c"), QStringLiteral("full_page_writes=off"),
         QStringLiteral("-c"), QStringLiteral("max_connections=40")});
    // To a file: a pipe nobody reads would stall the server once it filled.
    m_pid = spawn(command, m_dir->filePath(QStringLiteral("postgres.log")));
    if (m_pid == 0) {
        m_error = QStringLiteral("cannot run %1").arg(command.first());
        return false;
    }
    m_admin = QStringLiteral("pg-admin-%1").arg(m_port);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_admin);
    db.setHostName(QStringLiteral("127.0.0.1"));
    db.setPort(m_port);
    db.setUserName(QStringLiteral("chatter"));
    db.setDatabaseName(QStringLiteral("postgres"));
    db.setConnectOptions(QStringLiteral("connect_timeout=2"));
    // Ready when it accepts a connection; bounded, and given up when the server exited.
    const QDeadlineTimer deadline(60000);
    while (!db.open() && !deadline.hasExpired() && running(m_pid))
        QThread::msleep(100);
    if (db.isOpen())
        return true;
    QFile log(m_dir->filePath(QStringLiteral("postgres.log")));
    m_error =
        QStringLiteral("PostgreSQL did not start: %1 %2")
            .arg(db.lastError().text(),
                 log.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(log.readAll()) : QString());
    db = QSqlDatabase();
    stop();
    return false;
}

chatter::server::StoreLocation PostgresInstance::createDatabase(const QString &name)
{
    QSqlQuery query(QSqlDatabase::database(m_admin));
    // Names are the tests' own (letters, digits, underscores).
    if (!query.exec(QStringLiteral("CREATE DATABASE \"%1\"").arg(name)))
        qWarning("CREATE DATABASE %s: %s", qPrintable(name), qPrintable(query.lastError().text()));
    chatter::server::StoreLocation location;
    location.kind = chatter::server::StoreLocation::Kind::PostgreSQL;
    location.host = QStringLiteral("127.0.0.1");
    location.port = m_port;
    location.user = QStringLiteral("chatter");
    location.database = name;
    return location;
}

void PostgresInstance::stop()
{
    if (!m_admin.isEmpty()) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_admin, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_admin);
        m_admin.clear();
    }
    if (m_pid == 0)
        return;
    // SIGINT is PostgreSQL's fast shutdown (pg_ctl stop -m fast): sessions are ended, the
    // server exits cleanly. waitExit also reaps a server that had exited by itself.
    ::kill(m_pid, SIGINT);
    if (waitExit(m_pid, 30000) < 0 && running(m_pid)) {
        ::kill(m_pid, SIGKILL);
        waitExit(m_pid, 5000);
    }
    m_pid = 0;
}
