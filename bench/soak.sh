#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Chatter soak: one chatter-server (fresh data directory) and chatter-loadgen in churn mode.
# 19,000 sockets connect and join; for 10 minutes one sender per room chats while a share of
# the other clients leaves (phx_leave + close handshake, every third time an abrupt close) and
# rejoins, spread over time. The generator samples the server's RSS and descriptors every
# 10 s; stable clients must receive every message of their room. Loopback only (127.0.0.0/8).
#
#   bench/soak.sh              the full soak (19,000 sockets, 600 s; ~11 min)
#   bench/soak.sh --rehearsal  2,000 sockets, 60 s
#   bench/soak.sh --smoke      50 sockets, 10 s, and checks the result (exit 1 on failure)
#   bench/soak.sh --help       all options
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"

SERVER_BIN="${CHATTER_SERVER:-$ROOT/build/server/chatter-server}"
LOADGEN_BUILD="${LOADGEN_BUILD:-$ROOT/build-bench}"
LOADGEN=""
MODE=full
CLIENTS="" DURATION="" ROOMS="" RATE="" CHURN_FRACTION="" CHURN_PERIOD="" CHURN_DOWN=""
SAMPLE_EVERY="" CONNECT_RATE=2000 SRC_ADDRS=50 PORT="" SKIP_BUILD=0 PIN=1
SERVER_CPU=0 LOADGEN_CPU=1
OUT=""

usage() {
    cat <<EOF
usage: bench/soak.sh [options]
  --rehearsal          2,000 clients for 60 s (results: bench/results/soak-rehearsal.*)
  --smoke              50 clients for 10 s; fails unless nothing was lost, churn happened,
                       nothing went wrong and the server gave its descriptors back
  --clients N          sockets (default 19000)
  --duration S         seconds of chat and churn (default 600)
  --rooms R            rooms, one sender each (default clients/10: 10 members a room)
  --rate X             messages per second per sender (default 0.1)
  --churn-fraction F   share of the non-sending clients that leave and rejoin (default 0.5:
                       4 of the 9 non-senders of a 10-member room)
  --churn-period S     mean seconds a churning client stays joined (default 60)
  --churn-down S       seconds it stays away before reconnecting (default 2)
  --sample-every S     seconds between RSS / descriptor samples (default 10)
  --connect-rate X     connections per second while connecting (default 2000)
  --src-addrs K        source addresses 127.0.0.2..(K+1) (default 50)
  --port P             server port (default: a free one from 47300 up)
  --server-bin PATH    chatter-server (default build/server/chatter-server)
  --loadgen PATH       chatter-loadgen (default: built into build-bench/)
  --skip-build         do not build the load generator
  --no-pin             do not pin the server to CPU 0 and the generator to CPU 1
  --out FILE           raw results (default bench/results/soak-<mode>.txt; table next to it .md)
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --rehearsal) MODE=rehearsal ;;
        --smoke) MODE=smoke ;;
        --clients) CLIENTS="$2"; shift ;;
        --duration) DURATION="$2"; shift ;;
        --rooms) ROOMS="$2"; shift ;;
        --rate) RATE="$2"; shift ;;
        --churn-fraction) CHURN_FRACTION="$2"; shift ;;
        --churn-period) CHURN_PERIOD="$2"; shift ;;
        --churn-down) CHURN_DOWN="$2"; shift ;;
        --sample-every) SAMPLE_EVERY="$2"; shift ;;
        --connect-rate) CONNECT_RATE="$2"; shift ;;
        --src-addrs) SRC_ADDRS="$2"; shift ;;
        --port) PORT="$2"; shift ;;
        --server-bin) SERVER_BIN="$2"; shift ;;
        --loadgen) LOADGEN="$2"; shift ;;
        --skip-build) SKIP_BUILD=1 ;;
        --no-pin) PIN=0 ;;
        --out) OUT="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "soak.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

case "$MODE" in
    full)      : "${CLIENTS:=19000}" "${DURATION:=600}" "${RATE:=0.1}" "${CHURN_PERIOD:=60}" "${CHURN_DOWN:=2}" "${SAMPLE_EVERY:=10}" ;;
    rehearsal) : "${CLIENTS:=2000}" "${DURATION:=60}" "${RATE:=0.1}" "${CHURN_PERIOD:=20}" "${CHURN_DOWN:=2}" "${SAMPLE_EVERY:=5}" ;;
    # Short: more messages per sender and quicker churn, so that 10 s mean something.
    smoke)     : "${CLIENTS:=50}" "${DURATION:=10}" "${RATE:=2}" "${CHURN_PERIOD:=3}" "${CHURN_DOWN:=0.5}" "${SAMPLE_EVERY:=2}" ;;
esac
: "${ROOMS:=$(( CLIENTS / 10 > 0 ? CLIENTS / 10 : 1 ))}" "${CHURN_FRACTION:=0.5}"
: "${OUT:=$BENCH_DIR/results/soak-$MODE.txt}"
MD="${OUT%.txt}.md"

# --- descriptors: the generator holds one per client; the server as many plus its own ------
HARD_NOFILE="$(ulimit -Hn)"
if [[ "$HARD_NOFILE" != unlimited ]]; then ulimit -n "$HARD_NOFILE" 2>/dev/null || true; else ulimit -n 65536 2>/dev/null || true; fi
NOFILE="$(ulimit -n)"
# The server's default --max-connections is its descriptor limit less 512 (the same limit:
# it raises its soft limit to this hard one); the generator needs its clients plus a few.
SERVER_MAX_CONNECTIONS=$(( NOFILE - 512 ))
if (( CLIENTS > SERVER_MAX_CONNECTIONS )); then
    echo "soak.sh: $CLIENTS clients do not fit: the server accepts at most $SERVER_MAX_CONNECTIONS" \
         "connections with a descriptor limit of $NOFILE (it keeps 512 for itself)" >&2
    exit 1
fi
if (( CLIENTS + 32 > NOFILE )); then
    echo "soak.sh: $CLIENTS clients do not fit in the generator's descriptor limit $NOFILE" >&2
    exit 1
fi
# Every source address carries clients/K sockets; the per-address cap (default 256) is raised
# to that plus room for churning clients whose old socket the server has not closed yet.
PER_ADDRESS=$(( (CLIENTS + SRC_ADDRS - 1) / SRC_ADDRS ))
PER_ADDRESS_CAP=$(( PER_ADDRESS + 64 > 256 ? PER_ADDRESS + 64 : 256 ))

# --- build ---------------------------------------------------------------------------------
if [[ -z "$LOADGEN" ]]; then
    if [[ $SKIP_BUILD == 0 ]]; then
        echo "== building load generator (build-bench/, -j1)" >&2
        cmake -S "$BENCH_DIR" -B "$LOADGEN_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
        cmake --build "$LOADGEN_BUILD" -j1 >/dev/null
    fi
    LOADGEN="$LOADGEN_BUILD/chatter-loadgen"
fi
[[ -x "$LOADGEN" ]] || { echo "soak.sh: $LOADGEN missing" >&2; exit 1; }
[[ -x "$SERVER_BIN" ]] || { echo "soak.sh: $SERVER_BIN not found: build the server first" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
WORK="$(mktemp -d /tmp/chatter-soak.XXXXXX)"
SERVER_PID=""
stop_server() {
    [[ -n "$SERVER_PID" ]] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# taskset execs the program, so $! of a pinned background job is the server itself.
SERVER_PIN=() LOADGEN_PIN=()
if [[ $PIN == 1 ]]; then SERVER_PIN=(taskset -c "$SERVER_CPU"); LOADGEN_PIN=(taskset -c "$LOADGEN_CPU"); fi

SERVER_FLAGS=(--headless --no-announce --bind 127.0.0.1 --log-level warning
              --max-connections-per-address "$PER_ADDRESS_CAP")
# A fresh data directory; a port nothing listens on (a few tries, bounded).
LOG="$WORK/server.log"
port="${PORT:-$(( 47300 + RANDOM % 500 ))}"
for attempt in 1 2 3 4 5; do
    rm -rf "$WORK/data"; mkdir -p "$WORK/data"
    "${SERVER_PIN[@]}" "$SERVER_BIN" "${SERVER_FLAGS[@]}" --port "$port" --data-dir "$WORK/data" >"$LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on 127.0.0.1:$port" "$LOG" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "listening on 127.0.0.1:$port" "$LOG" 2>/dev/null && break
    stop_server
    [[ -z "$PORT" && $attempt -lt 5 ]] || { echo "soak.sh: server did not start:" >&2; cat "$LOG" >&2; exit 1; }
    port=$(( 47300 + RANDOM % 500 ))
done
sleep 1 # settle before the first sample

LOADGEN_ARGS=(--port "$port" --server-pid "$SERVER_PID" --label "soak-$MODE"
              --clients "$CLIENTS" --rooms "$ROOMS" --senders-per-room 1 --rate "$RATE"
              --duration "$DURATION" --connect-rate "$CONNECT_RATE" --src-addrs "$SRC_ADDRS"
              --churn-fraction "$CHURN_FRACTION" --churn-period "$CHURN_PERIOD"
              --churn-down "$CHURN_DOWN" --sample-every "$SAMPLE_EVERY"
              --settle 2 --drain 15 --user-prefix s --room-prefix soak)
echo "== server: chatter-server ${SERVER_FLAGS[*]} --port $port --data-dir (fresh) [pid $SERVER_PID]" >&2
echo "== loadgen: chatter-loadgen ${LOADGEN_ARGS[*]}" >&2
RES="$WORK/result.txt"
limit=$(awk -v d="$DURATION" -v n="$CLIENTS" -v r="$CONNECT_RATE" 'BEGIN { print int(d + n / r + 120) }')
lg_rc=0
"${LOADGEN_PIN[@]}" timeout "$limit" "$LOADGEN" "${LOADGEN_ARGS[@]}" >"$RES" 2> >(tee "$WORK/loadgen.log" >&2) || lg_rc=$?
alive=1; kill -0 "$SERVER_PID" 2>/dev/null || alive=0
server_rss_at_stop="$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
stop_server

{
    echo "# chatter soak raw results"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# host: $(uname -srm), $(nproc) cpus, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), nofile $NOFILE"
    echo "# git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
    echo "mode=$MODE"
    echo "server_flags=${SERVER_FLAGS[*]} --port $port --data-dir <fresh>"
    echo "server_max_connections=$SERVER_MAX_CONNECTIONS"
    echo "loadgen_args=${LOADGEN_ARGS[*]}"
    echo "loadgen_exit=$lg_rc"
    echo "server_alive_at_end=$alive"
    echo "server_rss_at_stop_kb=$server_rss_at_stop"
    cat "$RES"
    echo "server_log_lines=$(grep -cv "listening on" "$LOG" || true)"
    grep -v "listening on" "$LOG" | head -20 | sed 's/^/server_log: /' || true
} >"$OUT"

# --- the table ---------------------------------------------------------------------------
val() { sed -n "s/^$1=//p" "$OUT" | head -1; }
{
    echo "# Chatter soak ($MODE): $CLIENTS sockets, ${DURATION} s"
    echo
    sed -n 's/^# \(date\|host\|git\): /- \1: /p' "$OUT"
    echo "- server: \`chatter-server $(val server_flags)\` (\`--max-connections\` default: $SERVER_MAX_CONNECTIONS)"
    echo "- load: \`chatter-loadgen $(val loadgen_args)\`"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| clients | $(val clients): $(val stable_clients) stable, $(val churning_clients) churning, $(val rooms) rooms, $(val senders) senders |"
    echo "| connects | $(val joined) initial + $(val rejoins) rejoins = $(val connects_total) (rejoin p50 / p99 / max $(val rejoin_p50_ms) / $(val rejoin_p99_ms) / $(val rejoin_max_ms) ms) |"
    echo "| leaves | $(val leaves_graceful) with phx_leave and close handshake, $(val leaves_abrupt) abrupt closes, $(val leave_timeouts) timed out |"
    echo "| messages | sent $(val sent), acked $(val acked) (errors $(val ack_errors)), skipped $(val skipped_sends) |"
    echo "| deliveries to stable clients | $(val delivered) of $(val expected): **lost $(val lost)**, duplicates $(val duplicates) |"
    echo "| deliveries to churning clients | $(val delivered_churning) (not accounted per message) |"
    echo "| latency p50 / p99 / max | $(val lat_p50_ms) / $(val lat_p99_ms) / $(val lat_max_ms) ms |"
    echo "| errors | $(val errors_total) (refused $(val connect_refused), connect $(val connect_errors), handshake $(val handshake_failed), join $(val join_failed), timeouts $(val connect_timeouts), dropped $(val dropped), channel $(val channel_errors), protocol $(val protocol_errors), reconnect retries $(val churn_retries), gave up $(val churn_gave_up)) |"
    echo "| server RSS | before $(val rss_before_kb) KiB; soak first / mid / last $(val soak_rss_first_kb) / $(val soak_rss_mid_kb) / $(val soak_rss_last_kb) KiB; min / max $(val soak_rss_min_kb) / $(val soak_rss_max_kb) KiB; slope $(val soak_rss_slope_kb_per_min) KiB/min; after every client closed $(val server_rss_after_close_kb) KiB |"
    echo "| server descriptors | before $(val server_fds_before), all joined $(val server_fds_connected), soak min / max $(val soak_fds_min) / $(val soak_fds_max), at end $(val server_fds_at_end), $(val server_close_wait_s) s after every client closed $(val server_fds_after_close) |"
    echo "| server CPU | $(val server_cpu_s) s over $(val window_s) s ($(val server_cpu_pct) % of a core), $(val server_threads) threads |"
    echo "| load generator | RSS max $(val loadgen_rss_max_kb) KiB, descriptors max $(val loadgen_fds_max), CPU $(val loadgen_cpu_pct) % of a core |"
    echo "| server log lines (warning and above) | $(val server_log_lines) |"
    echo
    echo "Samples (t from the generator's start; RSS in MiB):"
    echo
    echo "| t (s) | server RSS | server fds | threads | server CPU (s) | loadgen RSS | loadgen fds | joined stable | joined churning | joins | leaves | sent | acked | delivered |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    sed -n 's/^sample=//p' "$OUT" | awk -F, '{ printf "| %s | %.1f | %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2 / 1024, $3, $4, $5, $6 / 1024, $7, $8, $9, $10, $11, $12, $13, $14 }'
} >"$MD"
echo "== raw: $OUT, table: $MD" >&2
grep -E '^\| (deliveries to stable|errors|server RSS|server descriptors)' "$MD" >&2

# --- smoke: the checks -------------------------------------------------------------------
if [[ $MODE == smoke ]]; then
    fails=()
    [[ $lg_rc == 0 ]] || fails+=("load generator exit $lg_rc")
    [[ $alive == 1 ]] || fails+=("server died")
    (( $(val expected) > 0 )) || fails+=("no deliveries expected")
    [[ $(val lost) == 0 ]] || fails+=("lost $(val lost)")
    [[ $(val duplicates) == 0 ]] || fails+=("duplicates $(val duplicates)")
    [[ $(val sent) == "$(val acked)" ]] || fails+=("sent $(val sent), acked $(val acked)")
    (( $(val rejoins) > 0 )) || fails+=("no client rejoined")
    (( $(val leaves_graceful) > 0 )) || fails+=("no graceful leave")
    (( $(val leaves_abrupt) > 0 )) || fails+=("no abrupt leave")
    [[ $(val errors_total) == 0 ]] || fails+=("errors $(val errors_total): $(val first_failure)")
    # Every client closed: the server is back to its descriptors from before, give or take the
    # few it opens on first use (the database's journal); a leak per connection would be dozens.
    (( $(val server_fds_after_close) <= $(val server_fds_before) + 8 )) ||
        fails+=("server descriptors $(val server_fds_before) before, $(val server_fds_after_close) after every client closed")
    if (( ${#fails[@]} > 0 )); then
        printf 'soak smoke FAILED: %s\n' "${fails[@]}" >&2
        exit 1
    fi
    echo "soak smoke passed: lost 0 of $(val expected), $(val rejoins) rejoins, $(val leaves_graceful) + $(val leaves_abrupt) leaves, descriptors $(val server_fds_before) -> $(val server_fds_after_close)" >&2
fi
exit "$lg_rc"
