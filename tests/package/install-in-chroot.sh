#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The packages on a clean Debian 12: installs chatter-server_*.deb and chatter_*.deb with apt into
# a fresh debootstrap minbase chroot, starts the service's command line there as its unit says
# (ExecStart with /etc/default/chatter-server's variables, as the unit's user, with the parts of
# its sandbox a process can have without systemd), joins a room with the official phoenix client,
# gets a message back and finds it with search; runs `chatter --version` and `--help`; then
# removes and purges both packages. Needs root (chroot, mounts, namespaces).
#
# usage: install-in-chroot.sh DEB_DIR ROUNDTRIP_MJS
# CHATTER_PACKAGE_CACHE (default /var/cache/chatter/package-test) keeps, across runs, the
# pristine base system as a tarball and apt's downloaded packages: only the first run pays for
# debootstrap and the downloads. The mirror is this machine's own Debian mirror (apt-cache
# policy), or CHATTER_DEBIAN_MIRROR.
#
# The server runs in a network namespace of its own with only a loopback interface, so it
# listens on the packaged default, port 4000, without meeting anything else on this machine.
set -euo pipefail

debs="$(cd "$1" && pwd)"
roundtrip="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
cache="${CHATTER_PACKAGE_CACHE:-/var/cache/chatter/package-test}"
suite=bookworm
unit_path=/lib/systemd/system/chatter-server.service

log() { printf 'package test: %s\n' "$*" >&2; }
die() { printf 'package test: FAILED: %s\n' "$*" >&2; exit 1; }
started=$SECONDS
phase() { log "[$((SECONDS - started)) s] $*"; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount, unshare)"
for tool in debootstrap unshare setpriv perl node; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/chatter deps installs it)"
done
server_deb=$(ls "$debs"/chatter-server_*.deb 2>/dev/null | head -n 1)
client_deb=$(ls "$debs"/chatter_*.deb 2>/dev/null | head -n 1)
[ -f "$server_deb" ] && [ -f "$client_deb" ] || die "no chatter-server_*.deb and chatter_*.deb in $debs"

# This machine's mirror for a suite ("bookworm/main" or "bookworm-security/main").
mirror_of() {
    apt-cache policy 2>/dev/null | awk -v want="$1/main" '$3 == want { print $2; exit }'
}
mirror="${CHATTER_DEBIAN_MIRROR:-$(mirror_of "$suite")}"
security_mirror="$(mirror_of "$suite-security")"
[ -n "$mirror" ] || die "no $suite mirror in apt's sources; set CHATTER_DEBIAN_MIRROR"

work="$(mktemp -d "$PWD/package-chroot.XXXXXX")"
root="$work/root"
server_pid=""   # unshare
server_child="" # the server itself: unshare's child, after its execs

# Everything mounted under $root, deepest first.
mounts_under_root() {
    awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}
cleanup() {
    local status=$?
    set +e
    # The server first: setpriv's change of user clears any parent-death signal.
    [ -n "$server_child" ] && kill -KILL "$server_child" 2>/dev/null
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -KILL "$server_pid"
        wait "$server_pid" 2>/dev/null
    fi
    local m
    for m in $(mounts_under_root); do umount "$m" || umount -l "$m"; done
    if [ -n "$(mounts_under_root)" ]; then
        log "left $work in place: something is still mounted under it"
    else
        rm -rf --one-file-system "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the base system: debootstrap once, then the cached tarball ----
base="$cache/$suite-minbase.tar"
mkdir -p "$cache/archives/partial"
# One run at a time uses the cache (apt locks its archive folder; a second debootstrap would
# race the first).
exec 9>"$cache/lock"
flock -w 900 9 || die "another package test held $cache/lock for 15 minutes"
if [ ! -f "$base" ]; then
    phase "debootstrap --variant=minbase $suite from $mirror (cached in $base afterwards)"
    fresh="$work/fresh"
    debootstrap --variant=minbase --cache-dir="$cache/archives" "$suite" "$fresh" "$mirror" \
        >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap"; }
    tar -C "$fresh" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf --one-file-system "$fresh"
fi
phase "unpacking the base system"
mkdir -p "$root"
tar -C "$root" -xf "$base"

# As installed Debian 12 systems have it: the suite, its updates and its security updates.
{
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    [ -z "$security_mirror" ] || echo "deb $security_mirror $suite-security main"
} >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service of any package starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount --bind "$cache/archives" "$root/var/cache/apt/archives"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

phase "apt install --no-install-recommends ./$(basename "$server_deb") ./$(basename "$client_deb")"
cp "$server_deb" "$client_deb" "$root/tmp/"
in_root apt-get update -q >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update"; }
# Without Recommends, so that Depends alone must be enough (libqt6sql6 recommends the SQLite
# driver, which would hide its absence from chatter-server's Depends). Unsafe I/O (no fsync per
# file) only makes the throw-away chroot faster to fill.
if ! in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-unsafe-io \
    "/tmp/$(basename "$server_deb")" "/tmp/$(basename "$client_deb")" >>"$work/apt.log" 2>&1; then
    tail -n 40 "$work/apt.log" >&2
    die "apt install of the packages"
fi
umount "$root/var/cache/apt/archives"

# ---- what the packages and their maintainer scripts left ----
phase "checking the installed files, the user and the enabled unit"
for f in /usr/bin/chatter-server /usr/bin/chatter "$unit_path" /etc/default/chatter-server \
    /usr/share/man/man1/chatter-server.1.gz /usr/share/man/man1/chatter.1.gz \
    /usr/share/applications/chatter-server.desktop /usr/share/applications/chatter.desktop \
    /usr/share/icons/hicolor/scalable/apps/chatter-server.svg \
    /usr/share/icons/hicolor/scalable/apps/chatter.svg \
    /usr/share/metainfo/io.github.chatter.Server.metainfo.xml \
    /usr/share/metainfo/io.github.chatter.Chatter.metainfo.xml; do
    [ -e "$root$f" ] || die "$f is not installed"
done
in_root dpkg-query -W -f='${Conffiles}\n' chatter-server | grep -q '/etc/default/chatter-server' ||
    die "/etc/default/chatter-server is not a conffile"

# The unit's settings: the last value of KEY in [Service] (systemd's rule for most keys).
unit_value() {
    awk -v key="$1" '/^\[/ { section = $0 } section == "[Service]" && index($0, key "=") == 1 {
        value = substr($0, length(key) + 2) } END { print value }' "$root$unit_path"
}
user="$(unit_value User)"
group="$(unit_value Group)"
[ -n "$user" ] && [ -n "$group" ] || die "the unit names no User= and Group="
passwd_line="$(in_root getent passwd "$user")" || die "postinst made no user $user"
uid="$(echo "$passwd_line" | cut -d: -f3)"
home="$(echo "$passwd_line" | cut -d: -f6)"
[ "$uid" -lt 1000 ] || die "$user is not a system user (uid $uid)"
gid="$(in_root getent group "$group" | cut -d: -f3)" || die "postinst made no group $group"
# Owners by number: this machine's names for them are not the chroot's.
state="/var/lib/$(unit_value StateDirectory)"
[ "$(stat -c '%u:%g %a' "$root$state")" = "$uid:$gid 750" ] ||
    die "$state is $(stat -c '%u:%g %a' "$root$state"), not $user:$group ($uid:$gid) 750"
wants="$root/etc/systemd/system/multi-user.target.wants/chatter-server.service"
[ "$(readlink "$wants")" = "$unit_path" ] || die "postinst did not enable the unit ($wants)"

# ---- the service's command line, as systemd would build it ----
# EnvironmentFile: KEY=VALUE lines, '#' comments, one pair of quotes around a value.
# ExecStart: words; $VAR is split into words, ${VAR} is one word. Quotes are not supported here,
# so a unit that starts using them fails this test instead of being read wrongly.
# Sets service_env (KEY=VALUE...) and argv.
service_command() {
    local env_file line key value word exec_start
    env_file="$(unit_value EnvironmentFile)"
    env_file="${env_file#-}"
    service_env=()
    local -A env_values=()
    while IFS= read -r line; do
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || die "$env_file: cannot read '$line'"
        key="${BASH_REMATCH[1]}"
        value="${BASH_REMATCH[2]}"
        [[ "$value" =~ ^\"(.*)\"$ ]] && value="${BASH_REMATCH[1]}"
        env_values[$key]="$value"
        service_env+=("$key=$value")
    done <"$root$env_file"
    exec_start="$(unit_value ExecStart)"
    [[ "$exec_start" != *[\"\']* ]] || die "ExecStart has quotes, which this test cannot read yet"
    argv=()
    for word in $exec_start; do
        if [[ "$word" =~ ^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$ ]]; then
            argv+=("${env_values[${BASH_REMATCH[1]}]:-}")
        elif [[ "$word" =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
            # shellcheck disable=SC2206 # split into words, as systemd does
            argv+=(${env_values[${BASH_REMATCH[1]}]:-})
        elif [[ "$word" == *'$'* ]]; then
            die "ExecStart word '$word': only whole-word \$VAR and \${VAR} are read here"
        else
            argv+=("$word")
        fi
    done
    log "ExecStart: ${argv[*]} (environment: ${service_env[*]:-none})"
}
nofile="$(unit_value LimitNOFILE)"
# systemd raises the hard limit; a test process without CAP_SYS_RESOURCE cannot go above its own.
if [ "$nofile" -gt "$(ulimit -Hn)" ]; then
    log "LimitNOFILE=$nofile is above this process's hard limit; the server gets $(ulimit -Hn)"
    nofile="$(ulimit -Hn)"
fi
umask_value="$(unit_value UMask)"
[ "$(unit_value NoNewPrivileges)" = yes ] || die "the unit lost NoNewPrivileges=yes"
[ "$(unit_value MemoryDenyWriteExecute)" = yes ] || die "the unit lost MemoryDenyWriteExecute=yes"
[ "$(unit_value ProtectSystem)" = strict ] || die "the unit lost ProtectSystem=strict"
[ "$(uname -m)" = x86_64 ] || die "the sandbox's PR_SET_MDWE call is written for x86-64"

# In new network and mount namespaces: only loopback, and the file system as the unit's
# sandbox leaves it: everything read-only (ProtectSystem=strict) but the state directory
# (StateDirectory=), empty /tmp and /var/tmp (PrivateTmp=), empty /home, /root and /run/user
# (ProtectHome=), other users' processes hidden (ProtectProc=invisible). Then as the unit's user
# and group, no new privileges, its descriptor limit and umask, and the kernel's
# memory-deny-write-execute (PR_SET_MDWE, what MemoryDenyWriteExecute= asks of systemd;
# inherited across exec).
cat >"$work/sandbox.sh" <<'SANDBOX'
set -euo pipefail
root="$1" state="$2" user="$3" group="$4" nofile="$5" umask_value="$6"
shift 6
ip link set lo up
mount --make-rprivate /
mount --bind "$root" "$root"
mount -t proc -o hidepid=invisible proc "$root/proc"
mount --bind "$root$state" "$root$state"
for d in /tmp /var/tmp; do mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root$d"; done
for d in /home /root /run/user; do
    [ -d "$root$d" ] && mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root$d"
done
mount -o remount,bind,ro "$root"
umask "$umask_value"
# x86-64: prctl is system call 157, PR_SET_MDWE 65, PR_MDWE_REFUSE_EXEC_GAIN 1.
exec perl -e 'syscall(157, 65, 1, 0, 0, 0) == 0 or die "PR_SET_MDWE: $!\n"; exec @ARGV or die "exec: $!\n"' -- \
    prlimit --nofile="$nofile" -- \
    chroot "$root" setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
    --inh-caps=-all --bounding-set=-all -- "$@"
SANDBOX

# run_service ADDRESS PORT: starts the command line, expects it to listen on ADDRESS:PORT, runs
# the phoenix client's round trip there, checks the process's user and limit, and stops it
# with SIGTERM, as `systemctl stop` does; it must exit 0.
run_service() {
    local address="$1" port="$2" status=0
    service_command
    phase "starting the service's command line"
    unshare --net --mount --fork -- bash "$work/sandbox.sh" "$root" "$state" "$user" "$group" \
        "$nofile" "$umask_value" \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HOME="$home" USER="$user" LOGNAME="$user" SHELL=/usr/sbin/nologin "${service_env[@]}" \
        "${argv[@]}" >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    # The server's network namespace is the client's.
    for _ in $(seq 1 100); do
        server_child="$(awk '{ print $1 }' "/proc/$server_pid/task/$server_pid/children" 2>/dev/null || true)"
        [ -n "$server_child" ] && grep -q 'chatter-server listening on' "$work/server.out" && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.2
    done
    if ! grep -q 'chatter-server listening on' "$work/server.out"; then
        cat "$work/server.out" "$work/server.err" >&2
        die "the server did not start"
    fi
    log "server: $(grep 'chatter-server listening on' "$work/server.out")"
    grep -q "listening on $address:$port\$" "$work/server.out" || die "it does not listen on $address:$port"

    phase "joining a room with the phoenix client on port $port"
    nsenter --net="/proc/$server_child/ns/net" -- timeout 60 node "$roundtrip" "$port" ||
        { cat "$work/server.err" >&2; die "the phoenix client's round trip"; }

    [ "$(cat "/proc/$server_child/comm")" = chatter-server ] || die "pid $server_child is not the server"
    [ "$(stat -c %u "/proc/$server_child")" = "$uid" ] || die "the server does not run as $user"
    grep -q "^Max open files *$nofile" "/proc/$server_child/limits" ||
        die "the server's descriptor limit is not LimitNOFILE=$nofile"
    [ "$(stat -c '%u' "$root$state/chatter.db")" = "$uid" ] || die "no chatter.db of $user in $state"

    phase "stopping the server (SIGTERM, as systemctl stop)"
    kill -TERM "$server_child"
    timeout 30 tail --pid="$server_child" -f /dev/null || die "the server did not stop within 30 s"
    wait "$server_pid" || status=$?
    server_pid=""
    server_child=""
    [ "$status" -eq 0 ] || { cat "$work/server.err" >&2; die "the server exited with $status"; }
}

# The packaged settings: every interface, port 4000.
run_service 0.0.0.0 4000
# An administrator's: a variable and further flags in /etc/default/chatter-server.
defaults="$root/etc/default/chatter-server"
sed -i 's/^#CHATTER_PORT=4000$/CHATTER_PORT=4100/
    s/^CHATTER_SERVER_ARGS=""$/CHATTER_SERVER_ARGS="--bind 127.0.0.1 --log-level warning"/' "$defaults"
grep -qx 'CHATTER_PORT=4100' "$defaults" && grep -q '^CHATTER_SERVER_ARGS="--bind' "$defaults" ||
    die "/etc/default/chatter-server no longer has the lines this test edits"
run_service 127.0.0.1 4100

phase "chatter --version and --help"
version="$(dpkg-deb -f "$client_deb" Version)"
in_root env QT_QPA_PLATFORM=offscreen HOME=/tmp chatter --version >"$work/chatter.out" 2>&1 ||
    { cat "$work/chatter.out" >&2; die "chatter --version"; }
grep -qx "chatter ${version%-*}" "$work/chatter.out" ||
    die "chatter --version says '$(cat "$work/chatter.out")', not chatter ${version%-*}"
in_root env QT_QPA_PLATFORM=offscreen HOME=/tmp chatter --help >"$work/chatter.out" 2>&1 ||
    { cat "$work/chatter.out" >&2; die "chatter --help"; }
grep -q -- '--server <address>' "$work/chatter.out" || die "chatter --help lists no --server"

phase "apt purge of both packages"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q chatter-server chatter \
    >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; die "apt purge"; }
[ ! -e "$wants" ] || die "purge left the unit enabled"
[ ! -e "$root/usr/bin/chatter-server" ] || die "purge left /usr/bin/chatter-server"
[ -f "$root$state/chatter.db" ] || die "purge removed the chat history in $state"

phase "done"
