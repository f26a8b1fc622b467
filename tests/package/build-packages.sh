#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cpack in the build folder into OUT_DIR (the other package tests use what it makes), then checks
# the two packages' control fields: names, the project's version, and the dependencies that
# dpkg-shlibdeps found and that the packaging adds (plugins Qt loads, adduser for postinst).
# usage: build-packages.sh BUILD_DIR OUT_DIR PROJECT_VERSION
set -euo pipefail
build="$1" out="$2" version="$3"

rm -rf "$out"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log" >&2; exit 1; }
status=0
check() { # PACKAGE FIELD PATTERN: the field of the package's .deb matches the extended regex
    local deb value
    deb="$(ls "$out"/"$1"_*.deb)"
    value="$(dpkg-deb -f "$deb" "$2")"
    if ! [[ "$value" =~ $3 ]]; then
        echo "$1: $2 is '$value', expected to match $3" >&2
        status=1
    fi
}
for p in chatter-server chatter; do
    [ -f "$(ls "$out"/"$p"_*.deb 2>/dev/null | head -n 1)" ] || { echo "no $p .deb in $out" >&2; exit 1; }
    check "$p" Package "^$p\$"
    check "$p" Version "^${version//./\\.}-[0-9]+\$"
    check "$p" Architecture "^$(dpkg --print-architecture)\$"
    check "$p" Depends 'libqt6core6 \(>= [0-9.]+\)'
    check "$p" Depends 'libqt6widgets6'
done
for lib in adduser libqt6sql6-sqlite libqt6httpserver6 libssl3 libsodium23 'libicu[0-9]+' \
    'libhiredis[0-9.]+' 'liburing[0-9]+' libsqlite3-0 'libtcmalloc-minimal[0-9]+'; do
    check chatter-server Depends "(^|, )$lib( |,|\$)"
done
check chatter-server Recommends 'libqt6sql6-psql'
# Discovery needs the machine's avahi-daemon (libavahi-client3 alone only talks to it).
check chatter-server Recommends 'avahi-daemon'
check chatter Recommends 'avahi-daemon'
check chatter-server Depends 'libavahi-client3'
for lib in 'libqt6keychain[0-9]+' libqt6websockets6; do
    check chatter Depends "(^|, )$lib( |,|\$)"
done
for deb in "$out"/*.deb; do
    echo "${deb##*/}: $(dpkg-deb -f "$deb" Depends)"
done
exit "$status"
