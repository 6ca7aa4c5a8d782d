#!/usr/bin/env bash
# package-dmg: what of the macOS bundle can be checked off macOS (scripts,
# Info.plist, entitlements): packaging/macos/check.sh. The bundle and the
# dmg are built, mounted and started by .github/workflows/release-dmg.yml.
set -euo pipefail
exec bash "${PLAYALTER_SOURCE_ROOT:?}/packaging/macos/check.sh"
