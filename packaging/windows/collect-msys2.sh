#!/usr/bin/env bash
# Adds the Windows runtime to a staged PlayAlter tree, on MSYS2 (UCRT64):
#   packaging/windows/collect-msys2.sh STAGE_ROOT LANDMARK_MODEL
# STAGE_ROOT is the root/ that build-aux/package-msi-stage.sh made from
# the meson install (bin/playalter.exe, bin/playalter-cli.exe, share/...).
# LANDMARK_MODEL is dlib's shape_predictor_68_face_landmarks.dat (MSYS2's
# dlib package does not ship it; the release workflow downloads it).
# It copies, from $MINGW_PREFIX (/ucrt64):
#   - GStreamer's plugins, its plugin scanner, the GIO modules (TLS for
#     libsoup) and the gdk-pixbuf loaders, with a loaders.cache of
#     relative paths that gdk-pixbuf resolves against the install folder
#   - every DLL that the programs, plugins, modules and loaders load,
#     found with ntldd -R (it reads the import tables; it runs nothing),
#     into bin/ next to the programs, with GLib's spawn helpers
#   - through packaging/bundle-share.sh: GTK's and PlayAlter's GSettings
#     schemas compiled, the Adwaita and hicolor icon themes, GLib's, GTK's
#     and libadwaita's translations for PlayAlter's languages, and the
#     landmark model (sha256 checked) as
#     share/dlib/shape_predictor_68_face_landmarks.dat
# GLib, GStreamer, GIO and gdk-pixbuf find all of these relative to their
# DLLs in bin/, so the installed tree works wherever it is installed.
set -euo pipefail
usage="usage: collect-msys2.sh STAGE_ROOT LANDMARK_MODEL"
root=${1:?$usage}
model=${2:?$usage}
prefix=${MINGW_PREFIX:?run this in an MSYS2 UCRT64 shell}

for exe in playalter.exe playalter-cli.exe; do
  if [ ! -f "$root/bin/$exe" ]; then
    echo "collect-msys2: $root/bin/$exe is missing: stage a Windows build first" >&2
    exit 1
  fi
done
if [ ! -f "$model" ]; then
  echo "collect-msys2: no landmark model at $model" >&2
  exit 1
fi

echo "collect-msys2: GStreamer plugins, GIO modules, gdk-pixbuf loaders"
mkdir -p "$root/lib/gstreamer-1.0" "$root/libexec/gstreamer-1.0" "$root/lib/gio/modules"
cp "$prefix"/lib/gstreamer-1.0/*.dll "$root/lib/gstreamer-1.0/"
cp "$prefix"/libexec/gstreamer-1.0/gst-plugin-scanner.exe "$root/libexec/gstreamer-1.0/"
cp "$prefix"/lib/gio/modules/*.dll "$root/lib/gio/modules/"
gio-querymodules "$root/lib/gio/modules"

pixbuf_rel=lib/gdk-pixbuf-2.0/2.10.0
mkdir -p "$root/$pixbuf_rel/loaders"
cp "$prefix/$pixbuf_rel"/loaders/*.dll "$root/$pixbuf_rel/loaders/"
# Relative module paths: gdk-pixbuf on Windows reads them against the
# folder above bin/ that holds its DLL.
(cd "$root" && gdk-pixbuf-query-loaders "$pixbuf_rel"/loaders/*.dll) |
  sed 's|\\\\|/|g' >"$root/$pixbuf_rel/loaders.cache"
if grep -q "$(cygpath -m "$root")" "$root/$pixbuf_rel/loaders.cache"; then
  echo "collect-msys2: loaders.cache names the build machine's folders" >&2
  exit 1
fi

echo "collect-msys2: DLLs (ntldd closure from $prefix/bin)"
# GLib runs these to spawn processes on Windows.
for helper in "$prefix"/bin/gspawn-win64-helper*.exe; do
  if [ -f "$helper" ]; then
    cp "$helper" "$root/bin/"
  fi
done
mapfile -t binaries < <(find "$root" -type f \( -name '*.exe' -o -name '*.dll' \))
ntldd -R "${binaries[@]}" >"$root/../ntldd.txt"
# A DLL found nowhere would only fail on the user's machine. (Windows
# resolves the api-ms-win-*/ext-ms-win-* API sets itself.)
if grep -i "not found" "$root/../ntldd.txt" | grep -viE '^[[:space:]]*(api|ext)-ms-win-'; then
  echo "collect-msys2: a binary needs a DLL that is neither in MSYS2 nor in Windows" >&2
  exit 1
fi
# Lines read "NAME => C:\msys64\ucrt64\bin\NAME (0x...)": keep MSYS2's.
count=0
while read -r dll; do
  dll=$(cygpath -u "$dll")
  case "$dll" in
    "$prefix"/bin/*)
      if [ ! -e "$root/bin/$(basename "$dll")" ]; then
        cp "$dll" "$root/bin/"
        count=$((count + 1))
      fi
      ;;
  esac
done < <(awk '$2 == "=>" { print $3 }' "$root/../ntldd.txt" | sort -u)
rm -f "$root/../ntldd.txt"
echo "collect-msys2: $count DLLs"

# Schemas, icon themes, translations and the landmark model: the same
# as in the macOS bundle.
bash "$(dirname "$0")/../bundle-share.sh" "$root/share" "$prefix" "$model"

echo "collect-msys2: $(find "$root" -type f | wc -l) files, $(du -sh "$root" | cut -f1)"
