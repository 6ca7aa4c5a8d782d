#!/usr/bin/env bash
# Stages the files the Windows installer (MSI) is made of:
#   build-aux/package.sh msi-stage [-C BUILDDIR] [--out DIR] [--no-rebuild]
# 1. `meson install --destdir` of the build (default _build) into a
#    scratch folder; the installed prefix's contents become DIR/root
#    (default _packages/msi-stage/root): bin/, share/...
# 2. Outside Windows the programs have no .exe suffix; the stage gives
#    them one, so the tree has the names the installer's shortcut and the
#    release use. Such a stage is for checking the installer's structure
#    (tests/packaging/test-msi.sh): its programs are not Windows binaries.
# 3. DIR/files.wxs lists DIR/root for WiX (packaging/windows/make-fragment.sh).
# On Windows the release workflow then adds the runtime (DLLs, loaders,
# schemas, GStreamer plugins, the landmark model: packaging/windows/
# collect-msys2.sh), lists the tree again with make-fragment.sh and builds
# the MSI with packaging/windows/build-msi.sh.
# Prints DIR on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
builddir=$src/_build
out=$src/_packages/msi-stage
install_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -C) builddir=${2:?-C needs a build folder}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --no-rebuild) install_args+=(--no-rebuild); shift ;;
    *) echo "package-msi-stage: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ ! -f "$builddir/build.ninja" ]; then
  echo "package-msi-stage: $builddir is not a configured meson build (meson setup it first)" >&2
  exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
builddir=$(cd "$builddir" && pwd)

rm -rf "$out/destdir" "$out/root" "$out/files.wxs"
meson install -C "$builddir" --destdir "$out/destdir" --quiet "${install_args[@]}" >&2

# The prefix is wherever the build was configured to (/usr/local,
# C:/..., /ucrt64): find it by the CLI that every install has.
cli=$(find "$out/destdir" -path '*/bin/playalter-cli*' -type f | head -n 1)
if [ -z "$cli" ]; then
  echo "package-msi-stage: meson install put no bin/playalter-cli under $out/destdir" >&2
  exit 1
fi
mv "$(dirname "$(dirname "$cli")")" "$out/root"
rm -rf "$out/destdir"

if [ ! -e "$out/root/bin/playalter-cli.exe" ]; then
  echo "package-msi-stage: not a Windows build: naming bin/* *.exe for a structure-only stage" >&2
  for exe in "$out/root/bin"/*; do
    mv "$exe" "$exe.exe"
  done
fi

bash "$src/packaging/windows/make-fragment.sh" "$out/root" "$out/files.wxs"
echo "$out"
