#!/usr/bin/env bash
# Runs the libFuzzer targets of a -Dfuzzing=true build.
#
#   bash tests/fuzz/run.sh [--time SECONDS | --long] [--build DIR] [NAME...]
#
# Without NAME, every target runs, one after the other. --time runs each
# for SECONDS (default 30: what the test suite's "fuzz" suite does);
# --long runs each for 10 million executions and prints its statistics,
# for RESULTS.md. DIR is the tests/fuzz folder of the build (default:
# _build-fuzz/tests/fuzz; make the build with
#   CC=clang meson setup _build-fuzz -Dfuzzing=true && meson compile -C _build-fuzz fuzzers).
#
# Each target grows its own corpus in DIR/corpus/NAME, starting from the
# committed seeds and regressions and the seeds made from the fixtures.
# A crash, a leak or undefined behaviour stops the target, leaves the
# input in DIR/crashes/NAME/ and fails the run: minimise it with
#   G_SLICE=always-malloc DIR/fuzz-NAME -minimize_crash=1 -runs=100000 INPUT
# and add the result to tests/fuzz/regressions/NAME/ with the fix, so the
# ordinary test suite replays it from then on.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=
seconds=30
long=0
names=()

while [ $# -gt 0 ]; do
  case $1 in
    --time) seconds=$2; shift 2 ;;
    --long) long=1; shift ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "Unknown option $1" >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done

if [ -z "$build" ]; then
  build=$here/../../_build-fuzz/tests/fuzz
fi
build=$(cd "$build" && pwd)

if [ ${#names[@]} -eq 0 ]; then
  for exe in "$build"/fuzz-*; do
    [ -f "$exe" ] && [ -x "$exe" ] && names+=("${exe##*/fuzz-}")
  done
fi
if [ ${#names[@]} -eq 0 ]; then
  echo "No fuzz targets in $build: configure with CC=clang and -Dfuzzing=true" >&2
  exit 1
fi

# Inputs longer than this teach a target nothing its shorter ones do not,
# and slow it down.
max_len () {
  case $1 in
    workflow|template|form|openai|replicate|stripe|vercel|n8n|agora) echo 8192 ;;
    sse|stripe-webhook) echo 4096 ;;
    agora-token) echo 2048 ;;
    *) echo 4096 ;;
  esac
}

# JSON targets share one dictionary; the others have their own.
dictionary () {
  if [ -f "$here/dicts/$1.dict" ]; then
    echo "$here/dicts/$1.dict"
  else
    case $1 in
      workflow|template|openai|replicate|stripe|vercel|n8n|agora) echo "$here/dicts/json.dict" ;;
    esac
  fi
}

# GLib 2.74 keeps freed GSlice blocks for reuse: that hides leaks and
# makes libFuzzer look for leaks after almost every input.
export G_SLICE=always-malloc
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/../lsan.supp}

status=0
for name in "${names[@]}"; do
  exe=$build/fuzz-$name
  if [ ! -x "$exe" ]; then
    echo "No target $exe" >&2
    status=1
    continue
  fi

  corpus=$build/corpus/$name
  crashes=$build/crashes/$name
  mkdir -p "$corpus" "$crashes" "$build/logs"
  extra=()
  for dir in "$here/seeds/$name" "$here/regressions/$name" "$build/seeds/$name"; do
    [ -d "$dir" ] && extra+=("$dir")
  done

  args=(-max_len="$(max_len "$name")" -timeout=20 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$crashes/")
  dict=$(dictionary "$name")
  if [ -n "$dict" ]; then
    args+=(-dict="$dict")
  fi
  if [ "$long" = 1 ]; then
    args+=(-runs=10000000)
  else
    args+=(-max_total_time="$seconds")
  fi

  log=$build/logs/$name.log
  echo "== fuzz-$name ${args[*]}"
  start=$(date +%s)
  if "$exe" "${args[@]}" "$corpus" "${extra[@]}" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  elapsed=$(( $(date +%s) - start ))

  # The last status line and libFuzzer's final statistics.
  grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  echo "fuzz-$name: $result in ${elapsed}s (log: $log)"
  if [ "$result" != ok ]; then
    tail -n 80 "$log"
  fi
done
exit $status
