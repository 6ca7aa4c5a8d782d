#!/usr/bin/env bash
# Makes docs/screenshots/faceswap.png, the README's picture: the app
# after a real offline swap of grace_hopper.jpg (the face) onto
# astronaut.png, the before/after divider in the middle.
#
# The picture is not drawn for the occasion: test-faceswap swaps through
# the Face Swap page, with the real engine and store, and captures the
# window as it is then (screenshot-faceswap.png in the build folder).
# This runs that test under Xvfb and makes the capture small.
#   build-aux/screenshot-faceswap.sh [BUILD_DIR]     (default: _build)
# Needs: xvfb, dbus, imagemagick, pngquant, optipng (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-_build}
out=docs/screenshots/faceswap.png
width=1200

for tool in xvfb-run:xvfb dbus-run-session:dbus-daemon convert:imagemagick \
            pngquant:pngquant optipng:optipng; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    echo "screenshot-faceswap: ${tool%%:*} is missing: apt-get install ${tool##*:}" >&2
    exit 1
  fi
done

[ -s tests/media/photos/grace_hopper.jpg ] && [ -s tests/media/photos/astronaut.png ] ||
  build-aux/install-test-photos.sh

[ -d "$build" ] || meson setup "$build" -Dbuildtype=debugoptimized
meson compile -C "$build" test-faceswap

capture="$build/tests/app/screenshot-faceswap.png"
rm -f "$capture"
xvfb-run -a -s "-screen 0 1600x1800x24" dbus-run-session -- \
  meson test -C "$build" --print-errorlogs test-faceswap
[ -s "$capture" ] || { echo "screenshot-faceswap: the test made no $capture" >&2; exit 1; }

# At most $width pixels wide, no metadata (no dates, so the same window
# gives the same bytes), then a palette chosen for it and the smallest
# lossless encoding of that.
mkdir -p "$(dirname "$out")"
tmp=$(mktemp --suffix=.png)
trap 'rm -f "$tmp"' EXIT
convert "$capture" -resize "${width}x>" -strip "PNG24:$tmp"
pngquant --force --skip-if-larger --quality 80-95 --speed 1 --strip --output "$out" "$tmp" ||
  cp "$tmp" "$out"
optipng -quiet -o5 -strip all "$out"
echo "screenshot-faceswap: wrote $out ($(stat -c %s "$out") bytes)"
