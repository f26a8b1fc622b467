#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The hand-written man pages cannot drift from the programs: every option --help lists is in the
# page, and every option the page describes (a .TP item) is one --help lists. Also each page
# renders without a warning from man/groff.
# usage: check-manpages.sh PAGE PROGRAM [SUBCOMMAND...]
#   (PROGRAM --help and PROGRAM SUBCOMMAND --help are read)
set -euo pipefail
page="$1" program="$2"
shift 2

help="$(QT_QPA_PLATFORM=offscreen "$program" --help 2>/dev/null)"
for sub in "$@"; do
    help+=$'\n'"$(QT_QPA_PLATFORM=offscreen "$program" "$sub" --help 2>/dev/null)"
done
# "  -h, --help   ..." and "  --bind <address>   ...": the long names.
help_options="$(echo "$help" | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' | sort -u)"
[ -n "$help_options" ] || { echo "no options in '$program --help'" >&2; exit 1; }
# .TP, then a line with the option (\-\-name in roff): the options the page describes.
page_options="$(awk 'prev == ".TP" { print } { prev = $0 }' "$page" |
    grep -oE '\\-\\-([a-z0-9]|\\-)+' | sed 's/\\//g; s/^--//' | sort -u)"

missing="$(comm -23 <(echo "$help_options") <(echo "$page_options"))"
extra="$(comm -13 <(echo "$help_options") <(echo "$page_options"))"
status=0
if [ -n "$missing" ]; then
    echo "${page##*/} lacks what --help lists:" $missing >&2
    status=1
fi
if [ -n "$extra" ]; then
    echo "${page##*/} describes what --help does not list:" $extra >&2
    status=1
fi
warnings="$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)"
if [ -n "$warnings" ]; then
    echo "$warnings" >&2
    status=1
fi
[ "$status" -eq 0 ] && echo "${page##*/}: all $(echo "$help_options" | wc -l) options of --help, nothing else; renders cleanly"
exit "$status"
