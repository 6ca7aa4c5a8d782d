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
# shellcheck source=build-aux/screenshot-common.sh
. build-aux/screenshot-common.sh

screenshot_make faceswap "${1:-_build}" test-faceswap
