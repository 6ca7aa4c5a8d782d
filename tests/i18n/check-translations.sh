#!/usr/bin/env bash
# The translations: for every language in po/LINGUAS,
#  - msgfmt --check accepts its .po (formats, plurals, header, mnemonics);
#  - it is complete: every message of a catalogue made afresh from the
#    sources (po/POTFILES.in, with the same xgettext options meson's
#    i18n module uses) has a translation that is neither missing nor fuzzy,
#    so a new string without its translations fails here;
#  - the built .desktop file and metainfo carry that language (they are
#    translated through the same .po by meson's i18n.merge_file).
# Usage: check-translations.sh SOURCE_ROOT BUILD_ROOT
set -euo pipefail
src=$1
build=$2
for tool in xgettext msgfmt msgcmp; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: install Debian's gettext"; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t languages < <(grep -v '^#' "$src/po/LINGUAS" | tr ' ' '\n' | sed '/^$/d')
if [ "${#languages[@]}" -eq 0 ]; then
  echo "po/LINGUAS lists no language"
  exit 1
fi

grep -v '^#' "$src/po/POTFILES.in" | sed '/^$/d' > "$tmp/files"
# The options of meson's glib preset (i18n.gettext(preset: 'glib')).
(cd "$src" && xgettext --package-name=playalter --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
  -f "$tmp/files" -o "$tmp/playalter.pot" 2> "$tmp/xgettext.log") || {
  cat "$tmp/xgettext.log"; echo "xgettext could not read the sources"; exit 1; }
# A warning here means a message translators see differs from the one the
# program asks for (a macro inside _() cuts the string short, for one).
if grep -q 'warning' "$tmp/xgettext.log"; then
  cat "$tmp/xgettext.log"
  echo "xgettext warned about the sources: fix them so the catalogue matches the program"
  exit 1
fi
total=$(msgfmt --statistics -o /dev/null "$tmp/playalter.pot" 2>&1 | grep -o '[0-9]* untranslated' | grep -o '[0-9]*')
echo "the sources have $total messages"

status=0
for lang in "${languages[@]}"; do
  po=$src/po/$lang.po
  if [ ! -f "$po" ]; then
    echo "$lang: po/LINGUAS lists it but po/$lang.po does not exist"
    status=1
    continue
  fi
  if ! stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "$stats"
    echo "$lang: msgfmt --check rejects po/$lang.po"
    status=1
    continue
  fi
  echo "$lang: msgfmt --check: $stats"
  # msgcmp counts a fuzzy or untranslated entry as missing.
  if ! missing=$(msgcmp "$po" "$tmp/playalter.pot" 2>&1); then
    echo "$missing" | grep -E 'untranslated|used but not defined|fuzzy' | sed -n '1,20p'
    echo "$lang: po/$lang.po lacks translations for $(echo "$missing" | grep -cE 'untranslated|used but not defined|fuzzy') messages of the sources (msgmerge it with the catalogue and translate them)"
    status=1
    continue
  fi
  echo "$lang: all $total messages of the sources are translated"

  desktop=$build/resources/io.playalter.PlayAlter.desktop
  metainfo=$build/resources/io.playalter.PlayAlter.metainfo.xml
  for key in GenericName Comment Keywords; do
    if ! grep -q "^$key\[$lang\]=" "$desktop"; then
      echo "$lang: the built .desktop file has no $key[$lang]"
      status=1
    fi
  done
  for element in summary p; do
    if ! grep -q "<$element xml:lang=\"$lang\">" "$metainfo"; then
      echo "$lang: the built metainfo has no <$element xml:lang=\"$lang\">"
      status=1
    fi
  done
  [ "$status" = 0 ] && echo "$lang: the .desktop file and the metainfo are translated"
done
exit "$status"
