#!/usr/bin/env bash
# Compiles PlayAlter's MSI from a stage made by build-aux/package-msi-stage.sh:
#   packaging/windows/build-msi.sh STAGE VERSION OUT.msi
# STAGE holds root/ (the tree to install) and files.wxs (its list, from
# make-fragment.sh). VERSION is meson's (meson introspect --projectinfo).
# The ProductCode is derived from the version (UUID v5 in PlayAlter's own
# namespace): every release gets a new one, as a major upgrade needs, and
# rebuilding a release gives the same MSI identity. The icon is made from
# the SVG here (make-ico.sh). wixl (msitools) compiles it: the same
# compiler on Linux (tests/packaging/test-msi.sh) and on MSYS2 (release).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: build-msi.sh STAGE VERSION OUT.msi"
stage=${1:?$usage}
version=${2:?$usage}
out=${3:?$usage}

# Windows Installer versions are up to three numbers below 256, 256, 65536.
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "build-msi: version '$version' is not MAJOR.MINOR.PATCH, which an MSI needs" >&2
  exit 1
fi
for f in "$stage/files.wxs" "$stage/root"; do
  if [ ! -e "$f" ]; then
    echo "build-msi: $f is missing: run build-aux/package.sh msi-stage first" >&2
    exit 1
  fi
done
if ! command -v wixl >/dev/null; then
  echo "build-msi: wixl is missing (msitools)" >&2
  exit 1
fi

# Keep this namespace: changing it changes every release's ProductCode.
product_code=$(python3 -c '
import sys, uuid
ns = uuid.UUID("DF529708-911B-453C-9D5A-0DBAC19714BB")
print(str(uuid.uuid5(ns, "PlayAlter " + sys.argv[1])).upper())' "$version")

mkdir -p "$(dirname "$out")"
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
bash "$here/make-ico.sh" "$stage/playalter.ico"

# wixl rejects absolute Source paths (it looks each one up as a child of
# the working folder): compile from inside the stage with relative ones.
cd "$stage"
wixl -a x64 \
  -D Version="$version" \
  -D ProductCode="$product_code" \
  -D StageDir=root \
  -D IconFile=playalter.ico \
  -D Win64=yes \
  -o "$out_abs" \
  "$here/playalter.wxs" files.wxs
echo "build-msi: $out (version $version, ProductCode $product_code)" >&2
