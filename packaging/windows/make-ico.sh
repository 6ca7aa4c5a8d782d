#!/usr/bin/env bash
# Makes the Windows icon (.ico) from the app's scalable SVG icon:
#   packaging/windows/make-ico.sh OUT.ico [SVG]
# rsvg-convert renders each size Windows asks for (16–48 for lists and
# the title bar, 256 for large icon views); icotool packs them, the 256 px
# one stored as PNG (-r) as Windows Vista and later expect.
# Needs rsvg-convert (librsvg) and icotool (icoutils); it fails when either
# is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-ico.sh OUT.ico [SVG]}
svg=${2:-$here/../../resources/icons/hicolor/scalable/apps/io.playalter.PlayAlter.svg}

for tool in rsvg-convert icotool; do
  if ! command -v "$tool" >/dev/null; then
    echo "make-ico: $tool is missing (librsvg / icoutils)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

small=()
for size in 16 24 32 48 64; do
  rsvg-convert -w "$size" -h "$size" -o "$work/$size.png" "$svg"
  small+=("$work/$size.png")
done
rsvg-convert -w 256 -h 256 -o "$work/256.png" "$svg"

mkdir -p "$(dirname "$out")"
icotool -c -o "$out" "${small[@]}" -r "$work/256.png"
