// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringList>

#include <sys/types.h>

//! Child processes for integration tests (PostgreSQL, HAProxy), started without QProcess.
//! QProcess starts children with a clone() that shares the parent's memory, which
//! ThreadSanitizer intercepts and takes for the parent's own fork ("starting new threads after
//! multi-threaded fork"): the test dies at its next thread, or every later report is noise
//! (races on descriptors handed between threads). glibc's posix_spawn is not intercepted.
namespace childprocess {

//! Starts `command` (searched on PATH), its output appended to `logFile`; 0 on failure.
pid_t spawn(const QStringList &command, const QString &logFile);
//! Waits up to `timeoutMs` for the child `pid` to exit; its exit code, or -1 (still running,
//! or ended by a signal).
int waitExit(pid_t pid, int timeoutMs);
//! Whether the child `pid` is still running.
bool running(pid_t pid);
//! SIGTERM to `pid`, then SIGKILL if it has not exited within `timeoutMs`; reaped either way.
void stop(pid_t pid, int timeoutMs);

} // namespace childprocess
