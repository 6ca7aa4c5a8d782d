#!/usr/bin/env bash
# playalter-cli speaks the user's language: under LANGUAGE=LL it prints
# its own messages (GOptionContext's summary and option descriptions, its
# usage errors) and the core's error messages in that language, exactly
# as GNU gettext translates them from the installed catalogue; with no
# LANGUAGE it prints English. A message whose translation is missing
# (equal to the English) fails, so this cannot pass on an empty catalogue.
# Usage: test-cli-language.sh PLAYALTER_CLI LOCALEDIR LL...
set -euo pipefail
cli=$1
localedir=$2
shift 2
command -v gettext >/dev/null || { echo "gettext is missing: install Debian's gettext-base"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A C.UTF-8 locale with LANGUAGE set is enough: glibc ignores LANGUAGE
# only in the plain C locale.
export LC_ALL=C.UTF-8
export PLAYALTER_LOCALEDIR=$localedir
export PLAYALTER_DATA_DIR=$tmp/data
status=0

# What GNU gettext makes of MSGID in LANG.
translate () {
  LANGUAGE=$1 TEXTDOMAINDIR=$localedir gettext -d playalter -- "$2"
}

# The CLI's output for ARG... in LANG ("en": no LANGUAGE at all).
run_cli () {
  local lang=$1
  shift
  if [ "$lang" = en ]; then
    env -u LANGUAGE "$cli" "$@" 2>&1 || true
  else
    LANGUAGE=$lang "$cli" "$@" 2>&1 || true
  fi
}

# expect LANG WHAT MSGID ARG... : the CLI's output for ARG... holds MSGID's translation.
expect () {
  local lang=$1 what=$2 msgid=$3 want got
  shift 3
  want=$(translate "$lang" "$msgid")
  if [ "$lang" != en ] && [ "$want" = "$msgid" ]; then
    echo "$lang: no translation of \"$msgid\" in $localedir/$lang/LC_MESSAGES/playalter.mo"
    status=1
    return
  fi
  got=$(run_cli "$lang" "$@")
  if [[ "$got" != *"$want"* ]]; then
    echo "$lang: $what does not show \"$want\"; it printed:"
    echo "$got" | sed 's/^/    /' | head -20
    status=1
  else
    echo "$lang: $what shows \"$want\""
  fi
}

# The durability message comes from the core (its own gettext calls).
durability_msgid='Unknown durability “%s”: use “normal” (the default) or “full” (every commit is written to the disk before it is reported)'

for lang in en "$@"; do
  expect "$lang" "--help" "Coordinate your PlayAlter accounts and workflows." --help
  expect "$lang" "--help" "Print the version and exit" --help
  expect "$lang" "no command" "No command given (try --help)"
  format=$(translate "$lang" "$durability_msgid")
  # shellcheck disable=SC2059 # the format is the catalogue's, as the program uses it
  want=$(printf "$format" bogus)
  got=$(run_cli "$lang" --durability bogus account list)
  if [ "$lang" != en ] && [ "$format" = "$durability_msgid" ]; then
    echo "$lang: no translation of the core's durability message"
    status=1
  elif [[ "$got" != *"$want"* ]]; then
    echo "$lang: the core's error for --durability bogus is not \"$want\"; it printed: $got"
    status=1
  else
    echo "$lang: the core's error shows \"$want\""
  fi
done
exit "$status"
