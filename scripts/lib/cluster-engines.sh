# SPDX-License-Identifier: MIT
# PostgreSQL and Redis for a local Chatter cluster, shared by `scripts/chatter cluster` and
# `bench/cluster.sh` (sourced by both; nothing runs when it is sourced). Everything binds to
# 127.0.0.1 and runs as an unprivileged user; every process is stopped by its PID.
#
# The caller defines log MESSAGE and die MESSAGE, and sets:
#   cluster_dir           the directory holding pg/, run/, redis/ and log/ (cluster_prepare_dirs)
#   cluster_user          whom PostgreSQL and Redis run as, '' for oneself (cluster_pick_user)
#   cluster_pg_bin        PostgreSQL's bin directory (newest_pg_bin)
#   cluster_launch_prefix optional array put before pg_ctl and redis-server, e.g.
#                         (taskset -c 0) to pin them and their children to a CPU
# and reads back cluster_pg_started (1 once pg_ctl start ran) and cluster_redis_pid.
cluster_pg_started=0
cluster_redis_pid=""
cluster_launch_prefix=()

# The newest PostgreSQL's binaries (Debian's `postgresql`), as the tests pick them.
newest_pg_bin() {
    local best
    best="$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$best" ] || die "no PostgreSQL under /usr/lib/postgresql (scripts/chatter deps installs it)"
    dirname "$best"
}

# Sets cluster_user: when run as root (initdb refuses root), the system user chatter-cluster,
# created once; else nobody (oneself).
cluster_pick_user() {
    cluster_user=""
    [ "$(id -u)" -eq 0 ] || return 0
    cluster_user=chatter-cluster
    if ! getent passwd "$cluster_user" >/dev/null; then
        log "creating the system user $cluster_user, who owns the cluster's pg/ and redis/"
        useradd --system --no-create-home --shell /usr/sbin/nologin "$cluster_user"
    fi
}

# Runs a command as the cluster's unprivileged user (set when run as root: initdb refuses
# root), else as oneself.
as_cluster_user() {
    if [ -n "$cluster_user" ]; then
        setpriv --reuid="$cluster_user" --regid="$cluster_user" --clear-groups -- "$@"
    else
        "$@"
    fi
}

# cluster_prepare_dirs HINT: makes pg/, run/, redis/ and log/ in cluster_dir, owned by
# cluster_user; dies with HINT when that user cannot reach them.
cluster_prepare_dirs() {
    mkdir -p "$cluster_dir"/{pg,run,redis,log}
    touch "$cluster_dir/log/postgresql.log"
    if [ -n "$cluster_user" ]; then
        chown "$cluster_user:" "$cluster_dir"/{pg,run,redis} "$cluster_dir/log/postgresql.log"
        chmod 700 "$cluster_dir/pg"
        as_cluster_user test -w "$cluster_dir/pg" ||
            die "$cluster_user cannot reach $cluster_dir (a parent directory is closed to it): $1"
    fi
}

redis_ok() {
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

# wait_until WHAT PID SECONDS COMMAND...: runs COMMAND every 100 ms until it succeeds; dies
# when PID exits first or the time runs out.
wait_until() {
    local what="$1" pid="$2" tries=$(($3 * 10))
    shift 3
    until "$@"; do
        kill -0 "$pid" 2>/dev/null || die "$what exited while starting (logs in $cluster_dir/log)"
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || die "$what did not come up in time (logs in $cluster_dir/log)"
        sleep 0.1
    done
}

# stop_pid NAME PID: SIGTERM, up to 15 s for it to end, then SIGKILL; reaps it.
stop_pid() {
    local name="$1" pid="$2" tries=150
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    # (A child of this shell is reaped by it as soon as it exits: kill -0 then fails.)
    while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) did not stop within 15 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# pg_start PORT: initdb in cluster_dir/pg once (superuser chatter, trust, UTF-8), then pg_ctl
# start on 127.0.0.1:PORT with its socket in cluster_dir/run. The postmaster's PID is the
# first line of pg/postmaster.pid.
pg_start() {
    local port="$1"
    if [ ! -f "$cluster_dir/pg/PG_VERSION" ]; then
        log "initdb in $cluster_dir/pg"
        as_cluster_user "$cluster_pg_bin/initdb" -D "$cluster_dir/pg" -U chatter --auth=trust \
            -E UTF8 --locale=C.UTF-8 >"$cluster_dir/log/initdb.log" 2>&1 ||
            die "initdb failed (log: $cluster_dir/log/initdb.log)"
    fi
    log "starting PostgreSQL on 127.0.0.1:$port"
    cluster_pg_started=1
    local cmd=("$cluster_pg_bin/pg_ctl" -D "$cluster_dir/pg" -w -l "$cluster_dir/log/postgresql.log"
        -o "-k $cluster_dir/run -c listen_addresses=127.0.0.1 -p $port -c max_connections=50" start)
    [ -z "$cluster_user" ] ||
        cmd=(setpriv --reuid="$cluster_user" --regid="$cluster_user" --clear-groups -- "${cmd[@]}")
    "${cluster_launch_prefix[@]}" "${cmd[@]}" >/dev/null ||
        die "PostgreSQL did not start (log: $cluster_dir/log/postgresql.log)"
}

# pg_stop: pg_ctl stop -m fast, when pg_start ran.
pg_stop() {
    [ "$cluster_pg_started" -eq 1 ] || return 0
    log "stopping PostgreSQL (pid $(head -n 1 "$cluster_dir/pg/postmaster.pid" 2>/dev/null))"
    as_cluster_user "$cluster_pg_bin/pg_ctl" -D "$cluster_dir/pg" -w -m fast stop >/dev/null ||
        log "pg_ctl stop failed (log: $cluster_dir/log/postgresql.log)"
    cluster_pg_started=0
}

# redis_start PORT: redis-server on 127.0.0.1:PORT without persistence, in a session of its
# own (setsid: a Ctrl+C reaches the calling script only, which stops it in order) and with
# --pdeathsig TERM (it goes when the caller is killed outright); waited for with PING. Sets
# cluster_redis_pid (setsid and setpriv exec the next program: $! is redis-server's PID).
redis_start() {
    local port="$1"
    log "starting redis-server on 127.0.0.1:$port"
    # Not through as_cluster_user: a function in the background is a subshell, and $! must be
    # redis-server's own PID.
    local as_user=()
    [ -z "$cluster_user" ] ||
        as_user=(--reuid="$cluster_user" --regid="$cluster_user" --clear-groups)
    "${cluster_launch_prefix[@]}" setsid setpriv --pdeathsig TERM "${as_user[@]}" -- \
        redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --protected-mode yes --dir "$cluster_dir/redis" >"$cluster_dir/log/redis.log" 2>&1 &
    cluster_redis_pid=$!
    wait_until redis-server "$cluster_redis_pid" 20 redis_ok "$port"
}
