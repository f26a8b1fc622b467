#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The search benchmark (docs/performance.md#search): a history of 1,000,000 messages, the time
# to index it, the index's size per message, p50/p99 of a few query shapes over all of it (the
# personal topic) and over one room, the store's CPU per message with and without the index,
# and, with --rooms-reps N > 0, the `rooms` scenario of run.sh with `--search on` and
# `--search off` side by side (server CPU per delivery).
#
# bench/search.sh [--messages N] [--runs N] [--rooms-reps N] [--out FILE]
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SERVER_BIN="${CHATTER_SERVER:-$ROOT/build/server/chatter-server}"
NODE="${NODE:-node}"
MESSAGES=1000000
RUNS=30
ROOMS_REPS=1
OUT="$BENCH_DIR/results/search-latest.txt"
PORT=47900
SERVER_CPU=0
CLIENT_CPU=1

while [[ $# -gt 0 ]]; do
    case "$1" in
        --messages) MESSAGES="$2"; shift ;;
        --runs) RUNS="$2"; shift ;;
        --rooms-reps) ROOMS_REPS="$2"; shift ;;
        --out) OUT="$2"; shift ;;
        --port) PORT="$2"; shift ;;
        -h|--help) sed -n 3,8p "$0"; exit 0 ;;
        *) echo "search.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

WORK="$(mktemp -d /tmp/chatter-search-bench.XXXXXX)"
SERVER_PID=""
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server MODE: --search MODE on the benchmark's data directory; waits (bounded: 15 min,
# the first start with `on` rebuilds the index) until it listens.
start_server() {
    : >"$WORK/server.log"
    taskset -c "$SERVER_CPU" "$SERVER_BIN" --headless --no-announce --bind 127.0.0.1 --port "$PORT" \
        --data-dir "$WORK/data" --sync normal --log-level warning --search "$1" \
        --retention-messages 0 >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 9000); do
        grep -q "listening on 127.0.0.1:$PORT" "$WORK/server.log" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "search.sh: the server did not start:" >&2
    cat "$WORK/server.log" >&2
    exit 1
}

# Bytes of the tables whose names match $1 (SQLite's dbstat).
table_bytes() {
    python3 - "$WORK/data/chatter.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE ?", (sys.argv[2],)).fetchone()[0])
PY
}

mkdir -p "$WORK/data" "$(dirname "$OUT")"
{
    echo "# chatter search bench raw results"
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# host: $(uname -srm), $(nproc) cpus"
    echo "# git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "messages=$MESSAGES"
} >"$OUT"

echo "== schema: the server makes the database (--search off: no index while filling)" >&2
start_server off
stop_server
echo "== filling $MESSAGES messages" >&2
python3 "$BENCH_DIR/tools/fill-history.py" "$WORK/data/chatter.db" --messages "$MESSAGES" \
    | tee -a "$OUT" >"$WORK/words.txt"
word() { sed -n "s/^$1=//p" "$WORK/words.txt"; }

echo "fts_bytes_off=$(table_bytes 'messages_fts%')" >>"$OUT"

echo "== --search on: the index is rebuilt at start" >&2
t0=$(date +%s.%N)
start_server on
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "rebuild_s=%.1f\n", b - a }' >>"$OUT"
stop_server
fts=$(table_bytes 'messages_fts%')
msgs=$(table_bytes 'messages')
echo "fts_bytes=$fts" >>"$OUT"
echo "messages_table_bytes=$msgs" >>"$OUT"
echo "fts_bytes_per_message=$(( fts / MESSAGES ))" >>"$OUT"
echo "messages_bytes_per_message=$(( msgs / MESSAGES ))" >>"$OUT"

echo "== queries ($RUNS each)" >&2
start_server on
taskset -c "$CLIENT_CPU" timeout 1800 "$NODE" "$BENCH_DIR/tools/search-bench.mjs" --port "$PORT" \
    --room r0 --runs "$RUNS" \
    --query "common=$(word word_common)" \
    --query "rare=$(word word_rare)" \
    --query "phrase=\"$(word word_common) $(word word_second)\"" \
    --query "prefix=$(word prefix)*" \
    --query "from=from:$(word user)" \
    --query "from_word=from:$(word user) $(word word_second)" >>"$OUT"
stop_server

echo "== the store's CPU per message with and without the index (50,000 inserts, 10 per commit)" >&2
cp "$WORK/data/chatter.db" "$WORK/copy.db"
for _ in 1 2; do
    taskset -c "$SERVER_CPU" python3 "$BENCH_DIR/tools/index-cost.py" "$WORK/data/chatter.db" >>"$OUT"
    taskset -c "$SERVER_CPU" python3 "$BENCH_DIR/tools/index-cost.py" "$WORK/copy.db" --drop-index >>"$OUT"
done
rm -f "$WORK"/copy.db*

if [[ $ROOMS_REPS -gt 0 ]]; then
    echo "== rooms scenario, --search on and off ($ROOMS_REPS reps)" >&2
    # The generator of the main build (build/bench) when there is one: nothing is compiled here.
    skip=()
    if [[ -x "$ROOT/build/bench/chatter-loadgen" && -z ${LOADGEN_BUILD:-} ]]; then
        export LOADGEN_BUILD="$ROOT/build/bench"
        skip=(--skip-build)
    fi
    "$BENCH_DIR/run.sh" --scenarios rooms --servers chatter,chatter-nosearch --reps "$ROOMS_REPS" \
        --server-bin "$SERVER_BIN" "${skip[@]}" --out "$WORK/rooms.txt" >"$WORK/rooms.table.md" || true
    awk '/^server=/{s=substr($0,8)} /^server_cpu_us_per_delivery=/{print "rooms_" s "_cpu_us_per_delivery=" substr($0,29)} /^lat_p99_ms=/{print "rooms_" s "_lat_p99_ms=" substr($0,12)} /^lost=/{print "rooms_" s "_lost=" substr($0,6)}' \
        "$WORK/rooms.txt" | sed 's/chatter-nosearch/search_off/; s/rooms_chatter_/rooms_search_on_/' >>"$OUT"
fi
echo "== raw results: $OUT" >&2
cat "$OUT"
