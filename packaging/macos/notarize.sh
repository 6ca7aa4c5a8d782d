#!/usr/bin/env bash
# Notarises and staples the disk image, on macOS:
#   packaging/macos/notarize.sh PlayAlter.dmg
# Needs, from the release workflow's secrets, an app-specific password:
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD
# and an app and image signed by sign.sh (MACOS_SIGN_IDENTITY). Without them it says so and does nothing: the image is then not
# notarised, and macOS asks the user to confirm the first start.
set -euo pipefail
dmg=${1:?usage: notarize.sh PlayAlter.dmg}

if [ -z "${APPLE_ID:-}" ] || [ -z "${APPLE_TEAM_ID:-}" ] || [ -z "${APPLE_APP_PASSWORD:-}" ] ||
   [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "notarize: SKIPPED: no notarisation secrets (APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD, MACOS_SIGN_IDENTITY)"
  exit 0
fi

xcrun notarytool submit "$dmg" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
  --password "$APPLE_APP_PASSWORD" --wait
xcrun stapler staple "$dmg"
xcrun stapler validate "$dmg"
echo "notarize: $dmg notarised and stapled"
