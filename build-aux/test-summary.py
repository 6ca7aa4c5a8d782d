#!/usr/bin/env python3
"""Counts test cases in meson's testlog.json files.

A TAP test program counts each of its `ok`/`not ok` lines; any other test
counts as one case. A program that crashed or timed out after its last
TAP line counts one extra failure, so a crash can never read as a pass.
Prints per-build failures, then "N passed, N failed[, N skipped]".
Exits 1 when anything failed or nothing ran.
"""
import json
import os
import re
import sys

TAP_PLAN = re.compile(r"^1\.\.\d+", re.MULTILINE)
TAP_LINE = re.compile(r"^(not ok|ok) \d+(.*)$")


def count(log_path):
    passed = failed = skipped = 0
    failures = []
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            name = entry["name"]
            result = entry["result"]
            stdout = entry.get("stdout") or ""
            cases = [TAP_LINE.match(l) for l in stdout.splitlines()]
            cases = [c for c in cases if c]
            if TAP_PLAN.search(stdout) and cases:
                for case in cases:
                    text = case.group(2)
                    if "# SKIP" in text.upper():
                        skipped += 1
                    elif case.group(1) == "ok":
                        passed += 1
                    else:
                        failed += 1
                        failures.append(f"{name}:{text.strip()}")
                if result not in ("OK", "SKIP", "EXPECTEDFAIL") and not any(
                    c.group(1) == "not ok" for c in cases
                ):
                    failed += 1
                    failures.append(f"{name}: {result} (exit {entry.get('returncode')})")
            elif result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                failures.append(f"{name}: {result}")
    return passed, failed, skipped, failures


def main(paths):
    total = [0, 0, 0]
    for path in paths:
        p, f, s, failures = count(path)
        build = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
        print(f"{build}: {p} passed, {f} failed, {s} skipped")
        for failure in failures:
            print(f"  FAILED {failure}")
        total[0] += p
        total[1] += f
        total[2] += s
    line = f"{total[0]} passed, {total[1]} failed"
    if total[2]:
        line += f", {total[2]} skipped"
    print(line)
    return 1 if total[1] or not total[0] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
