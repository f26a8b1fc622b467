#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs both components into a scratch folder (cmake --install, as cpack does) and checks
# what desktops and software centres read: desktop-file-validate on the .desktop files,
# appstreamcli on each metainfo file and on the tree (a launchable must name an installed
# desktop entry), and an icon in hicolor for every Icon= name. Warnings fail too.
# usage: validate-desktop.sh BUILD_DIR
set -euo pipefail
build="$1"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
for component in server client; do
    DESTDIR="$stage" cmake --install "$build" --prefix /usr --component "$component" >/dev/null
done

desktops=("$stage"/usr/share/applications/*.desktop)
metainfos=("$stage"/usr/share/metainfo/*.metainfo.xml)
[ "${#desktops[@]}" -eq 2 ] && [ -f "${desktops[0]}" ] || { echo "expected 2 .desktop files" >&2; exit 1; }
[ "${#metainfos[@]}" -eq 2 ] && [ -f "${metainfos[0]}" ] || { echo "expected 2 metainfo files" >&2; exit 1; }

output="$(desktop-file-validate "${desktops[@]}" 2>&1)" || { echo "$output" >&2; exit 1; }
# desktop-file-validate exits 0 on hints and warnings; any line is a finding.
[ -z "$output" ] || { echo "$output" >&2; echo "desktop-file-validate complained" >&2; exit 1; }
echo "desktop-file-validate: ${desktops[*]##*/} valid"

for m in "${metainfos[@]}"; do
    appstreamcli validate --no-net --no-color "$m" || { echo "appstreamcli: $m" >&2; exit 1; }
done
appstreamcli validate-tree --no-net --no-color "$stage" || { echo "appstreamcli validate-tree" >&2; exit 1; }

for d in "${desktops[@]}"; do
    icon="$(sed -n 's/^Icon=//p' "$d")"
    exec_name="$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$d")"
    ls "$stage"/usr/share/icons/hicolor/*/apps/"$icon".* >/dev/null 2>&1 ||
        { echo "${d##*/}: no hicolor icon named $icon" >&2; exit 1; }
    [ -x "$stage/usr/bin/$exec_name" ] || { echo "${d##*/}: Exec=$exec_name is not installed" >&2; exit 1; }
done
echo "icons and executables of both desktop entries are installed"
