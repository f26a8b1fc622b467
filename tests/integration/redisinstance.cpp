// SPDX-License-Identifier: MIT
#include "redisinstance.h"

#include "childprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>

using namespace childprocess;

namespace {

int freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

RedisInstance::~RedisInstance()
{
    stop();
}

bool RedisInstance::start()
{
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    // A port that was free a moment ago may be taken by the time the server binds it.
    for (int attempt = 0; attempt < 3; ++attempt) {
        m_port = freeLoopbackPort();
        if (launch())
            return true;
    }
    return false;
}

bool RedisInstance::restart()
{
    stop();
    return launch();
}

bool RedisInstance::launch()
{
    const QStringList command{
        QStringLiteral("setpriv"), QStringLiteral("--pdeathsig"), QStringLiteral("TERM"),
        QStringLiteral("--"), QStringLiteral("redis-server"), QStringLiteral("--bind"),
        QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QString::number(m_port),
        QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"), QStringLiteral("no"),
        // A database number per test function (tests give each its own
        // cluster); Redis's default is 16.
        QStringLiteral("--databases"), QStringLiteral("64"), QStringLiteral("--dir"),
        m_dir->path()};
    const QString log = m_dir->filePath(QStringLiteral("redis.log"));
    m_pid = spawn(command, log);
    if (m_pid == 0) {
        m_error = QStringLiteral("cannot run redis-server (Debian package `redis-server`; "
                                 "scripts/chatter deps installs it)");
        return false;
    }
    const QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && running(m_pid)) {
        if (answersPing())
            return true;
        QThread::msleep(50);
    }
    QFile file(log);
    m_error = QStringLiteral("redis-server did not start: %1")
                  .arg(file.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(file.readAll())
                                                      : QString());
    stop();
    return false;
}

bool RedisInstance::answersPing() const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_port));
    if (!socket.waitForConnected(1000))
        return false;
    socket.write("PING\r\n");
    QByteArray answer;
    while (answer.size() < 7 && socket.waitForReadyRead(1000))
        answer += socket.readAll();
    return answer.startsWith("+PONG");
}

void RedisInstance::stop()
{
    if (m_pid == 0)
        return;
    ::kill(m_pid, SIGCONT); // a paused server could not act on SIGTERM
    childprocess::stop(m_pid, 10000);
    m_pid = 0;
}

void RedisInstance::kill()
{
    if (m_pid == 0)
        return;
    ::kill(m_pid, SIGKILL);
    waitExit(m_pid, 10000);
    m_pid = 0;
}

void RedisInstance::pause()
{
    if (m_pid)
        ::kill(m_pid, SIGSTOP);
}

void RedisInstance::resume()
{
    if (m_pid)
        ::kill(m_pid, SIGCONT);
}
