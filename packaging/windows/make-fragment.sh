#!/usr/bin/env bash
# Writes the WiX fragment that lists a staged install tree for the MSI:
#   packaging/windows/make-fragment.sh STAGE_ROOT OUT.wxs
# Every regular file under STAGE_ROOT becomes one component under
# INSTALLDIR in the component group PlayAlterFiles (playalter.wxs uses
# it). wixl-heat names each component and file after a hash of its path
# relative to the root, so the ids stay the same from build to build;
# the list is sorted (C locale) so the fragment is too. File sources are
# $(var.StageDir)/PATH: build-msi.sh passes StageDir.
# Runs the same on Linux (the packaging test) and on MSYS2 (the release
# workflow, after collect-msys2.sh has added the runtime).
set -euo pipefail
root=${1:?usage: make-fragment.sh STAGE_ROOT OUT.wxs}
out=${2:?usage: make-fragment.sh STAGE_ROOT OUT.wxs}

if ! command -v wixl-heat >/dev/null; then
  echo "make-fragment: wixl-heat is missing (msitools/wixl)" >&2
  exit 1
fi

out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
cd "$root"
count=$(find . -type f | wc -l)
if [ "$count" -eq 0 ]; then
  echo "make-fragment: $root holds no file" >&2
  exit 1
fi
# Paths start with ./ so the directory ids, hashed from them, do not
# depend on where the stage is.
find . -type f | LC_ALL=C sort |
  wixl-heat --var var.StageDir -p ./ \
    --component-group PlayAlterFiles --directory-ref INSTALLDIR --win64 \
    >"$out_abs.tmp"
mv "$out_abs.tmp" "$out_abs"
echo "make-fragment: $count files listed in $out" >&2
