#!/usr/bin/env bash
# Installs what the tests need, builds PlayAlter twice (optimised, and
# with AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test
# in both builds. Ends with one line: "N passed, N failed[, N skipped]".
#
# Strict: a test whose keyring, peer, fixture or helper program is missing
# fails (tests/common/pa-test-require.h), so the opt-out that would skip
# it instead is cleared here, whatever the caller's environment holds.
set -euo pipefail
cd "$(dirname "$0")/.."
unset PLAYALTER_TEST_ALLOW_MISSING

bash build-aux/install-deps.sh --tests
bash build-aux/install-test-peers.sh

run_suite () {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  else
    meson setup --reconfigure "$dir" "$@" >/dev/null
  fi
  meson compile -C "$dir"
  # A private session bus keeps the tests away from the user's keyring
  # (each keyring test also starts its own); Xvfb gives the GUI tests a
  # display of their own.
  xvfb-run -a -s "-screen 0 1280x1024x24" \
    dbus-run-session -- \
    meson test -C "$dir" --print-errorlogs --num-processes 2 "${MESON_TEST_ARGS[@]}" || true
}

MESON_TEST_ARGS=()
if [ -n "${PLAYALTER_TEST_SUITE:-}" ]; then
  MESON_TEST_ARGS+=(--suite "$PLAYALTER_TEST_SUITE")
fi

run_suite _build -Dbuildtype=debugoptimized
if [ "${PLAYALTER_SKIP_SANITIZERS:-0}" != 1 ]; then
  run_suite _build-sanitize -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
  logs=(_build/meson-logs/testlog.json _build-sanitize/meson-logs/testlog.json)
else
  logs=(_build/meson-logs/testlog.json)
fi

python3 build-aux/test-summary.py "${logs[@]}"
