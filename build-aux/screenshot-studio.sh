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
# shellcheck source=build-aux/screenshot-common.sh
. build-aux/screenshot-common.sh

screenshot_make studio "${1:-_build}" test-studio "-p /studio/screenshot"
