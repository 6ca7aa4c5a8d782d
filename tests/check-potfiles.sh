#!/usr/bin/env bash
# Every source file with translatable strings must be in po/POTFILES.in,
# and every file listed there must exist: otherwise a string silently
# never reaches translators.
set -eu
cd "$1"

status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort -u)

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done

found=$( { grep -rlE '\b(N?_|C_|NC_|g_dngettext|ngettext)\s*\(' core app --include='*.c' || true;
           grep -rl 'translatable="yes"' resources --include='*.ui' || true;
           ls resources/*.desktop.in resources/*.metainfo.xml.in resources/*.gschema.xml 2>/dev/null || true; } | sort -u)

for f in $found; do
  if ! printf '%s\n' "$listed" | grep -qxF "$f"; then
    echo "$f has translatable strings but is missing from po/POTFILES.in"
    status=1
  fi
done

[ "$status" = 0 ] && echo "po/POTFILES.in covers all $(printf '%s\n' "$found" | wc -l) files with translatable strings"
exit "$status"
