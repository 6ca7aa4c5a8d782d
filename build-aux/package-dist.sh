#!/usr/bin/env bash
# The source tarball every package builds from: meson dist of the
# committed tree (HEAD), as _packages/playalter-VERSION.tar.xz.
# Prints the tarball's path on its last line.
# Uncommitted changes are not in it: commit first (or pass --allow-dirty
# to build from HEAD anyway, as meson dist does).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/_packages
mkdir -p "$out"

# A configuration of its own, so the developer's _build is left alone.
# The tests need ../shared beside the tree, which a tarball does not
# have, so dist only packs the sources (--no-tests).
builddir=$root/_build-dist
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Dtests=false >/dev/null
fi
meson dist -C "$builddir" --no-tests --formats xztar "$@" >&2

version=$(meson introspect --projectinfo "$builddir" |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
tarball=playalter-$version.tar.xz
cp -f "$builddir/meson-dist/$tarball" "$out/$tarball"
echo "$out/$tarball"
