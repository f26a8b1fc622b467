#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Cluster rows of Chatter's benchmark: Chatter on two nodes (one PostgreSQL, one Redis) beside
# the Node reference server on two nodes over Redis pub/sub (plain and sharded channels), and
# the single-node rows for comparison (Chatter on PostgreSQL, Chatter on SQLite, the
# reference), on the same generator, interleaved. CPU per delivery is summed over the nodes,
# redis-server and (for Chatter on PostgreSQL) every PostgreSQL process. Servers, Redis and
# PostgreSQL are pinned to CPU 0, the generator to CPU 1. Traffic stays on 127.0.0.0/8.
#
#   bench/cluster.sh --quick     smoke run: clients / 10, 5 s of sending, 1 repetition (~2 min)
#   bench/cluster.sh             full run: 2 repetitions (~15 min)
#   bench/cluster.sh --help      all options
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# scaled, scenario_args, wait_quiet, raise_nofile, build_bench_tools (shared with run.sh)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
# pg_start, redis_start, stop_pid, ... (shared with scripts/chatter cluster)
# shellcheck source=../scripts/lib/cluster-engines.sh
. "$ROOT/scripts/lib/cluster-engines.sh"
log() { echo "   $*" >&2; }
die() { echo "cluster.sh: $*" >&2; exit 1; }

SERVER_BIN="${CHATTER_SERVER:-$ROOT/build/server/chatter-server}"
LOADGEN_BUILD="${LOADGEN_BUILD:-$ROOT/build-bench}"
NODE="${NODE:-node}"
QUICK=0
REPS=""
SCENARIOS="fanout,rooms"
# Interleaved in this order within every scenario of every repetition.
ALL_SERVERS="chatter-cluster,reference-cluster,chatter-pg,reference,chatter,reference-cluster-sharded"
SERVERS="$ALL_SERVERS"
SCALE=""
DURATION=""
OUT="$BENCH_DIR/results/cluster-latest.txt"
SERVER_CPUS=0
LOADGEN_CPU=1
PORT_BASE=47300
SKIP_BUILD=0
QUIET_WAIT=""

usage() {
    cat <<EOF
usage: bench/cluster.sh [options]
  --quick              smoke run: clients / 10, 5 s of sending, 1 repetition
  --reps N             repetitions (default: 2, quick: 1)
  --scenarios LIST     comma list of: fanout,rooms,fanout200,fanout400 (default fanout,rooms);
                       the fan-outs with two senders (one per node) at half the rate each
  --servers LIST       comma list of (default all, in this order):
                         chatter-cluster            2 Chatter nodes, PostgreSQL + Redis
                         reference-cluster          2 reference nodes, Redis pub/sub
                         chatter-pg                 1 Chatter node on PostgreSQL
                         reference                  1 reference node
                         chatter                    1 Chatter node on SQLite
                         reference-cluster-sharded  2 reference nodes, Redis sharded pub/sub
  --scale F            multiply every client count by F (default 1, quick 0.1)
  --duration S         seconds of sending (default 20, quick 5)
  --server-bin PATH    chatter-server binary (default build/server/chatter-server)
  --out FILE           raw results file (default bench/results/cluster-latest.txt)
  --server-cpus LIST   CPUs for the nodes, Redis and PostgreSQL (default 0)
  --loadgen-cpu N      CPU for the load generator (default 1)
  --port-base P        Redis on P, PostgreSQL on P+1, the nodes from P+10 (default 47300)
  --skip-build         do not (re)build the load generator / npm ci
  --quiet-wait S       before each run, wait up to S s (default 10, quick 2, 0: off) until
                       other processes use < $QUIET_MAX% of a CPU; then measure anyway
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --reps) REPS="$2"; shift ;;
        --scenarios) SCENARIOS="$2"; shift ;;
        --servers) SERVERS="$2"; shift ;;
        --scale) SCALE="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --server-bin) SERVER_BIN="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --server-cpus) SERVER_CPUS="$2"; shift ;;
        --loadgen-cpu) LOADGEN_CPU="$2"; shift ;;
        --port-base) PORT_BASE="$2"; shift ;;
        --skip-build) SKIP_BUILD=1 ;;
        --quiet-wait) QUIET_WAIT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "cluster.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

[[ "$SERVER_CPUS" =~ ^[0-9]+([,-][0-9]+)*$ ]] || die "--server-cpus: a list like 0 or 0,1"
[[ "$PORT_BASE" =~ ^[0-9]+$ ]] && (( PORT_BASE >= 1024 && PORT_BASE <= 60000 )) || die "--port-base: 1024..60000"
if [[ $QUICK == 1 ]]; then
    : "${REPS:=1}" "${SCALE:=0.1}" "${DURATION:=5}" "${QUIET_WAIT:=2}"
    SETTLE_IDLE=3; DRAIN=5
else
    : "${REPS:=2}" "${SCALE:=1}" "${DURATION:=20}" "${QUIET_WAIT:=10}"
    SETTLE_IDLE=5; DRAIN=10
fi
[[ "$REPS" =~ ^[1-9][0-9]?$ ]] || die "--reps: 1..99"
REDIS_PORT="$PORT_BASE"
PG_PORT=$(( PORT_BASE + 1 ))

IFS=, read -r -a SCEN_LIST <<<"$SCENARIOS"
IFS=, read -r -a SERVER_LIST <<<"$SERVERS"
for s in "${SCEN_LIST[@]}"; do
    [[ ,fanout,rooms,fanout200,fanout400, == *",$s,"* ]] || die "unknown scenario $s (fanout, rooms, fanout200, fanout400)"
done
for k in "${SERVER_LIST[@]}"; do
    [[ ",$ALL_SERVERS," == *",$k,"* ]] || die "unknown server $k (${ALL_SERVERS//,/, })"
done

# What each kind is: server program, nodes, store, and whether it uses Redis / PostgreSQL.
kind_server() { [[ $1 == chatter* ]] && echo chatter || echo reference; }
kind_nodes() { [[ $1 == *-cluster* ]] && echo 2 || echo 1; }
kind_store() {
    case "$1" in
        chatter-cluster) echo "postgresql+redis" ;;
        chatter-pg) echo postgresql ;;
        chatter) echo sqlite ;;
        reference-cluster) echo redis ;;
        reference-cluster-sharded) echo "redis sharded" ;;
        reference) echo none ;;
    esac
}
uses_redis() { [[ $1 == *-cluster* ]]; }
uses_pg() { [[ $1 == chatter-cluster || $1 == chatter-pg ]]; }
NEED_REDIS=0 NEED_PG=0 NEED_CHATTER=0 NEED_REFERENCE=0
for k in "${SERVER_LIST[@]}"; do
    uses_redis "$k" && NEED_REDIS=1
    uses_pg "$k" && NEED_PG=1
    if [[ $(kind_server "$k") == chatter ]]; then NEED_CHATTER=1; else NEED_REFERENCE=1; fi
done

# The generator's arguments: run.sh's scenario, except that a fan-out has two senders (members
# 0 and 1 of the room, one on each node) at half the rate, so both nodes publish and the
# deliveries offered stay the same. The single-node rows use the same arguments.
cluster_args() {
    local args
    args="$(scenario_args "$1")"
    if [[ $1 == fanout* ]]; then
        local rate
        rate="$(sed -n 's/.*--rate \([0-9.]*\).*/\1/p' <<<"$args")"
        args="$(sed "s/--senders-per-room 1 --rate $rate/--senders-per-room 2 --rate $(awk -v r="$rate" 'BEGIN { print r / 2 }')/" <<<"$args")"
    fi
    echo "$args"
}
for s in "${SCEN_LIST[@]}"; do cluster_args "$s" >/dev/null; done

raise_nofile
[[ $SKIP_BUILD == 1 ]] || build_bench_tools "$NEED_REFERENCE"
LOADGEN="$LOADGEN_BUILD/chatter-loadgen"
[[ -x "$LOADGEN" ]] || die "$LOADGEN missing"
[[ $NEED_CHATTER == 0 || -x "$SERVER_BIN" ]] || die "$SERVER_BIN not found: build the server first (cmake --build build)"
[[ $NEED_REFERENCE == 0 || -d "$BENCH_DIR/peers/node_modules/redis" ]] || die "bench/peers/node_modules/redis missing: npm ci in bench/peers"

mkdir -p "$(dirname "$OUT")"
WORK="$(mktemp -d /tmp/chatter-cluster-bench.XXXXXX)"
chmod 711 "$WORK" # PostgreSQL's and Redis's user goes through it to engines/
cluster_dir="$WORK/engines"
mkdir -p "$cluster_dir"
NODE_PIDS=()
NODE_PORTS=()

stop_nodes() {
    local i
    for i in "${!NODE_PIDS[@]}"; do
        stop_pid "node ${NODE_PORTS[$i]}" "${NODE_PIDS[$i]}"
    done
    NODE_PIDS=()
    NODE_PORTS=()
}
# Nodes first, then Redis, PostgreSQL last; each by its PID (PostgreSQL through pg_ctl).
cleanup() {
    trap - EXIT
    set +e
    stop_nodes
    stop_pid redis-server "$cluster_redis_pid"
    pg_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Redis and PostgreSQL run on the servers' CPUs (their children inherit the affinity), as
# the unprivileged user of scripts/chatter cluster.
cluster_launch_prefix=(taskset -c "$SERVER_CPUS")
if [[ $NEED_REDIS == 1 || $NEED_PG == 1 ]]; then
    cluster_pick_user
    cluster_prepare_dirs "run it from a directory under /tmp"
fi
if [[ $NEED_PG == 1 ]]; then
    cluster_pg_bin="$(newest_pg_bin)"
    pg_start "$PG_PORT"
fi
[[ $NEED_REDIS == 0 ]] || redis_start "$REDIS_PORT"
psql_admin() { "$cluster_pg_bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U chatter -d postgres -qtAc "$1"; }
postmaster_pid() { head -n 1 "$cluster_dir/pg/postmaster.pid"; }

# start_nodes KIND FIRST_PORT DATABASE: the kind's nodes on FIRST_PORT, FIRST_PORT+1, one
# after the other (the first Chatter node makes the schema); sets NODE_PIDS and NODE_PORTS.
start_nodes() {
    local kind="$1" base="$2" db="$3" i port logf flags
    for (( i = 0; i < $(kind_nodes "$kind"); i++ )); do
        port=$(( base + i ))
        logf="$WORK/node-$port.log"
        if [[ $(kind_server "$kind") == chatter ]]; then
            flags=(--headless --no-announce --bind 127.0.0.1 --port "$port" --data-dir "$WORK/data-$port"
                --log-level warning --max-connections-per-address 1000000)
            mkdir -p "$WORK/data-$port"
            uses_pg "$kind" && flags+=(--database "postgresql://chatter@127.0.0.1:$PG_PORT/$db")
            uses_redis "$kind" && flags+=(--redis "redis://127.0.0.1:$REDIS_PORT/0")
            taskset -c "$SERVER_CPUS" "$SERVER_BIN" "${flags[@]}" >"$logf" 2>&1 &
        else
            flags=("$port")
            uses_redis "$kind" && flags+=(--redis "redis://127.0.0.1:$REDIS_PORT")
            [[ $kind == *-sharded ]] && flags+=(--sharded)
            taskset -c "$SERVER_CPUS" "$NODE" "$BENCH_DIR/peers/reference-server.js" "${flags[@]}" >"$logf" 2>&1 &
        fi
        NODE_PIDS+=("$!")
        NODE_PORTS+=("$port")
        local tries=300 # 30 s: a Chatter node's first start makes the schema
        until grep -q "listening on 127.0.0.1:$port" "$logf" 2>/dev/null; do
            if ! kill -0 "${NODE_PIDS[-1]}" 2>/dev/null || (( --tries == 0 )); then
                echo "cluster.sh: $kind node on port $port did not start:" >&2
                cat "$logf" >&2
                return 1
            fi
            sleep 0.1
        done
    done
    sleep 1 # let the processes settle, as run.sh does
}

{
    echo "# chatter cluster bench raw results"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# host: $(uname -srm), $(nproc) cpus, nofile $NOFILE"
    echo "# git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
    echo "# chatter-server: ${SERVER_BIN#"$ROOT/"}"
    echo "# node: $("$NODE" --version 2>/dev/null || echo '?'), ws $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$BENCH_DIR/peers/node_modules/ws/package.json" 2>/dev/null | head -1), redis (npm) $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$BENCH_DIR/peers/node_modules/redis/package.json" 2>/dev/null | head -1)"
    echo "# redis-server: $(redis-server --version 2>/dev/null | sed -n 's/.* v=\([^ ]*\).*/\1/p'), PostgreSQL: $([[ $NEED_PG == 1 ]] && "$cluster_pg_bin/postgres" --version | sed -n 's/^postgres (PostgreSQL) \([^ ]*\).*/\1/p' || echo 'not used')"
    echo "# mode: $([[ $QUICK == 1 ]] && echo quick || echo full), reps $REPS, scale $SCALE, duration ${DURATION}s, servers+redis+postgres cpu $SERVER_CPUS, loadgen cpu $LOADGEN_CPU"
    echo
} >"$OUT"

FAILURES=()
port=$(( PORT_BASE + 10 ))
run_no=0
total=$(( REPS * ${#SCEN_LIST[@]} * ${#SERVER_LIST[@]} ))
start_all=$(date +%s)
for rep in $(seq 1 "$REPS"); do
    for scen in "${SCEN_LIST[@]}"; do
        for kind in "${SERVER_LIST[@]}"; do
            run_no=$(( run_no + 1 ))
            port=$(( port + 2 ))
            args="$(cluster_args "$scen")"
            tag="$scen/$kind rep $rep"
            echo "== [$run_no/$total] $scen / $kind (rep $rep, $(kind_nodes "$kind") node(s), $(kind_store "$kind"), port $port): $args" >&2
            # A fresh database per row, so no row grows into the next; a Redis without the
            # previous cluster's id and keys.
            db="bench_${run_no}"
            if uses_pg "$kind"; then psql_admin "CREATE DATABASE $db"; fi
            if uses_redis "$kind"; then redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null; fi
            wait_quiet
            if ! start_nodes "$kind" "$port" "$db"; then
                stop_nodes
                printf 'scenario=%s\nserver=%s\nrep=%s\nerror=a node did not start\n\n' "$scen" "$kind" "$rep" >>"$OUT"
                FAILURES+=("$tag: a node did not start")
                continue
            fi
            groups=()
            for i in "${!NODE_PIDS[@]}"; do groups+=(--cpu-group "node$(( i + 1 ))=${NODE_PIDS[$i]}"); done
            uses_redis "$kind" && groups+=(--cpu-group "redis=$cluster_redis_pid")
            uses_pg "$kind" && groups+=(--cpu-tree "postgres=$(postmaster_pid)")
            res="$WORK/result-$port.txt"
            # shellcheck disable=SC2086
            if ! timeout 300 taskset -c "$LOADGEN_CPU" "$LOADGEN" --port "$(IFS=,; echo "${NODE_PORTS[*]}")" \
                    --server-pid "${NODE_PIDS[0]}" "${groups[@]}" --label "$scen/$kind" \
                    --user-prefix u --room-prefix "b$rep" $args >"$res" 2>"$WORK/loadgen-$port.log"; then
                echo "   load generator failed:" >&2
                tail -5 "$WORK/loadgen-$port.log" >&2
            fi
            grep '^\[' "$WORK/loadgen-$port.log" | tail -2 | sed 's/^/   /' >&2 || true
            alive=1
            for pid in "${NODE_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || alive=0; done
            stop_nodes
            if uses_pg "$kind"; then psql_admin "DROP DATABASE $db WITH (FORCE)" || true; fi
            rm -rf "$WORK"/data-*

            # Missing deliveries fail the run loudly: a lost message, a node that did not
            # deliver what another node's clients sent, clients that never joined.
            # num KEY: the generator's integer KEY, -1 when it is missing.
            num() {
                local v
                v="$(sed -n "s/^$1=//p" "$res" 2>/dev/null | head -1)"
                [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo -1
            }
            why=()
            if (( $(num delivered) < 0 )); then
                why+=("no results from the generator")
            else
                (( $(num connect_failures) == 0 && $(num dropped) == 0 )) ||
                    why+=("$(num connect_failures) clients did not join, $(num dropped) dropped")
                (( $(num lost) == 0 && $(num skipped_sends) == 0 )) ||
                    why+=("lost $(num lost) deliveries ($(num lost_messages) messages), skipped $(num skipped_sends) sends")
                (( $(num delivered) >= $(num expected) && $(num expected) > 0 )) ||
                    why+=("delivered $(num delivered) of $(num expected)")
                if (( $(kind_nodes "$kind") > 1 )); then
                    (( $(num expected_cross_node) > 0 && $(num delivered_cross_node) >= $(num expected_cross_node) )) ||
                        why+=("cross-node deliveries $(num delivered_cross_node) of $(num expected_cross_node)")
                fi
            fi
            [[ $alive == 1 ]] || why+=("a node exited during the run")
            if (( ${#why[@]} > 0 )); then
                msg="$(printf '%s; ' "${why[@]}")"
                echo "   FAILED: ${msg%; }" >&2
                FAILURES+=("$tag: ${msg%; }")
            fi
            {
                echo "scenario=$scen"
                echo "server=$kind"
                echo "nodes=$(kind_nodes "$kind")"
                echo "store=$(kind_store "$kind")"
                echo "rep=$rep"
                echo "args=$args"
                echo "server_alive_at_end=$alive"
                cat "$res" 2>/dev/null || true
                # Anything a node printed at warning level or above.
                lines=0
                for f in "$WORK"/node-"$port".log "$WORK"/node-$(( port + 1 )).log; do
                    [[ -f "$f" ]] || continue
                    lines=$(( lines + $(grep -cvE "listening on|TLS certificate SHA-256" "$f" || true) ))
                done
                echo "server_log_lines=$lines"
                cat "$WORK"/node-"$port".log "$WORK"/node-$(( port + 1 )).log 2>/dev/null |
                    grep -vE "listening on|TLS certificate SHA-256" | head -5 | sed 's/^/server_log: /' || true
                echo
            } >>"$OUT"
        done
    done
done
echo "== done in $(( $(date +%s) - start_all )) s; raw results: $OUT" >&2

"$NODE" "$BENCH_DIR/tools/cluster-report.js" "$OUT" | tee "${OUT%.txt}.table.md"
if (( ${#FAILURES[@]} > 0 )); then
    echo >&2
    echo "cluster.sh: ${#FAILURES[@]} run(s) FAILED (deliveries missing or a node down):" >&2
    printf '  %s\n' "${FAILURES[@]}" >&2
    exit 1
fi
