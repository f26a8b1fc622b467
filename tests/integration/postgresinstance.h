// SPDX-License-Identifier: MIT
#pragma once

#include "storelocation.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

#include <sys/types.h>

//! A real PostgreSQL server for one test process: initdb into a temporary directory, then
//! `postgres` on 127.0.0.1 and a free port (its socket in the same directory), fsync off (a
//! test needs no power-loss safety), stopped by its PID with a fast shutdown (SIGINT) when this
//! object goes. Loopback only, trust authentication for the user `chatter`.
//!
//! PostgreSQL refuses to run as root. Run as root (the test command in a container), the
//! server runs as the system user `chatter-test`, created once with `useradd --system` if
//! missing; otherwise as the user running the test. Either way through `setpriv` (which execs:
//! the PID is the server's own) with `--pdeathsig INT`, so that a test process that crashes
//! still takes its server down. The binaries come from the newest /usr/lib/postgresql/<n>/bin
//! (Debian's `postgresql` package, installed by scripts/chatter), or $CHATTER_PG_BIN.
class PostgresInstance
{
public:
    PostgresInstance() = default;
    ~PostgresInstance();
    PostgresInstance(const PostgresInstance &) = delete;
    PostgresInstance &operator=(const PostgresInstance &) = delete;

    //! Starts the server and waits until it accepts connections (at most 60 s). False with
    //! errorString() when something failed.
    bool start();
    //! A new empty database (CREATE DATABASE) and its location for the store.
    chatter::server::StoreLocation createDatabase(const QString &name);
    //! Fast shutdown (SIGINT to the postmaster's PID), waiting for it to exit.
    void stop();
    //! Stops and starts the server again on the same data directory and port (a database
    //! server restart under a running store).
    bool restart();

    QString errorString() const { return m_error; }
    int port() const { return m_port; }
    qint64 pid() const { return m_pid; }

private:
    //! Runs `postgres` on m_port and waits until it accepts connections.
    bool launch();
    bool run(const QString &program, const QStringList &arguments);
    //! The program and arguments that run `program` as the unprivileged user.
    QStringList asServerUser(const QString &program, const QStringList &arguments) const;
    bool ensureUser();

    std::unique_ptr<QTemporaryDir> m_dir;
    pid_t m_pid = 0; //!< the postmaster; 0: not running
    QString m_bin;
    QString m_runAs; //!< empty: the current user
    QString m_error;
    int m_port = 0;
    QString m_admin; //!< connection name for CREATE DATABASE
};
