#!/usr/bin/env bash
# Installs what the tests need, builds PlayAlter twice (optimised, and
# with AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test
# in both builds, then builds the fuzz targets with clang (-Dfuzzing=true)
# and runs each for 30 s (the "fuzz" suite; a crash, leak or undefined
# behaviour fails it). Ends with one line: "N passed, N failed[, N skipped]".
# PLAYALTER_SKIP_SANITIZERS=1 and PLAYALTER_SKIP_FUZZ=1 leave out the
# second and third builds.
#
# Strict: a test whose keyring, peer, fixture or helper program is missing
# fails (tests/common/pa-test-require.h), so the opt-out that would skip
# it instead is cleared here, whatever the caller's environment holds.
set -euo pipefail
cd "$(dirname "$0")/.."
unset PLAYALTER_TEST_ALLOW_MISSING

bash build-aux/install-deps.sh --tests
bash build-aux/install-test-peers.sh
bash build-aux/install-test-photos.sh

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
    meson test -C "$dir" --print-errorlogs --num-processes 2 --no-suite packaging \
      "${MESON_TEST_ARGS[@]}" || true
}

# The packages are built once, from the optimised build's configuration,
# one at a time (each is a full build of its own), after everything else.
run_packaging () {
  local dir=$1
  meson test -C "$dir" --print-errorlogs --num-processes 1 --suite packaging \
    --logbase testlog-packaging || true
}

MESON_TEST_ARGS=()
if [ -n "${PLAYALTER_TEST_SUITE:-}" ]; then
  MESON_TEST_ARGS+=(--suite "$PLAYALTER_TEST_SUITE")
fi

# The fuzz build compiles only the fuzz targets (the "fuzzers" alias) and
# runs only the "fuzz" suite: the other two builds run everything else,
# the fuzz targets' regressions included.
run_fuzz () {
  local dir=$1
  if [ ! -f "$dir/build.ninja" ]; then
    CC=clang CXX=clang++ meson setup "$dir" -Dbuildtype=debugoptimized -Dfuzzing=true
  else
    meson setup --reconfigure "$dir" -Dfuzzing=true >/dev/null
  fi
  meson compile -C "$dir" fuzzers
  meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 --suite fuzz || true
}

run_suite _build -Dbuildtype=debugoptimized
logs=(_build/meson-logs/testlog.json)
if [ -z "${PLAYALTER_TEST_SUITE:-}" ] || [ "$PLAYALTER_TEST_SUITE" = packaging ]; then
  run_packaging _build
  logs+=(_build/meson-logs/testlog-packaging.json)
fi
if [ "${PLAYALTER_SKIP_SANITIZERS:-0}" != 1 ]; then
  run_suite _build-sanitize -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
  logs+=(_build-sanitize/meson-logs/testlog.json)
fi
if [ "${PLAYALTER_SKIP_FUZZ:-0}" != 1 ] &&
   { [ -z "${PLAYALTER_TEST_SUITE:-}" ] || [ "$PLAYALTER_TEST_SUITE" = fuzz ]; }; then
  run_fuzz _build-fuzz
  logs+=(_build-fuzz/meson-logs/testlog.json)
fi

python3 build-aux/test-summary.py "${logs[@]}"
