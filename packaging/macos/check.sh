#!/usr/bin/env bash
# Checks what of the macOS bundle can be checked off macOS:
#   packaging/macos/check.sh
# - every script here parses (bash -n) and passes shellcheck
# - Info.plist.in, with the version and minimum macOS put in as
#   make-bundle.sh does, is a valid plist (python3 plistlib) with the
#   bundle id, meson's version in both version keys, the camera and
#   microphone usage texts, NSHighResolutionCapable, an executable that
#   make-bundle.sh writes, and no placeholder left
# - entitlements.plist is a valid plist asking for camera and microphone
# The bundle itself is built, mounted and run by
# .github/workflows/release-dmg.yml on macOS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

for tool in shellcheck python3 meson; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: $tool is missing (build-aux/install-deps.sh --tests installs it)" >&2
    exit 1
  fi
done

failures=0
for script in "$here"/*.sh; do
  name=packaging/macos/$(basename "$script")
  if bash -n "$script" && shellcheck "$script"; then
    echo "ok: $name parses and passes shellcheck"
  else
    echo "FAIL: $name"
    failures=$((failures + 1))
  fi
done

version=${PLAYALTER_VERSION:-$(meson introspect "$src/meson.build" --projectinfo |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -e "s|@VERSION@|$version|g" -e "s|@MIN_MACOS@|14.0|g" \
  "$here/Info.plist.in" >"$work/Info.plist"

if python3 - "$work/Info.plist" "$version" "$here/entitlements.plist" "$here/make-bundle.sh" <<'PY'
import plistlib, re, sys
path, version, entitlements, make_bundle = sys.argv[1:]
problems = []
text = open(path, encoding="utf-8").read()
if re.search(r"@[A-Z_]+@", text):
    problems.append("a placeholder is left: " + re.search(r"@[A-Z_]+@", text).group(0))
with open(path, "rb") as f:
    info = plistlib.load(f)
want = {
    "CFBundleIdentifier": "io.playalter.PlayAlter",
    "CFBundleShortVersionString": version,
    "CFBundleVersion": version,
    "CFBundlePackageType": "APPL",
    "LSMinimumSystemVersion": "14.0",
    "NSHighResolutionCapable": True,
}
for key, value in want.items():
    if info.get(key) != value:
        problems.append(f"{key} is {info.get(key)!r}, not {value!r}")
for key in ("NSCameraUsageDescription", "NSMicrophoneUsageDescription"):
    if not str(info.get(key, "")).strip():
        problems.append(f"{key} is missing or empty")
exe = info.get("CFBundleExecutable", "")
if f'"$contents/MacOS/$prog"' not in open(make_bundle).read() or exe not in ("playalter",):
    problems.append(f"CFBundleExecutable {exe!r} is not the launcher make-bundle.sh writes")
with open(entitlements, "rb") as f:
    ent = plistlib.load(f)
for key in ("com.apple.security.device.camera", "com.apple.security.device.audio-input"):
    if ent.get(key) is not True:
        problems.append(f"entitlements.plist lacks {key}")
for p in problems:
    print("    " + p)
sys.exit(1 if problems else 0)
PY
then
  echo "ok: Info.plist (version $version) and entitlements.plist are valid and complete"
else
  echo "FAIL: Info.plist.in or entitlements.plist"
  failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
  echo "packaging/macos/check.sh: $failures check(s) failed"
  exit 1
fi
echo "packaging/macos/check.sh: all checks passed (macOS itself is checked by release-dmg.yml)"
