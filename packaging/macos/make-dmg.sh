#!/usr/bin/env bash
# Makes the disk image users download, on macOS:
#   packaging/macos/make-dmg.sh PlayAlter.app OUT.dmg
# The image holds the app and a link to /Applications to drag it onto,
# compressed (UDZO). Sign the app first (sign.sh), notarise the image
# after (notarize.sh).
set -euo pipefail
usage="usage: make-dmg.sh PlayAlter.app OUT.dmg"
app=${1:?$usage}
out=${2:?$usage}
if [ ! -f "$app/Contents/Info.plist" ]; then
  echo "make-dmg: $app is not an app bundle (make-bundle.sh makes it)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/PlayAlter"
cp -R "$app" "$work/PlayAlter/"
ln -s /Applications "$work/PlayAlter/Applications"
mkdir -p "$(dirname "$out")"
rm -f "$out"
hdiutil create -volname PlayAlter -srcfolder "$work/PlayAlter" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$out"
hdiutil verify "$out"
echo "make-dmg: $out"
