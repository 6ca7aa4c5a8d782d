#!/usr/bin/env bash
# Signs PlayAlter.app, or the disk image made from it, with a Developer
# ID, on macOS:
#   packaging/macos/sign.sh PlayAlter.app
#   packaging/macos/sign.sh PlayAlter.dmg
# Needs, from the release workflow's secrets:
#   MACOS_CERTIFICATE           the Developer ID Application certificate
#                               and key, as a base64 .p12
#   MACOS_CERTIFICATE_PASSWORD  its password
#   MACOS_SIGN_IDENTITY         e.g. "Developer ID Application: NAME (TEAMID)"
# Without them it says so and leaves the app signed ad hoc (as
# make-bundle.sh left it): it runs, but Gatekeeper warns on first open.
# An app is signed inside out (libraries, plugins, helper programs, then
# the app) with the hardened runtime and entitlements.plist, and verified.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=${1:?usage: sign.sh PlayAlter.app|PlayAlter.dmg}

if [ -z "${MACOS_CERTIFICATE:-}" ] || [ -z "${MACOS_CERTIFICATE_PASSWORD:-}" ] ||
   [ -z "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "sign: SKIPPED: no signing secrets (MACOS_CERTIFICATE, MACOS_CERTIFICATE_PASSWORD, MACOS_SIGN_IDENTITY): $target is not signed with a Developer ID (the app's binaries stay signed ad hoc)"
  exit 0
fi

work=$(mktemp -d)
keychain=$work/signing.keychain-db
keychain_password=$(uuidgen)
cleanup() {
  security delete-keychain "$keychain" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
printf '%s' "$MACOS_CERTIFICATE" | base64 --decode >"$work/cert.p12"
security create-keychain -p "$keychain_password" "$keychain"
security set-keychain-settings -lut 3600 "$keychain"
security unlock-keychain -p "$keychain_password" "$keychain"
security import "$work/cert.p12" -k "$keychain" -P "$MACOS_CERTIFICATE_PASSWORD" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$keychain_password" "$keychain" >/dev/null
mapfile -t keychains < <(security list-keychains -d user | tr -d '" ')
security list-keychains -d user -s "$keychain" "${keychains[@]}"

sign() {
  codesign --force --timestamp --options runtime --keychain "$keychain" \
    --sign "$MACOS_SIGN_IDENTITY" "$@"
}
if [[ "$target" == *.dmg ]]; then
  sign "$target"
  codesign --verify --verbose=2 "$target"
  echo "sign: signed $target as $MACOS_SIGN_IDENTITY"
  exit 0
fi
app=$target
while IFS= read -r f; do
  if file -b "$f" | grep -q 'Mach-O'; then
    sign "$f"
  fi
done < <(find "$app/Contents/Frameworks" "$app/Contents/Resources/lib" \
              "$app/Contents/Resources/libexec" -type f)
for f in "$app"/Contents/MacOS/*; do
  sign --entitlements "$here/entitlements.plist" "$f"
done
sign --entitlements "$here/entitlements.plist" "$app"
codesign --verify --deep --strict --verbose=2 "$app"
echo "sign: signed $app as $MACOS_SIGN_IDENTITY"
