#!/usr/bin/env bash
# Adds to a bundled share/ folder the data GTK and PlayAlter read at run
# time, for the packages that carry their own GTK (the Windows MSI, the
# macOS app):
#   packaging/bundle-share.sh SHARE PREFIX LANDMARK_MODEL
# SHARE is the bundle's share/ (it already holds PlayAlter's meson
# install); PREFIX is where the libraries came from (MSYS2's /ucrt64,
# Homebrew's prefix), whose share/ it copies from:
#   - GTK's GSettings schemas, compiled with PlayAlter's (--strict)
#   - the Adwaita icon theme and hicolor's index, with their caches
#   - GLib's, GTK's, libadwaita's and gdk-pixbuf's translations for each
#     language PlayAlter has in SHARE/locale
#   - dlib's landmark model, checked by its sha256, as
#     SHARE/dlib/shape_predictor_68_face_landmarks.dat
set -euo pipefail
usage="usage: bundle-share.sh SHARE PREFIX LANDMARK_MODEL"
share=${1:?$usage}
prefix=${2:?$usage}
model=${3:?$usage}
# shape_predictor_68_face_landmarks.dat as dlib publishes it (the same
# file as Debian's libdlib-data).
model_sha256=fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f

if command -v sha256sum >/dev/null; then
  sum=$(sha256sum "$model" | cut -d ' ' -f 1)
else
  sum=$(shasum -a 256 "$model" | cut -d ' ' -f 1)
fi
if [ "$sum" != "$model_sha256" ]; then
  echo "bundle-share: $model is not dlib's 68-point landmark model (sha256 $sum)" >&2
  exit 1
fi

echo "bundle-share: GSettings schemas"
schemas=$share/glib-2.0/schemas
mkdir -p "$schemas"
cp "$prefix"/share/glib-2.0/schemas/org.gtk.gtk4.*.gschema.xml "$schemas/"
glib-compile-schemas --strict "$schemas"

echo "bundle-share: icon themes"
mkdir -p "$share/icons/Adwaita" "$share/icons/hicolor"
# src/. also copies through a symlinked folder (Homebrew links kegs so).
cp -R "$prefix/share/icons/Adwaita/." "$share/icons/Adwaita/"
cp "$prefix/share/icons/hicolor/index.theme" "$share/icons/hicolor/"
for theme in Adwaita hicolor; do
  gtk4-update-icon-cache -q -t -f "$share/icons/$theme"
done

echo "bundle-share: translations of GLib, GTK, libadwaita and gdk-pixbuf"
if [ -d "$share/locale" ]; then
  for dir in "$share"/locale/*/; do
    lang=$(basename "$dir")
    for domain in glib20 gtk40 libadwaita gdk-pixbuf; do
      mo=$prefix/share/locale/$lang/LC_MESSAGES/$domain.mo
      if [ -f "$mo" ]; then
        cp "$mo" "$dir/LC_MESSAGES/"
      fi
    done
  done
fi

echo "bundle-share: landmark model"
mkdir -p "$share/dlib"
cp "$model" "$share/dlib/shape_predictor_68_face_landmarks.dat"
