#!/bin/sh
# SPDX-License-Identifier: MIT
# with-private-journald.sh [--stale-stream] JOURNAL_DIR COMMAND [ARG...]
#
# Runs COMMAND the way systemd runs a service with StandardOutput=journal, without systemd as
# PID 1: in a private mount namespace (root only) a tmpfs hides the machine's /run, Debian's
# own systemd-journald runs there and keeps its journal in JOURNAL_DIR (read it with
# `journalctl --directory JOURNAL_DIR`), and systemd-cat connects COMMAND's stdout and stderr to
# a journal stream. JOURNAL_STREAM names that stream (device:inode), as systemd.exec(5) says;
# with --stale-stream it names another one, as in a child whose stderr was redirected.
# SIGTERM goes on to COMMAND; journald is stopped after it.
set -eu
stale=0
if [ "${1:-}" = --stale-stream ]; then
    stale=1
    shift
fi
[ "$#" -ge 2 ] || { echo "usage: $0 [--stale-stream] JOURNAL_DIR COMMAND [ARG...]" >&2; exit 2; }
exec unshare --mount --propagation private sh -eu -c '
stale=$1
journal_dir=$2
shift 2
mount -t tmpfs -o mode=0755 chatter-test-run /run
mkdir -p /run/systemd/journal /run/log/journal /run/systemd/journald.conf.d
mount --bind "$journal_dir" /run/log/journal
# Only the runtime journal (a machine with /var/log/journal would get it there), and nothing
# forwarded anywhere; last in name order, so no drop-in of the machine overrides it.
printf "[Journal]\nStorage=volatile\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToConsole=no\nForwardToWall=no\n" \
    > /run/systemd/journald.conf.d/zz-chatter-test.conf
/lib/systemd/systemd-journald &
journald=$!
tries=0
until [ -S /run/systemd/journal/socket ] && [ -S /run/systemd/journal/stdout ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ]; then
        echo "systemd-journald did not start" >&2
        kill "$journald"
        exit 1
    fi
    sleep 0.05
done
if [ "$stale" = 1 ]; then
    stream="export JOURNAL_STREAM=1:1"
else
    stream="export JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/self/fd/2)"
fi
systemd-cat --identifier=chatter-server sh -c "$stream; exec \"\$@\"" sh "$@" &
child=$!
trap "kill -TERM $child 2>/dev/null || true" TERM INT
status=0
wait "$child" || status=$?
# A trapped signal ends the first wait early: wait for the command itself.
if [ "$status" -gt 128 ]; then
    status=0
    wait "$child" || status=$?
fi
kill -TERM "$journald"
wait "$journald" || true
exit "$status"
' sh "$stale" "$@"
