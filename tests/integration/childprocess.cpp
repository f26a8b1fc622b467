// SPDX-License-Identifier: MIT
#include "childprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QThread>

#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

namespace childprocess {

pid_t spawn(const QStringList &command, const QString &logFile)
{
    std::vector<QByteArray> storage;
    for (const QString &word : command)
        storage.push_back(QFile::encodeName(word));
    std::vector<char *> argv;
    for (QByteArray &word : storage)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const QByteArray log = QFile::encodeName(logFile);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.constData(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int failed = posix_spawnp(&pid, argv.front(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return failed ? 0 : pid;
}

int waitExit(pid_t pid, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (done < 0 || deadline.hasExpired())
            return -1;
        QThread::msleep(20);
    }
}

bool running(pid_t pid)
{
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == 0;
}

void stop(pid_t pid, int timeoutMs)
{
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    if (waitExit(pid, timeoutMs) == -1 && running(pid)) {
        ::kill(pid, SIGKILL);
        waitExit(pid, timeoutMs);
    }
}

} // namespace childprocess
