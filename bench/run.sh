#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Chatter benchmark suite: runs every scenario against the Chatter server and
# the Node.js reference server, interleaved (chatter, reference, chatter, ...),
# server pinned to CPU 0 (or --server-cpus) and load generator to CPU 1, then prints a
# comparison table with PASS/FAIL per target. Traffic stays on loopback (127.0.0.0/8).
#
#   bench/run.sh                 full run (~11-16 min)
#   bench/run.sh --quick         10x fewer clients, 5 s phases (~2.5 min)
#   bench/run.sh --help          all options
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
# scaled, scenario_args, wait_quiet, raise_nofile, build_bench_tools (shared with cluster.sh)
# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"

SERVER_BIN="${CHATTER_SERVER:-$ROOT/build/server/chatter-server}"
LOADGEN_BUILD="${LOADGEN_BUILD:-$ROOT/build-bench}"
NODE="${NODE:-node}"
QUICK=0
REPS=""
ALL_SCENARIOS="idle,idle1,topics3,fanout,rooms,fanout200,fanout400,connect"
SCENARIOS="$ALL_SCENARIOS"
SERVERS="chatter,reference"
SCALE=""
DURATION=""
OUT="$BENCH_DIR/results/latest.txt"
SERVER_CPU=0
SERVER_CPUS=""  # a list (e.g. 0,1) pins the server to several CPUs; default: SERVER_CPU
WORKERS=""      # chatter-server --workers (default: its own, one per CPU of its affinity)
LOADGEN_CPU=1
PORT_BASE=47100
SKIP_BUILD=0
QUIET_WAIT=""   # seconds to wait, before each run, for other load to go away

usage() {
    cat <<EOF
usage: bench/run.sh [options]
  --quick              smoke run: clients / 10, 5 s phases, 1 repetition
  --reps N             repetitions of every scenario (default: 2, quick: 1)
  --scenarios LIST     comma list of: idle,idle1,topics3,fanout,rooms,fanout200,fanout400,
                       connect (default all; idle1: a room per client; topics3: personal
                       topic, room and DM per client, registered accounts made beforehand)
  --servers LIST       comma list of: chatter,reference,chatter-tls,reference-tls,
                       chatter-nosearch,reference-presence (default the first two; -tls: the
                       same server over wss://, a throw-away certificate; -nosearch: chatter
                       with --search off; reference-presence: the reference with presence on
                       room topics, to price presence beside the baseline)
  --scale F            multiply every client count by F (default 1, quick 0.1)
  --duration S         seconds of sending in the message scenarios (default 20, quick 5)
  --server-bin PATH    chatter-server binary (default build/server/chatter-server)
  --out FILE           raw results file (default bench/results/latest.txt)
  --server-cpu N       CPU for the server (default 0)
  --server-cpus LIST   CPUs for the server instead, e.g. 0,1 (taskset -c list; the
                       reference, one Node.js thread, is pinned the same)
  --workers N          chatter-server --workers N (default: one per CPU it may use)
  --loadgen-cpu N      CPU for the load generator (default 1)
  --port-base P        first TCP port to use (default 47100)
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
        --server-cpu) SERVER_CPU="$2"; shift ;;
        --server-cpus) SERVER_CPUS="$2"; shift ;;
        --workers) WORKERS="$2"; shift ;;
        --loadgen-cpu) LOADGEN_CPU="$2"; shift ;;
        --port-base) PORT_BASE="$2"; shift ;;
        --skip-build) SKIP_BUILD=1 ;;
        --quiet-wait) QUIET_WAIT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

: "${SERVER_CPUS:=$SERVER_CPU}"
[[ "$SERVER_CPUS" =~ ^[0-9]+([,-][0-9]+)*$ ]] || { echo "run.sh: --server-cpus: a list like 0,1 or 0-3" >&2; exit 2; }
[[ -z "$WORKERS" || "$WORKERS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --workers: a positive number" >&2; exit 2; }

if [[ $QUICK == 1 ]]; then
    : "${REPS:=1}" "${SCALE:=0.1}" "${DURATION:=5}" "${QUIET_WAIT:=2}"
    SETTLE_IDLE=3; DRAIN=5
else
    : "${REPS:=2}" "${SCALE:=1}" "${DURATION:=20}" "${QUIET_WAIT:=10}"
    SETTLE_IDLE=5; DRAIN=10
fi

raise_nofile
[[ $SKIP_BUILD == 1 ]] || build_bench_tools "$([[ ",$SERVERS," == *",reference"* ]] && echo 1 || echo 0)"
LOADGEN="$LOADGEN_BUILD/chatter-loadgen"
[[ -x "$LOADGEN" ]] || { echo "run.sh: $LOADGEN missing" >&2; exit 1; }
if [[ ",$SERVERS," == *",chatter"* && ! -x "$SERVER_BIN" ]]; then
    echo "run.sh: $SERVER_BIN not found: build the server first (cmake --build build)" >&2
    exit 1
fi

mkdir -p "$(dirname "$OUT")"
WORK="$(mktemp -d /tmp/chatter-bench.XXXXXX)"
SERVER_PID=""

stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "   server $SERVER_PID did not stop on SIGTERM in 5 s: SIGKILL" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The -tls servers share one certificate (EC P-256, from the tests' throw-away CA).
PKI="$WORK/pki"
if [[ ",$SERVERS," == *"-tls,"* ]]; then
    "$ROOT/tests/tls/make-test-ca.sh" "$PKI"
fi

is_chatter() { [[ $1 == chatter || $1 == chatter-tls || $1 == chatter-nosearch ]]; }

# start_server KIND PORT LOG [DATA_FROM [CHATTER FLAGS...]] -> sets SERVER_PID
# DATA_FROM: a prepared data directory that Chatter starts on a fresh copy of (cp -a);
# the flags are the scenario's own (the reference has none of them and gets neither).
start_server() {
    local kind="$1" port="$2" log="$3" from="${4:-}"
    shift $(( $# < 4 ? $# : 4 ))
    if is_chatter "$kind"; then
        local data="$WORK/data-$port" tls=() # extra flags for the kind
        if [[ -n "$from" ]]; then cp -a "$from" "$data"; else mkdir -p "$data"; fi
        [[ $kind == chatter-tls ]] && tls=(--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key")
        # The same server without its full-text index: what keeping the index costs.
        [[ $kind == chatter-nosearch ]] && tls=(--search off)
        [[ -n "$WORKERS" ]] && tls+=(--workers "$WORKERS")
        taskset -c "$SERVER_CPUS" "$SERVER_BIN" --headless --no-announce --bind 127.0.0.1 --port "$port" \
            --data-dir "$data" --log-level warning --max-connections-per-address 1000000 "${tls[@]}" "$@" >"$log" 2>&1 &
    elif [[ $kind == reference-tls ]]; then
        taskset -c "$SERVER_CPUS" "$NODE" "$BENCH_DIR/peers/reference-server.js" "$port" \
            "$PKI/server.pem" "$PKI/server.key" >"$log" 2>&1 &
    elif [[ $kind == reference-presence ]]; then
        REFERENCE_PRESENCE=1 taskset -c "$SERVER_CPUS" "$NODE" "$BENCH_DIR/peers/reference-server.js" "$port" >"$log" 2>&1 &
    else
        taskset -c "$SERVER_CPUS" "$NODE" "$BENCH_DIR/peers/reference-server.js" "$port" >"$log" 2>&1 &
    fi
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if grep -q "listening on 127.0.0.1:$port" "$log" 2>/dev/null; then
            sleep 1 # let the process settle before the RSS baseline
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: $kind server did not start on port $port:" >&2
    cat "$log" >&2
    stop_server
    return 1
}

# scenario_server_flags NAME -> extra chatter-server flags of the scenario
scenario_server_flags() {
    case "$1" in
        # Every client creates a room (one creation per socket: --room-creations-per-minute 30
        # is enough), more than the default --max-rooms 10,000 would hold with any other room.
        idle1) echo "--max-rooms $(( 2 * $(scaled 10000 10) ))" ;;
        *) echo "" ;;
    esac
}

# topics3's accounts: registered once per client count by a server of their own (fast
# Argon2id, no per-address cap, no fsync per registration), from 127.3.x.y with at most 25
# per address (the server allows 30 registrations per address). Every measured Chatter run
# then starts on a fresh copy of that data directory, so no registration is in its RSS
# baseline or its CPU. Sets ACCOUNTS_DIR (data/, tokens.txt).
declare -A ACCOUNTS_READY=()
prepare_accounts() {
    local n="$1" dir="$WORK/accounts-$1" needs_server=0 kind
    ACCOUNTS_DIR="$dir"
    [[ "${ACCOUNTS_READY[$n]:-}" == failed ]] && return 1 # tried once: not again per run
    [[ -n "${ACCOUNTS_READY[$n]:-}" ]] && return 0
    ACCOUNTS_READY[$n]=failed
    mkdir -p "$dir"
    for kind in "${SERVER_LIST[@]}"; do is_chatter "$kind" && needs_server=1; done
    if [[ $needs_server == 0 ]]; then
        # Only the reference, which ignores tokens: the same header bytes, made up.
        awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "u%d %043d\n", i, i }' >"$dir/tokens.txt"
        ACCOUNTS_READY[$n]=1
        return 0
    fi
    port=$(( port + 1 ))
    local log="$WORK/server-$port.log"
    echo "== preparing $n accounts for topics3 (port $port)" >&2
    start_server chatter "$port" "$log" "" --password-cost minimum --sync normal || return 1
    if ! timeout 600 taskset -c "$LOADGEN_CPU" "$LOADGEN" --port "$port" --register "$n" \
            --tokens-out "$dir/tokens.txt" --user-prefix u --label "register/$n" \
            >"$dir/register.txt" 2>"$dir/register.log"; then
        echo "run.sh: registering $n accounts failed:" >&2
        tail -5 "$dir/register.log" >&2
        stop_server
        return 1
    fi
    grep '^\[' "$dir/register.log" | tail -1 | sed 's/^/   /' >&2 || true
    stop_server
    mv "$WORK/data-$port" "$dir/data"
    ACCOUNTS_READY[$n]=1
}

IFS=, read -r -a SCEN_LIST <<<"$SCENARIOS"
IFS=, read -r -a SERVER_LIST <<<"$SERVERS"
for s in "${SCEN_LIST[@]}"; do scenario_args "$s" >/dev/null; done

{
    echo "# chatter bench raw results"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# host: $(uname -srm), $(nproc) cpus, nofile $NOFILE"
    echo "# git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
    echo "# chatter-server: ${SERVER_BIN#"$ROOT/"}"
    echo "# node: $("$NODE" --version 2>/dev/null || echo '?'), ws $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$BENCH_DIR/peers/node_modules/ws/package.json" 2>/dev/null | head -1)"
    echo "# mode: $([[ $QUICK == 1 ]] && echo quick || echo full), reps $REPS, scale $SCALE, duration ${DURATION}s, server cpu $SERVER_CPUS, loadgen cpu $LOADGEN_CPU, chatter workers ${WORKERS:-default}"
    echo
} >"$OUT"

port="$PORT_BASE"
run_no=0
total=$(( REPS * ${#SCEN_LIST[@]} * ${#SERVER_LIST[@]} ))
start_all=$(date +%s)
for rep in $(seq 1 "$REPS"); do
    for scen in "${SCEN_LIST[@]}"; do
        for kind in "${SERVER_LIST[@]}"; do
            run_no=$(( run_no + 1 ))
            from=""
            if [[ $scen == topics3 ]]; then
                # Once per client count, on a port of its own, before this run's port.
                if ! prepare_accounts "$(topics3_clients)"; then
                    printf 'scenario=%s\nserver=%s\nrep=%s\nerror=registering the accounts failed\n\n' "$scen" "$kind" "$rep" >>"$OUT"
                    continue
                fi
                [[ -d "$ACCOUNTS_DIR/data" ]] && from="$ACCOUNTS_DIR/data"
            fi
            port=$(( port + 1 ))
            args="$(scenario_args "$scen")"
            echo "== [$run_no/$total] $scen / $kind (rep $rep, port $port): $args" >&2
            log="$WORK/server-$port.log"
            wait_quiet
            # shellcheck disable=SC2046
            if ! start_server "$kind" "$port" "$log" "$from" $(scenario_server_flags "$scen"); then
                printf 'scenario=%s\nserver=%s\nrep=%s\nerror=server did not start\n\n' "$scen" "$kind" "$rep" >>"$OUT"
                continue
            fi
            res="$WORK/result-$port.txt"
            tls_arg=""
            [[ $kind == *-tls ]] && tls_arg="--tls"
            # shellcheck disable=SC2086
            if ! timeout 300 taskset -c "$LOADGEN_CPU" "$LOADGEN" --port "$port" --server-pid "$SERVER_PID" \
                    --label "$scen/$kind" --user-prefix "u" --room-prefix "b$rep" $tls_arg $args >"$res" 2>"$WORK/loadgen-$port.log"; then
                echo "   load generator failed:" >&2
                tail -5 "$WORK/loadgen-$port.log" >&2
            fi
            grep '^\[' "$WORK/loadgen-$port.log" | tail -2 | sed 's/^/   /' >&2 || true
            # Clients that never joined make every per-connection number wrong: say so here.
            failed="$(sed -n 's/^connect_failures=//p' "$res" 2>/dev/null || true)"
            dropped="$(sed -n 's/^dropped=//p' "$res" 2>/dev/null || true)"
            if (( ${failed:-0} + ${dropped:-0} > 0 )); then
                echo "   FAILED: ${failed:-0} clients did not join, ${dropped:-0} dropped; first failure: $(sed -n 's/^first_failure=//p' "$res")" >&2
            fi
            alive=1
            kill -0 "$SERVER_PID" 2>/dev/null || alive=0
            stop_server
            rm -rf "$WORK/data-$port"
            {
                echo "scenario=$scen"
                echo "server=$kind"
                echo "rep=$rep"
                echo "args=$args"
                echo "server_alive_at_end=$alive"
                cat "$res"
                # Anything the server printed at warning level or above.
                echo "server_log_lines=$(grep -cvE "listening on|TLS certificate SHA-256" "$log" || true)"
                grep -vE "listening on|TLS certificate SHA-256" "$log" | head -5 | sed 's/^/server_log: /' || true
                echo
            } >>"$OUT"
        done
    done
done
echo "== done in $(( $(date +%s) - start_all )) s; raw results: $OUT" >&2

"$NODE" "$BENCH_DIR/tools/report.js" "$OUT" | tee "${OUT%.txt}.table.md"
