#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Chatter benchmark suite: runs every scenario against the Chatter server and
# the Node.js reference server, interleaved (chatter, reference, chatter, ...),
# server pinned to CPU 0 and load generator to CPU 1, then prints a comparison
# table with PASS/FAIL per target. Traffic stays on loopback (127.0.0.0/8).
#
#   bench/run.sh                 full run (~10-15 min)
#   bench/run.sh --quick         10x fewer clients, 5 s phases (< 2 min)
#   bench/run.sh --help          all options
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"

SERVER_BIN="${CHATTER_SERVER:-$ROOT/build/server/chatter-server}"
LOADGEN_BUILD="${LOADGEN_BUILD:-$ROOT/build-bench}"
NODE="${NODE:-node}"
QUICK=0
REPS=""
SCENARIOS="idle,fanout,rooms,fanout200,fanout400,connect"
SERVERS="chatter,reference"
SCALE=""
DURATION=""
OUT="$BENCH_DIR/results/latest.txt"
SERVER_CPU=0
LOADGEN_CPU=1
PORT_BASE=47100
SKIP_BUILD=0
QUIET_WAIT=""   # seconds to wait, before each run, for other load to go away
QUIET_MAX=25    # "quiet": other processes use at most this % of one CPU

usage() {
    cat <<EOF
usage: bench/run.sh [options]
  --quick              smoke run: clients / 10, 5 s phases, 1 repetition
  --reps N             repetitions of every scenario (default: 2, quick: 1)
  --scenarios LIST     comma list of: idle,fanout,rooms,fanout200,fanout400,connect
  --servers LIST       comma list of: chatter,reference,chatter-tls,reference-tls,
                       chatter-nosearch (default the first two; -tls: the same server over
                       wss://, a throw-away certificate; -nosearch: chatter with --search off)
  --scale F            multiply every client count by F (default 1, quick 0.1)
  --duration S         seconds of sending in the message scenarios (default 20, quick 5)
  --server-bin PATH    chatter-server binary (default build/server/chatter-server)
  --out FILE           raw results file (default bench/results/latest.txt)
  --server-cpu N       CPU for the server (default 0)
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
        --loadgen-cpu) LOADGEN_CPU="$2"; shift ;;
        --port-base) PORT_BASE="$2"; shift ;;
        --skip-build) SKIP_BUILD=1 ;;
        --quiet-wait) QUIET_WAIT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

if [[ $QUICK == 1 ]]; then
    : "${REPS:=1}" "${SCALE:=0.1}" "${DURATION:=5}" "${QUIET_WAIT:=2}"
    SETTLE_IDLE=3; DRAIN=5
else
    : "${REPS:=2}" "${SCALE:=1}" "${DURATION:=20}" "${QUIET_WAIT:=10}"
    SETTLE_IDLE=5; DRAIN=10
fi

# Scale a client count, keeping at least `min`.
scaled() { awk -v n="$1" -v s="$SCALE" -v m="${2:-1}" 'BEGIN { v = int(n * s + 0.5); if (v < m) v = m; print v }'; }

# --- limits: 10k clients here + 10k sockets in the server -------------------
HARD_NOFILE="$(ulimit -Hn)"
if [[ "$HARD_NOFILE" != unlimited ]]; then
    ulimit -n "$HARD_NOFILE" 2>/dev/null || true
else
    ulimit -n 65536 2>/dev/null || true
fi
NOFILE="$(ulimit -n)"

# --- build ---------------------------------------------------------------------
if [[ $SKIP_BUILD == 0 ]]; then
    echo "== building load generator (build-bench/, -j1)" >&2
    cmake -S "$BENCH_DIR" -B "$LOADGEN_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$LOADGEN_BUILD" -j1 >/dev/null
    if [[ ",$SERVERS," == *",reference"* && ! -d "$BENCH_DIR/peers/node_modules/ws" ]]; then
        echo "== npm ci (bench/peers)" >&2
        (cd "$BENCH_DIR/peers" && npm ci --no-audit --no-fund >/dev/null)
    fi
fi
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

# start_server KIND PORT LOG -> sets SERVER_PID
start_server() {
    local kind="$1" port="$2" log="$3"
    if [[ $kind == chatter || $kind == chatter-tls || $kind == chatter-nosearch ]]; then
        local data="$WORK/data-$port" tls=() # extra flags for the kind
        mkdir -p "$data"
        [[ $kind == chatter-tls ]] && tls=(--tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key")
        # The same server without its full-text index: what keeping the index costs.
        [[ $kind == chatter-nosearch ]] && tls=(--search off)
        taskset -c "$SERVER_CPU" "$SERVER_BIN" --headless --bind 127.0.0.1 --port "$port" \
            --data-dir "$data" --log-level warning --max-connections-per-address 1000000 "${tls[@]}" >"$log" 2>&1 &
    elif [[ $kind == reference-tls ]]; then
        taskset -c "$SERVER_CPU" "$NODE" "$BENCH_DIR/peers/reference-server.js" "$port" \
            "$PKI/server.pem" "$PKI/server.key" >"$log" 2>&1 &
    else
        taskset -c "$SERVER_CPU" "$NODE" "$BENCH_DIR/peers/reference-server.js" "$port" >"$log" 2>&1 &
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

# Busy ticks of the whole machine (all CPUs) from /proc/stat.
machine_busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

# Wait (bounded) until nothing else keeps the machine busy: this is a shared
# 2-core box and a compile next door skews both CPU and latency numbers.
wait_quiet() {
    [[ "$QUIET_WAIT" -gt 0 ]] || return 0
    local waited=0 a b pct
    while :; do
        a="$(machine_busy)"
        sleep 1
        b="$(machine_busy)"
        pct=$(( (b - a) * 100 / CLK_TCK ))
        (( pct <= QUIET_MAX )) && { (( waited == 0 )) || echo "   machine quiet after ${waited}s" >&2; return 0; }
        if (( waited >= QUIET_WAIT )); then
            echo "   machine still busy (other processes: ${pct}% of a CPU) after ${waited}s: measuring anyway" >&2
            return 0
        fi
        waited=$(( waited + 1 ))
    done
}

# scenario_args NAME -> loadgen arguments
scenario_args() {
    local n
    case "$1" in
        idle)
            n="$(scaled 10000 10)"
            echo "--clients $n --rooms $(( n / 10 )) --connect-rate 2000 --settle $SETTLE_IDLE" ;;
        fanout)
            echo "--clients $(scaled 1000 10) --rooms 1 --senders-per-room 1 --rate 50 --duration $DURATION --settle 1 --drain $DRAIN" ;;
        rooms)
            n="$(scaled 500 1)"
            echo "--clients $(( n * 10 )) --rooms $n --senders-per-room 10 --rate 1 --duration $DURATION --settle 1 --drain $DRAIN" ;;
        fanout200)
            echo "--clients $(scaled 1000 10) --rooms 1 --senders-per-room 1 --rate 200 --duration $DURATION --settle 1 --drain $DRAIN" ;;
        fanout400)
            # 200 msg/s no longer saturates Chatter; offering twice that shows both ceilings.
            echo "--clients $(scaled 1000 10) --rooms 1 --senders-per-room 1 --rate 400 --duration $DURATION --settle 1 --drain $DRAIN" ;;
        connect)
            n="$(scaled 10000 10)"
            echo "--clients $n --rooms $(( n / 10 )) --connect-rate $(scaled 2000 10) --connect-timeout 10 --settle 2" ;;
        *) echo "run.sh: unknown scenario $1" >&2; return 1 ;;
    esac
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
    echo "# mode: $([[ $QUICK == 1 ]] && echo quick || echo full), reps $REPS, scale $SCALE, duration ${DURATION}s, server cpu $SERVER_CPU, loadgen cpu $LOADGEN_CPU"
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
            port=$(( port + 1 ))
            args="$(scenario_args "$scen")"
            echo "== [$run_no/$total] $scen / $kind (rep $rep, port $port): $args" >&2
            log="$WORK/server-$port.log"
            wait_quiet
            if ! start_server "$kind" "$port" "$log"; then
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
            alive=1
            kill -0 "$SERVER_PID" 2>/dev/null || alive=0
            stop_server
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
