#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# systemd-analyze verify on chatter-server.service (a copy whose ExecStart names the built
# executable, which verify wants to exist, and with the man page its Documentation= names), then
# systemd-analyze security: the sandbox's exposure must stay at most MAX_EXPOSURE (0-10 scale).
# Any line verify prints (an unknown key, a value it cannot parse) fails the test.
# usage: verify-unit.sh UNIT SERVER_BINARY MAN_PAGE MAX_EXPOSURE
set -euo pipefail
unit="$1" binary="$2" man_page="$3" max_exposure="$4"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/man/man1"
cp "$man_page" "$work/man/man1/"
grep -q '^ExecStart=/usr/bin/chatter-server ' "$unit" || { echo "ExecStart is not /usr/bin/chatter-server" >&2; exit 1; }
sed "s|^ExecStart=/usr/bin/chatter-server |ExecStart=$binary |" "$unit" >"$work/$(basename "$unit")"

output="$(cd "$work" && MANPATH="$work/man:" systemd-analyze verify "$(basename "$unit")" 2>&1)" || {
    echo "$output" >&2
    echo "systemd-analyze verify failed" >&2
    exit 1
}
if [ -n "$output" ]; then
    echo "$output" >&2
    echo "systemd-analyze verify complained" >&2
    exit 1
fi
echo "systemd-analyze verify: no complaints"

# --threshold is the exposure times ten.
threshold="$(awk -v e="$max_exposure" 'BEGIN { printf "%d", e * 10 }')"
report="$(cd "$work" && systemd-analyze security --offline=yes --no-pager --threshold="$threshold" \
    "$(basename "$unit")" 2>&1)" || {
    echo "$report" >&2
    echo "the unit's exposure is above $max_exposure" >&2
    exit 1
}
echo "$report" | tail -n 1
