# shellcheck shell=bash
# What the README's screenshot scripts share, sourced by them: run the GUI
# test that captures the window under Xvfb, then make that capture small.
# It checks that the tools are installed, that the test photos are there
# and that the test made its capture, and fails saying which is missing.
#
#   screenshot_make NAME BUILD_DIR TEST [TEST_ARGS]
# runs TEST (with TEST_ARGS, if given) in BUILD_DIR (set up if it is not),
# which must leave BUILD_DIR/tests/app/screenshot-NAME.png, and writes
# docs/screenshots/NAME.png at most 1200 pixels wide.
# Needs: xvfb, dbus, imagemagick, pngquant, optipng (Debian packages).

screenshot_make() {
  local name=$1 build=$2 test=$3 test_args=${4:-}
  local out=docs/screenshots/$name.png width=1200
  local capture="$build/tests/app/screenshot-$name.png"
  local tool
  local -a args=()

  for tool in xvfb-run:xvfb dbus-run-session:dbus-daemon convert:imagemagick \
              pngquant:pngquant optipng:optipng; do
    if ! command -v "${tool%%:*}" >/dev/null; then
      echo "screenshot-$name: ${tool%%:*} is missing: apt-get install ${tool##*:}" >&2
      exit 1
    fi
  done

  if [ ! -s tests/media/photos/grace_hopper.jpg ] || [ ! -s tests/media/photos/astronaut.png ]; then
    build-aux/install-test-photos.sh
  fi

  [ -d "$build" ] || meson setup "$build" -Dbuildtype=debugoptimized
  meson compile -C "$build" "$test"

  [ -z "$test_args" ] || args=(--test-args "$test_args")
  rm -f "$capture"
  xvfb-run -a -s "-screen 0 1600x1800x24" dbus-run-session -- \
    meson test -C "$build" --print-errorlogs "$test" "${args[@]}"
  [ -s "$capture" ] || { echo "screenshot-$name: the test made no $capture" >&2; exit 1; }

  # At most $width pixels wide, no metadata (no dates, so the same window
  # gives the same bytes), then a palette chosen for it and the smallest
  # lossless encoding of that.
  mkdir -p "$(dirname "$out")"
  screenshot_tmp=$(mktemp --suffix=.png)
  trap 'rm -f "$screenshot_tmp"' EXIT
  convert "$capture" -resize "${width}x>" -strip "PNG24:$screenshot_tmp"
  pngquant --force --skip-if-larger --quality 80-95 --speed 1 --strip --output "$out" "$screenshot_tmp" ||
    cp "$screenshot_tmp" "$out"
  optipng -quiet -o5 -strip all "$out"
  echo "screenshot-$name: wrote $out ($(stat -c %s "$out") bytes)"
}
