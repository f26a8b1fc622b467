# SPDX-License-Identifier: MIT
# Shared by bench/run.sh and bench/cluster.sh (sourced; nothing runs when it is sourced):
# client counts, the scenarios' generator arguments, the descriptor limit, building the
# generator, and waiting for a quiet machine.
#
# The caller sets BENCH_DIR, SCALE, DURATION, DRAIN, SETTLE_IDLE, QUIET_WAIT, LOADGEN_BUILD
# and WORK (scenario_args' topics3 token files live there).

# Scale a client count, keeping at least `min`.
scaled() { awk -v n="$1" -v s="$SCALE" -v m="${2:-1}" 'BEGIN { v = int(n * s + 0.5); if (v < m) v = m; print v }'; }

# 10k clients in the generator + 10k sockets in the server: the open-files soft limit up to
# the hard one. Sets NOFILE.
raise_nofile() {
    local hard
    hard="$(ulimit -Hn)"
    if [[ "$hard" != unlimited ]]; then
        ulimit -n "$hard" 2>/dev/null || true
    else
        ulimit -n 65536 2>/dev/null || true
    fi
    NOFILE="$(ulimit -n)"
}

# build_bench_tools NEED_NODE: builds the load generator into LOADGEN_BUILD (-j1); with
# NEED_NODE=1 also runs npm ci in bench/peers when a package of its lock file is missing.
build_bench_tools() {
    echo "== building load generator ($LOADGEN_BUILD, -j1)" >&2
    cmake -S "$BENCH_DIR" -B "$LOADGEN_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$LOADGEN_BUILD" -j1 >/dev/null
    if [[ $1 == 1 && ( ! -d "$BENCH_DIR/peers/node_modules/ws" || ! -d "$BENCH_DIR/peers/node_modules/redis" ) ]]; then
        echo "== npm ci (bench/peers)" >&2
        (cd "$BENCH_DIR/peers" && npm ci --no-audit --no-fund >/dev/null)
    fi
}

# Busy ticks of the whole machine (all CPUs) from /proc/stat.
machine_busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"
QUIET_MAX=25 # "quiet": other processes use at most this % of one CPU

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

# topics3's clients (even: client 2k and 2k+1 share a DM)
topics3_clients() { local n; n="$(scaled 10000 10)"; echo $(( n / 2 * 2 )); }

# scenario_args NAME -> loadgen arguments
scenario_args() {
    local n
    case "$1" in
        idle)
            n="$(scaled 10000 10)"
            echo "--clients $n --rooms $(( n / 10 )) --connect-rate 2000 --settle $SETTLE_IDLE" ;;
        idle1)
            # A room per client: the server's per-room state (presence, directory entry) once
            # per connection instead of once per ten.
            n="$(scaled 10000 10)"
            echo "--clients $n --rooms $n --connect-rate 2000 --settle $SETTLE_IDLE" ;;
        topics3)
            # Personal topic, a room of 10 and a DM each, as registered accounts (tokens from
            # prepare_accounts).
            n="$(topics3_clients)"
            echo "--clients $n --rooms $(( n / 10 )) --connect-rate 2000 --settle $SETTLE_IDLE --join personal,room,dm --tokens $WORK/accounts-$n/tokens.txt" ;;
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
        *) echo "${0##*/}: unknown scenario $1" >&2; return 1 ;;
    esac
}
