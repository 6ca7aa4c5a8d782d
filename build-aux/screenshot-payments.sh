#!/usr/bin/env bash
# Makes docs/screenshots/payments.png, the README's picture of the
# Payments page: a Stripe test account with 120 seeded payments (the
# scripted account peer, tests/peers/stripe-account-peer.mjs), synced,
# its payments listed and one payment's detail open.
#
# The picture is not drawn for the occasion: test-payments's
# /payments/screenshot case signs in against the peer, lets the page
# sync through the real sync and store, checks the list against the
# peer, and captures the window (screenshot-payments.png in the build
# folder). This runs that case under Xvfb and makes the capture small.
#   build-aux/screenshot-payments.sh [BUILD_DIR]     (default: _build)
# Needs: xvfb, dbus, imagemagick, pngquant, optipng (Debian packages),
# node (the peer).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=build-aux/screenshot-common.sh
. build-aux/screenshot-common.sh

screenshot_make payments "${1:-_build}" test-payments "-p /payments/screenshot"
