#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# How responsive the monitor window of chatter-server stays under load. Starts the server WITH
# its window under Xvfb, with the hidden --monitor-stats flag (one line a second on stderr: the
# worst lateness of a 50 ms GUI timer and the time spent updating the models), drives it with
# the bench load generator, and summarises the GUI figures per phase. Loopback only.
#
#   bench/monitor-load.sh --clients 2000
#   bench/monitor-load.sh --clients 10000 --rooms 100 --rate 5 --duration 20
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SERVER_BIN="${CHATTER_SERVER:-$ROOT/build-monitor/server/chatter-server}"
LOADGEN="${LOADGEN:-}"
CLIENTS=2000
ROOMS=""
SENDERS=1
RATE=""
DURATION=20
PORT=0
CONNECT_RATE=2000
OUT_DIR=""
HEADLESS=0

usage() {
    cat <<USAGE
usage: bench/monitor-load.sh [options]
  --clients N        sockets (default 2000)
  --rooms R          rooms, every client joins one (default: clients / 100, i.e. 100 per room)
  --senders S        senders per room (default 1)
  --rate X           messages/s per sender (default: enough for ~50,000 deliveries/s)
  --duration S       seconds of sending (default 20)
  --connect-rate X   connection attempts per second (default 2000)
  --port P           server port (default 0: a free one)
  --server-bin PATH  chatter-server (default build-monitor/server/chatter-server)
  --loadgen PATH     chatter-loadgen (default: built from bench/loadgen into a temp dir)
  --out DIR          keep logs here (default: a temp dir, printed)
  --headless         the same load without the window: the baseline for the engine's figures
USAGE
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --clients) CLIENTS="$2"; shift 2 ;;
        --rooms) ROOMS="$2"; shift 2 ;;
        --senders) SENDERS="$2"; shift 2 ;;
        --rate) RATE="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --connect-rate) CONNECT_RATE="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --server-bin) SERVER_BIN="$2"; shift 2 ;;
        --loadgen) LOADGEN="$2"; shift 2 ;;
        --out) OUT_DIR="$2"; shift 2 ;;
        --headless) HEADLESS=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

[[ -x "$SERVER_BIN" ]] || { echo "no chatter-server at $SERVER_BIN (build the chatter-server target)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "xvfb-run missing (apt-get install xvfb xauth)" >&2; exit 2; }
ROOMS="${ROOMS:-$(( CLIENTS / 100 > 0 ? CLIENTS / 100 : 1 ))}"
# Deliveries/s = rooms x senders x rate x members; aim at ~50,000/s unless told otherwise.
if [[ -z "$RATE" ]]; then
    RATE=$(awk -v c="$CLIENTS" -v s="$SENDERS" 'BEGIN { r = 50000 / (c * s); printf "%.2f", (r < 0.1 ? 0.1 : r) }')
fi

OUT_DIR="${OUT_DIR:-$(mktemp -d /tmp/monitor-load.XXXXXX)}"
mkdir -p "$OUT_DIR/data"
if [[ -z "$LOADGEN" ]]; then
    LOADGEN="$OUT_DIR/chatter-loadgen"
    g++ -std=c++20 -O2 -o "$LOADGEN" "$BENCH_DIR/loadgen/loadgen.cpp"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

SERVER_PID=""
XVFB_PID=""
cleanup() {
    # Only what this script started, by PID.
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "$XVFB_PID" ]]; then
        for _ in $(seq 30); do kill -0 "$XVFB_PID" 2>/dev/null || break; sleep 0.1; done
        kill -TERM "$XVFB_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

echo "# logs in $OUT_DIR" >&2
WRAP=(xvfb-run -a -s "-screen 0 1400x900x24")
MODE=--monitor-stats
if [[ "$HEADLESS" == 1 ]]; then WRAP=(); MODE=--headless; fi
"${WRAP[@]}" "$SERVER_BIN" $MODE --bind 127.0.0.1 --port "$PORT" --data-dir "$OUT_DIR/data" \
    --sync normal --log-level warning --max-connections-per-address 1000000 --no-announce \
    >"$OUT_DIR/server.out" 2>"$OUT_DIR/server.err" &
XVFB_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$OUT_DIR/server.out" 2>/dev/null && break
    sleep 0.1
done
grep -q "listening on" "$OUT_DIR/server.out" || { echo "server did not start:" >&2; cat "$OUT_DIR/server.err" >&2; exit 1; }
SERVER_PID=$(pgrep -n -f -- "chatter-server $MODE --bind 127.0.0.1 --port $PORT --data-dir $OUT_DIR/data" || true)
PORT=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$OUT_DIR/server.out" | head -n 1)
[[ -n "$SERVER_PID" ]] || { echo "cannot find the server's PID" >&2; exit 1; }
# A few seconds of the idle window first: the baseline.
sleep 3
IDLE_LINES=$(grep -c '^monitor-stats' "$OUT_DIR/server.err" || true)

echo "# $CLIENTS clients, $ROOMS rooms, $SENDERS sender(s)/room at $RATE msg/s, ${DURATION}s" >&2
"$LOADGEN" --port "$PORT" --server-pid "$SERVER_PID" --clients "$CLIENTS" --rooms "$ROOMS" \
    --senders-per-room "$SENDERS" --rate "$RATE" --duration "$DURATION" \
    --connect-rate "$CONNECT_RATE" --label monitor >"$OUT_DIR/loadgen.out" 2>"$OUT_DIR/loadgen.err" || true
# A few seconds after the load: does the window settle?
sleep 3

summary() {
    # $1: phase name, stdin: monitor-stats lines
    awk -v phase="$1" '
        {
            for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
            n++; if (v["tick_max_ms"] > tick) tick = v["tick_max_ms"]
            if (v["update_max_ms"] > umax) umax = v["update_max_ms"]
            if (v["updates"] > 0) { usum += v["update_avg_ms"]; un++ }
            tsum += v["tick_max_ms"]; if (v["sockets"] > socks) socks = v["sockets"]
        }
        END {
            if (n == 0) { printf "%-8s (no samples)\n", phase; exit }
            printf "%-8s seconds=%d max_sockets=%d gui_late_max_ms=%.1f gui_late_mean_of_1s_max_ms=%.1f update_max_ms=%.1f update_avg_ms=%.1f\n",
                   phase, n, socks, tick, tsum / n, umax, un ? usum / un : 0
        }'
}

STATS="$OUT_DIR/stats.txt"
grep '^monitor-stats' "$OUT_DIR/server.err" >"$STATS" || true
echo
echo "== monitor under load: $CLIENTS clients, $ROOMS rooms, $SENDERS sender(s)/room at $RATE msg/s =="
head -n "$IDLE_LINES" "$STATS" | summary idle
tail -n +"$((IDLE_LINES + 1))" "$STATS" | awk -v c="$CLIENTS" '{ split($2, kv, "="); if (kv[2] < c * 0.98) print }' | summary connect
tail -n +"$((IDLE_LINES + 1))" "$STATS" | awk -v c="$CLIENTS" '{ split($2, kv, "="); if (kv[2] >= c * 0.98) print }' | summary loaded
grep -E '^(joined|connect_phase_s|delivered|deliveries_per_s|lat_p50_ms|lat_p99_ms|server_cpu_pct|rss_connected_kb|first_failure)=' \
    "$OUT_DIR/loadgen.out" | tr '\n' ' '
echo
