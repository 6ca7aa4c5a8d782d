#!/usr/bin/env bash
# package-msi: checks the STRUCTURE of PlayAlter's Windows installer, not
# Windows binaries. It stages this (Linux) build's meson install with
# build-aux/package-msi-stage.sh, whose programs are Linux ELF files given
# .exe names, compiles packaging/windows/playalter.wxs against that stage
# with wixl (packaging/windows/build-msi.sh, as the release workflow does
# on MSYS2), and reads the MSI back with msiinfo:
#   - ProductVersion is meson's version; UpgradeCode is PlayAlter's fixed
#     one, in the Upgrade table with a major upgrade (RemoveExistingProducts);
#     the ProductCode changes with the version and only with it
#   - per-machine (ALLUSERS=1), x64, INSTALLDIR = ProgramFiles64Folder\PlayAlter
#   - the File table holds exactly the staged files, at their staged paths
#     (bin\playalter.exe, bin\playalter-cli.exe, the schema, the icons,
#     the translations of po/LINGUAS ...)
#   - the Start-menu shortcut points at bin\playalter.exe with the icon,
#     and the icon (ARPPRODUCTICON) is an .ico with 16 to 256 px images
#   - compiling with a staged file missing fails
#   - the scripts that only run on MSYS2 (collect-msys2.sh, and
#     packaging/bundle-share.sh it calls) at least parse and pass shellcheck
# The Windows build itself is built, installed (msiexec /qn) and run by
# .github/workflows/release-msi.yml.

# The awk conditions below are single-quoted on purpose: $1... are awk's.
# shellcheck disable=SC2016
set -euo pipefail
src=${PLAYALTER_SOURCE_ROOT:?run through meson test}
build=${PLAYALTER_BUILD_ROOT:?run through meson test}
version=${PLAYALTER_VERSION:?run through meson test}
upgrade_code='{0DB3EDFD-9D6C-469B-88FA-B0F29E7AC7B9}'

echo "package-msi: checks the installer's structure (WiX source compiled by wixl, read"
echo "back by msiinfo) from this Linux build's install; the staged programs are Linux"
echo "ELF files named .exe, not Windows binaries (the release workflow builds those)."

missing=()
for tool in wixl wixl-heat msiinfo rsvg-convert icotool python3 meson shellcheck; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "FAIL: missing tools: ${missing[*]} (build-aux/install-deps.sh --tests installs them)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
check() {
  # check DESCRIPTION COMMAND...: runs the command, prints ok or FAIL.
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAIL: $what"
    failures=$((failures + 1))
  fi
}

echo "--- staging (meson install --destdir of $build)"
bash "$src/build-aux/package-msi-stage.sh" -C "$build" --out "$work/stage" --no-rebuild
stage=$work/stage
msi=$work/playalter-$version.msi

echo "--- compiling with wixl"
bash "$src/packaging/windows/build-msi.sh" "$stage" "$version" "$msi"

export_table() {
  msiinfo export "$msi" "$1" | tr -d '\r'
}

for t in Property Upgrade InstallExecuteSequence File Component Directory Shortcut Icon; do
  export_table "$t" >"$work/$t.idt"
done
msiinfo suminfo "$msi" >"$work/suminfo.txt"

property() {
  awk -F '\t' -v p="$1" 'NR > 3 && $1 == p { print $2 }' "$work/Property.idt"
}

# has_row TABLE AWK-CONDITION: some row of the exported table matches.
has_row() {
  awk -F '\t' "NR > 3 && ($2) { found = 1 } END { exit !found }" "$work/$1.idt"
}

check "ProductVersion is meson's version $version" \
  test "$(property ProductVersion)" = "$version"
check "UpgradeCode is PlayAlter's fixed $upgrade_code" \
  test "$(property UpgradeCode)" = "$upgrade_code"
check "Upgrade table finds older installs by that UpgradeCode" \
  has_row Upgrade "\$1 == \"$upgrade_code\" && \$7 == \"WIX_UPGRADE_DETECTED\""
check "a major upgrade removes the installed version (RemoveExistingProducts)" \
  has_row InstallExecuteSequence '$1 == "RemoveExistingProducts"'
check "per-machine install (ALLUSERS=1)" test "$(property ALLUSERS)" = 1
check "64-bit package (Template x64)" grep -q '^Template: x64;' "$work/suminfo.txt"
check "the app icon is the Add/Remove Programs icon" \
  test "$(property ARPPRODUCTICON)" = playalter.ico

# The File table against the stage: rebuild each file's install path from
# the Directory, Component and File tables and compare with the stage.
(cd "$stage/root" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$work/staged.txt"
python3 - "$work" >"$work/installed.txt" <<'PY'
import sys
work = sys.argv[1]

def rows(table):
    with open(f"{work}/{table}.idt", encoding="utf-8") as f:
        lines = f.read().splitlines()[3:]
    return [line.split("\t") for line in lines if line]

def long_name(name):
    return name.split("|")[-1]

dirs = {r[0]: (r[1], long_name(r[2])) for r in rows("Directory")}

def dir_path(d):
    parts = []
    while d != "INSTALLDIR":
        if d not in dirs or not dirs[d][0]:
            raise SystemExit(f"directory {d} is not under INSTALLDIR")
        parent, name = dirs[d]
        parts.append(name)
        d = parent
    return list(reversed(parts))

comp_dir = {r[0]: r[2] for r in rows("Component")}
paths = ["/".join(dir_path(comp_dir[r[1]]) + [long_name(r[2])]) for r in rows("File")]
print("\n".join(sorted(paths)))
PY
LC_ALL=C sort -o "$work/installed.txt" "$work/installed.txt"
staged_count=$(wc -l <"$work/staged.txt")
installed_count=$(wc -l <"$work/installed.txt")
echo "staged files: $staged_count, File table rows: $installed_count"
check "the File table holds every staged file at its path, and nothing else" \
  diff -u "$work/staged.txt" "$work/installed.txt"
for f in bin/playalter.exe bin/playalter-cli.exe \
         share/glib-2.0/schemas/io.playalter.PlayAlter.gschema.xml \
         share/icons/hicolor/scalable/apps/io.playalter.PlayAlter.svg \
         share/metainfo/io.playalter.PlayAlter.metainfo.xml; do
  check "the MSI installs $f" grep -qxF "$f" "$work/installed.txt"
done
# The translations: every language of po/LINGUAS.
while read -r lang; do
  case "$lang" in ''|'#'*) continue ;; esac
  check "the MSI installs the $lang translation" \
    grep -qxF "share/locale/$lang/LC_MESSAGES/playalter.mo" "$work/installed.txt"
done <"$src/po/LINGUAS"
check "INSTALLDIR is ProgramFiles64Folder\\PlayAlter" \
  has_row Directory '$1 == "INSTALLDIR" && $2 == "ProgramFiles64Folder" && $3 ~ /(^|[|])PlayAlter$/'
check "a Start-menu shortcut runs bin\\playalter.exe with the app icon" \
  has_row Shortcut '$2 == "ProgramMenuFolder" && $5 == "[INSTALLDIR]bin\\playalter.exe" && $9 == "playalter.ico"'
check "the Icon table holds playalter.ico" has_row Icon '$1 == "playalter.ico"'
msiinfo extract "$msi" Icon.playalter.ico >"$work/icon.ico"
icotool -l "$work/icon.ico" >"$work/icon.txt" || true
check "the icon is an .ico with a 16 px image" grep -q -- '--width=16 ' "$work/icon.txt"
check "the icon is an .ico with a 256 px image" grep -q -- '--width=256 ' "$work/icon.txt"

# The ProductCode: the same for a rebuild of a version, another for the next.
code1=$(property ProductCode)
bash "$src/packaging/windows/build-msi.sh" "$stage" "$version" "$work/again.msi" 2>/dev/null
code2=$(msiinfo export "$work/again.msi" Property | tr -d '\r' | awk -F '\t' '$1 == "ProductCode" { print $2 }')
bash "$src/packaging/windows/build-msi.sh" "$stage" 999.0.0 "$work/next.msi" 2>/dev/null
code3=$(msiinfo export "$work/next.msi" Property | tr -d '\r' | awk -F '\t' '$1 == "ProductCode" { print $2 }')
check "a rebuild keeps the ProductCode ($code1)" test "$code1" = "$code2"
check "another version gets another ProductCode ($code3)" test "$code1" != "$code3"
msiinfo export "$work/next.msi" Property | tr -d '\r' >"$work/next-Property.idt"
check "the version given reaches ProductVersion (999.0.0)" \
  grep -qxP 'ProductVersion\t999\.0\.0' "$work/next-Property.idt"

# A file listed in files.wxs but missing from the stage must stop the build.
cp -a "$stage" "$work/broken"
rm "$work/broken/root/share/glib-2.0/schemas/io.playalter.PlayAlter.gschema.xml"
if bash "$src/packaging/windows/build-msi.sh" "$work/broken" "$version" "$work/broken.msi" \
     >"$work/broken.log" 2>&1; then
  echo "FAIL: wixl compiled an MSI with a staged file missing"
  failures=$((failures + 1))
else
  echo "ok: compiling with a staged file missing fails:"
  grep -i "gschema" "$work/broken.log" | head -n 2 | sed 's/^/    /'
fi

# What runs only in the release workflow can only be linted here.
for script in "$src"/packaging/windows/*.sh "$src/packaging/bundle-share.sh"; do
  check "${script#"$src"/} parses and passes shellcheck" \
    bash -c 'bash -n "$1" && shellcheck "$1"' _ "$script"
done

if [ "$failures" -ne 0 ]; then
  echo "package-msi: $failures check(s) failed"
  exit 1
fi
echo "package-msi: all checks passed (structure only: no Windows binary was run)"
