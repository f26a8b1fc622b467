#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a command with a Secret Service of its own: a private D-Bus session (dbus-run-session
# calls this script again inside it) and Debian's gnome-keyring-daemon with a keyring in a
# temporary home, unlocked with a throwaway password. Used by the keychain token tests.
set -eu
if [ -z "${CHATTER_IN_PRIVATE_BUS:-}" ]; then
    export CHATTER_IN_PRIVATE_BUS=1
    exec dbus-run-session -- "$0" "$@"
fi
home="$(mktemp -d)"
export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
printf 'chatter-test\n' | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >/dev/null 2>&1 &
keyring=$!
cleanup() {
    kill "$keyring" 2>/dev/null || true
    wait "$keyring" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT
# Bounded wait for the daemon to own org.freedesktop.secrets on the bus.
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { echo "no Secret Service after 10 s" >&2; exit 1; }
    sleep 0.1
done
"$@"
