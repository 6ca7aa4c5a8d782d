#!/usr/bin/env bash
# Makes docs/screenshots/studio.png, the README's picture of the studio:
# a looping video made from astronaut.png as the source, the live face
# swap on with grace_hopper.jpg's face, a text overlay, and a recording
# running so the stream's figures and chart show.
#
# The picture is not drawn for the occasion: test-studio's /studio/screenshot
# case sets this up through the Studio page, with the real stream, face
# swap and store, checks it, and captures the window as it is then
# (screenshot-studio.png in the build folder). This runs that case under
# Xvfb and makes the capture small.
#   build-aux/screenshot-studio.sh [BUILD_DIR]     (default: _build)
# Needs: xvfb, dbus, imagemagick, pngquant, optipng (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-_build}
out=docs/screenshots/studio.png
width=1200

for tool in xvfb-run:xvfb dbus-run-session:dbus-daemon convert:imagemagick \
            pngquant:pngquant optipng:optipng; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    echo "screenshot-studio: ${tool%%:*} is missing: apt-get install ${tool##*:}" >&2
    exit 1
  fi
done

[ -s tests/media/photos/grace_hopper.jpg ] && [ -s tests/media/photos/astronaut.png ] ||
  build-aux/install-test-photos.sh

[ -d "$build" ] || meson setup "$build" -Dbuildtype=debugoptimized
meson compile -C "$build" test-studio

capture="$build/tests/app/screenshot-studio.png"
rm -f "$capture"
xvfb-run -a -s "-screen 0 1600x1800x24" dbus-run-session -- \
  meson test -C "$build" --print-errorlogs test-studio --test-args "-p /studio/screenshot"
[ -s "$capture" ] || { echo "screenshot-studio: the test made no $capture" >&2; exit 1; }

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
echo "screenshot-studio: wrote $out ($(stat -c %s "$out") bytes)"
