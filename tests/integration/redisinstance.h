// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QTemporaryDir>

#include <memory>

#include <sys/types.h>

//! A real Redis for one test process: `redis-server --bind 127.0.0.1 --port <free port>
//! --save '' --appendonly no --dir <temporary directory>` (Debian's `redis-server`, installed
//! by scripts/chatter), started with childprocess (posix_spawn, not QProcess: the tests run
//! under ThreadSanitizer) through `setpriv --pdeathsig TERM`, so that a test that crashes still
//! takes its Redis down. Stopped by its PID when this object goes. Nothing is persisted: a
//! restart is an empty Redis on the same port, as after a crash without persistence.
class RedisInstance
{
public:
    RedisInstance() = default;
    ~RedisInstance();
    RedisInstance(const RedisInstance &) = delete;
    RedisInstance &operator=(const RedisInstance &) = delete;

    //! Starts the server and waits until it answers PING (at most 20 s). False with
    //! errorString() when something failed.
    bool start();
    //! SIGTERM to the server's PID, waiting for it to exit.
    void stop();
    //! SIGKILL: the server is gone at once, as in a crash.
    void kill();
    //! Starts it again on the same port (after stop() or kill()).
    bool restart();
    //! SIGSTOP and SIGCONT: the server keeps its connections but answers nothing meanwhile.
    void pause();
    void resume();

    QString url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_port); }
    int port() const { return m_port; }
    pid_t pid() const { return m_pid; }
    QString errorString() const { return m_error; }

private:
    bool launch();
    bool answersPing() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    pid_t m_pid = 0; //!< 0: not running
    int m_port = 0;
    QString m_error;
};
