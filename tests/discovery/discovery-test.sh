#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Discovery on a real multicast link, with nothing on any other network: two network
# namespaces (A and B) joined by a veth pair with link-local addresses, each with its own D-Bus
# system bus (a config and socket of the test's own) and its own avahi-daemon (own config,
# a private /run in a mount namespace of its own). Checks (docs/discovery.md):
#   1. without a system bus the server says so once and serves on;
#   2. with a bus but no daemon yet it says so once, and announces when the daemon starts;
#   3. from B, the client library's ServerBrowser (discovery-probe) and avahi-browse find
#      `_chatter._tcp` and `_http._tcp` with their port and TXT records (version, tls,
#      accounts, path=/), and the desktop client's connect dialog lists it and fills it in;
#   4. a second server with the same name (in B) is announced under Avahi's alternative name;
#   5. the users-online record follows a connection;
#   6. a restarted daemon: the server says so, announces again, and is found again;
#   7. a stopped server leaves the browser's list.
# Usage: discovery-test.sh CHATTER_SERVER DISCOVERY_PROBE CONNECT_DIALOG_TEST
set -euo pipefail

server_bin="$1"
probe_bin="$2"
dialog_test="$3"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root for network namespaces (ip netns)"
for tool in ip avahi-daemon avahi-browse dbus-daemon unshare; do
    command -v "$tool" >/dev/null || fail "$tool is missing: run 'scripts/chatter deps'"
done

work="$(mktemp -d /tmp/chatter-discovery.XXXXXX)"
ns_a="chatter-disc-a-$$"
ns_b="chatter-disc-b-$$"
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    ip netns del "$ns_a" 2>/dev/null || true
    ip netns del "$ns_b" 2>/dev/null || true
    if [ "${keep_work:-0}" = 1 ]; then
        echo "logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
}
trap 'keep_work=1; cleanup' ERR
trap cleanup EXIT

# Waits (at most $2 tenths of a second) until file $1 has a line matching the regex $3.
wait_for_line() {
    local file="$1" tenths="$2" pattern="$3" i
    for ((i = 0; i < tenths; i++)); do
        grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "--- $file" >&2
    cat "$file" >&2 || true
    fail "no line matching '$pattern' in $file"
}

# --- the link: A (169.254.77.1) <-> B (169.254.77.2), link-local, multicast on
ip netns add "$ns_a"
ip netns add "$ns_b"
ip link add veth-disc-a netns "$ns_a" type veth peer name veth-disc-b netns "$ns_b"
for side in a b; do
    ns="chatter-disc-$side-$$"
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "169.254.77.$([ $side = a ] && echo 1 || echo 2)/16" dev "veth-disc-$side"
    ip -n "$ns" link set "veth-disc-$side" multicast on up
done

# --- per namespace: a system bus of its own and an avahi-daemon configuration of its own
for side in a b; do
    mkdir -p "$work/$side"
    cat >"$work/$side/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/$side/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
EOF
    cat >"$work/$side/avahi-daemon.conf" <<EOF
[server]
host-name=chatter-disc-$side
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=veth-disc-$side
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
[reflector]
enable-reflector=no
EOF
done

start_bus() { # side
    ip netns exec "chatter-disc-$1-$$" dbus-daemon --config-file="$work/$1/bus.conf" --nofork \
        --nosyslog >"$work/$1/bus.log" 2>&1 &
    pids+=($!)
    local i
    for ((i = 0; i < 100; i++)); do
        [ -S "$work/$1/system_bus_socket" ] && return 0
        sleep 0.1
    done
    fail "dbus-daemon in $1 did not start"
}

start_avahi() { # side
    # avahi-daemon keeps its pid file and socket in /run/avahi-daemon (compiled in): a private
    # /run in its own mount namespace keeps the two daemons (and the host's) apart.
    ip netns exec "chatter-disc-$1-$$" env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/$1/system_bus_socket" \
        unshare --mount --propagation private sh -c \
        'mount -t tmpfs tmpfs /run && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits \
            --no-proc-title -f "$0"' "$work/$1/avahi-daemon.conf" \
        >>"$work/$1/avahi.log" 2>&1 &
    avahi_pid=$!
    pids+=($avahi_pid)
    wait_for_line "$work/$1/avahi.log" 100 "Server startup complete"
}

bus_a="unix:path=$work/a/system_bus_socket"
bus_b="unix:path=$work/b/system_bus_socket"

# --- 1. no system bus: one line, and the server serves
ip netns exec "$ns_a" env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/no-bus" \
    "$server_bin" --headless --bind 0.0.0.0 --port 4000 --data-dir "$work/a/nobus-data" \
    --sync normal >"$work/nobus.out" 2>"$work/nobus.log" &
nobus_pid=$!
pids+=($nobus_pid)
wait_for_line "$work/nobus.out" 300 "listening on"
wait_for_line "$work/nobus.log" 100 "not announced on the LAN: cannot reach the D-Bus system bus"
# The session retries after 1 s and 2 s: still one line.
sleep 3.5
[ "$(grep -c "not announced on the LAN" "$work/nobus.log")" -eq 1 ] ||
    fail "the missing bus was said more than once: $(cat "$work/nobus.log")"
ip netns exec "$ns_a" bash -c 'exec 3<>/dev/tcp/169.254.77.1/4000 && printf "GET /healthz HTTP/1.0\r\nHost: 169.254.77.1:4000\r\n\r\n" >&3 && head -1 <&3' \
    | grep -q "200" || fail "the server without a bus does not answer"
kill "$nobus_pid"
wait "$nobus_pid" || fail "the server without a bus did not stop cleanly"
echo "ok 1 - without a system bus: said once, serving"

start_bus a
start_bus b
start_avahi b

# --- the browser in B, from the start
ip netns exec "$ns_b" env DBUS_SYSTEM_BUS_ADDRESS="$bus_b" "$probe_bin" --timeout-ms 150000 \
    >"$work/probe.out" 2>"$work/probe.err" &
pids+=($!)
wait_for_line "$work/probe.out" 100 "^available$"

# --- 2. a bus without a daemon: one line; the daemon starts; announced
ip netns exec "$ns_a" env DBUS_SYSTEM_BUS_ADDRESS="$bus_a" \
    "$server_bin" --headless --bind 0.0.0.0 --port 4000 --data-dir "$work/a/data" --sync normal \
    --node-name "Chatter discovery test" --accounts required --tls-self-signed \
    >"$work/server-a.out" 2>"$work/server-a.log" &
server_a=$!
pids+=($server_a)
wait_for_line "$work/server-a.out" 300 "listening on"
wait_for_line "$work/server-a.log" 100 "not announced on the LAN: the Avahi daemon is not running"
start_avahi a
avahi_a=$avahi_pid
wait_for_line "$work/server-a.log" 300 'announced on the LAN as "Chatter discovery test"'
[ "$(grep -c "not announced on the LAN" "$work/server-a.log")" -eq 1 ] ||
    fail "the missing daemon was said more than once"
echo "ok 2 - without a daemon: said once; announced when it started"

# --- 3. found from B: the client library, then avahi-browse
wait_for_line "$work/probe.out" 300 \
    "^(added|updated)\|name=Chatter discovery test\|host=chatter-disc-a.local\|address=169.254.77.1\|port=4000\|tls=1\|accounts=required\|users=0\|version=[0-9]+\.[0-9]+\.[0-9]+\|url=wss://169.254.77.1:4000$"
grep -q "^model-rows=1$" "$work/probe.out" || fail "the model did not show the server"

browse() { # namespace bus type
    ip netns exec "$1" env DBUS_SYSTEM_BUS_ADDRESS="$2" timeout 20 avahi-browse -rptk "$3"
}
browse "$ns_b" "$bus_b" _chatter._tcp >"$work/browse-chatter.txt"
# avahi-browse -p writes a space in a name as \032 (and # as \035).
line="$(grep -F '=;veth-disc-b;IPv4;Chatter\032discovery\032test;_chatter._tcp;local;' "$work/browse-chatter.txt")" ||
    fail "avahi-browse did not resolve _chatter._tcp: $(cat "$work/browse-chatter.txt")"
[[ "$line" == *";chatter-disc-a.local;169.254.77.1;4000;"* ]] || fail "_chatter._tcp: $line"
for record in '"tls=1"' '"accounts=required"' '"version=' '"users=0"'; do
    [[ "$line" == *"$record"* ]] || fail "_chatter._tcp lacks $record: $line"
done
browse "$ns_b" "$bus_b" _http._tcp >"$work/browse-http.txt"
line="$(grep -F '=;veth-disc-b;IPv4;Chatter\032discovery\032test;_http._tcp;local;' "$work/browse-http.txt")" ||
    fail "avahi-browse did not resolve _http._tcp: $(cat "$work/browse-http.txt")"
[[ "$line" == *";169.254.77.1;4000;"* && "$line" == *'"path=/"'* && "$line" == *'"tls=1"'* ]] ||
    fail "_http._tcp: $line"
mkdir -m 700 "$work/b/runtime"
ip netns exec "$ns_b" env DBUS_SYSTEM_BUS_ADDRESS="$bus_b" QT_QPA_PLATFORM=offscreen \
    XDG_CONFIG_HOME="$work/b/config" XDG_RUNTIME_DIR="$work/b/runtime" CHATTER_EXPECT_SERVER="Chatter discovery test" \
    CHATTER_EXPECT_URL="wss://169.254.77.1:4000" \
    CHATTER_DIALOG_SCREENSHOT="${CHATTER_DIALOG_SCREENSHOT:-}" "$dialog_test" >"$work/dialog.log" 2>&1 ||
    fail "the connect dialog: $(cat "$work/dialog.log")"
echo "ok 3 - found from the other namespace: ServerBrowser, avahi-browse and the connect dialog"

# --- 4. the same name from B: Avahi's alternative name; plain and with guests
ip netns exec "$ns_b" env DBUS_SYSTEM_BUS_ADDRESS="$bus_b" \
    "$server_bin" --headless --bind 0.0.0.0 --port 4000 --data-dir "$work/b/data" --sync normal \
    --node-name "Chatter discovery test" --announce-users-ms 200 \
    >"$work/server-b.out" 2>"$work/server-b.log" &
server_b=$!
pids+=($server_b)
wait_for_line "$work/server-b.log" 300 'announced on the LAN as "Chatter discovery test #2"'
wait_for_line "$work/probe.out" 300 \
    "^(added|updated)\|name=Chatter discovery test #2\|host=chatter-disc-b.local\|address=169.254.77.2\|port=4000\|tls=0\|accounts=optional\|users=0\|.*url=ws://169.254.77.2:4000$"
browse "$ns_a" "$bus_a" _chatter._tcp >"$work/browse-a.txt"
line="$(grep -F '=;veth-disc-a;IPv4;Chatter\032discovery\032test\032\0352;_chatter._tcp;local;chatter-disc-b.local;169.254.77.2;4000;' \
    "$work/browse-a.txt")" || fail "A does not see B's server: $(cat "$work/browse-a.txt")"
[[ "$line" == *'"tls=0" "accounts=optional"'* ]] || fail "B's server's records: $line"
echo "ok 4 - a name taken on the LAN: announced as its alternative"

# --- 5. users online follow a connection (a WebSocket from A to B's server, held open)
ip netns exec "$ns_a" bash -c 'exec 3<>/dev/tcp/169.254.77.2/4000
printf "GET /socket/websocket?vsn=2.0.0&user=lanvisitor HTTP/1.1\r\nHost: 169.254.77.2:4000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" >&3
exec sleep 60' &
pids+=($!)
wait_for_line "$work/probe.out" 300 "^updated\|name=Chatter discovery test #2\|.*\|users=1\|"
echo "ok 5 - the users-online record follows the connections"

# --- 6. the daemon restarts: the server says so and announces again; the browser follows
kill "$avahi_a"
wait "$avahi_a" 2>/dev/null || true
wait_for_line "$work/probe.out" 300 "^removed\|name=Chatter discovery test$"
wait_for_line "$work/server-a.log" 100 "not announced on the LAN: the Avahi daemon stopped"
[ "$(grep -c "not announced on the LAN" "$work/server-a.log")" -eq 2 ] ||
    fail "the daemon's going was not said once: $(cat "$work/server-a.log")"
: >"$work/a/avahi.log"
start_avahi a
for ((i = 0; i < 300; i++)); do
    [ "$(grep -c '^added|name=Chatter discovery test|' "$work/probe.out")" -ge 2 ] && break
    sleep 0.1
done
[ "$(grep -c '^added|name=Chatter discovery test|' "$work/probe.out")" -ge 2 ] ||
    fail "the server was not found again after the daemon restarted: $(cat "$work/probe.out")"
[ "$(grep -c 'announced on the LAN as "Chatter discovery test"' "$work/server-a.log")" -eq 2 ] ||
    fail "the server did not announce itself again: $(cat "$work/server-a.log")"
echo "ok 6 - the daemon restarted: announced again, found again"

# --- 7. a server that stops leaves the list
kill "$server_a"
wait "$server_a" || fail "server A did not stop cleanly"
for ((i = 0; i < 300; i++)); do
    [ "$(grep -c '^removed|name=Chatter discovery test$' "$work/probe.out")" -ge 2 ] && break
    sleep 0.1
done
[ "$(grep -c '^removed|name=Chatter discovery test$' "$work/probe.out")" -ge 2 ] ||
    fail "the stopped server is still listed: $(cat "$work/probe.out")"
tail -1 "$work/probe.out" | grep -q "^model-rows=1$" || fail "the model still lists the stopped server"
echo "ok 7 - a stopped server leaves the list"
