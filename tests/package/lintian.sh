#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lintian on the packages; any error or warning fails. initial-upload-closes-no-bugs is left
# out: it asks for the Debian bug of an archive upload, which these packages are not.
# usage: lintian.sh DEB_DIR
set -euo pipefail
debs=("$1"/*.deb)
[ -f "${debs[0]}" ] || { echo "no .deb in $1" >&2; exit 1; }
lintian --fail-on error,warning --display-info --suppress-tags initial-upload-closes-no-bugs \
    "${debs[@]}" 2>&1 | grep -v '^running with root privileges is not recommended!$' || true
exit "${PIPESTATUS[0]}"
