#!/usr/bin/env bash
# Builds PlayAlter.app from a Homebrew build of PlayAlter, on macOS:
#   packaging/macos/make-bundle.sh BUILDDIR OUT_DIR LANDMARK_MODEL
# BUILDDIR is a compiled meson build; OUT_DIR/PlayAlter.app is made anew.
# LANDMARK_MODEL is dlib's shape_predictor_68_face_landmarks.dat (Homebrew's
# dlib does not ship it; the release workflow downloads it), checked by
# its sha256 in packaging/bundle-share.sh.
#
# The bundle:
#   Contents/Info.plist             Info.plist.in with meson's version and
#                                   the lowest macOS that every binary runs on
#   Contents/MacOS/playalter        launchers (sh) that point GLib, GTK,
#   Contents/MacOS/playalter-cli    gdk-pixbuf, GIO and GStreamer into the
#                                   bundle, then run the programs:
#   Contents/MacOS/playalter-bin, playalter-cli-bin
#                                   (next to Resources/share, where
#                                   core/pa-install-dirs.c looks for data)
#   Contents/Resources/share/...    the meson install's share/, and through
#                                   packaging/bundle-share.sh the GSettings
#                                   schemas (GTK's and PlayAlter's, compiled),
#                                   the hicolor and Adwaita icons, GLib/GTK/
#                                   libadwaita translations, the landmark model
#                                   in share/dlib/
#   Contents/Resources/lib/{gstreamer-1.0,gio/modules,gdk-pixbuf-2.0}
#                                   GStreamer plugins (+ libexec/ scanner),
#                                   TLS module, image loaders (+ cache)
#   Contents/Resources/PlayAlter.icns  iconutil, from PNGs rendered from the SVG
#   Contents/Frameworks/*.dylib     every library any of the above loads from
#                                   Homebrew, found recursively with otool -L,
#                                   renamed @rpath/NAME; each binary's rpath is
#                                   the Frameworks folder relative to it
# Every changed binary is signed ad hoc (arm64 refuses to run unsigned
# code); packaging/macos/sign.sh signs with a Developer ID when one is given.
# The script fails when a binary still names a library outside the bundle
# and the system.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
usage="usage: make-bundle.sh BUILDDIR OUT_DIR LANDMARK_MODEL"
builddir=${1:?$usage}
outdir=${2:?$usage}
model=${3:?$usage}

for tool in brew meson otool install_name_tool codesign iconutil rsvg-convert \
            glib-compile-schemas gdk-pixbuf-query-loaders \
            gtk4-update-icon-cache plutil python3 realpath; do
  if ! command -v "$tool" >/dev/null; then
    echo "make-bundle: $tool is missing" >&2
    exit 1
  fi
done
if [ ! -f "$model" ]; then
  echo "make-bundle: no landmark model at $model" >&2
  exit 1
fi

brew_prefix=$(brew --prefix)
version=$(meson introspect --projectinfo "$builddir" |
          python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
mkdir -p "$outdir"
app=$(cd "$outdir" && pwd)/PlayAlter.app
contents=$app/Contents
res=$contents/Resources
frameworks=$contents/Frameworks
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "make-bundle: PlayAlter $version into $app"
rm -rf "$app"
mkdir -p "$contents/MacOS" "$res" "$frameworks"

# 1. The meson install.
meson install -C "$builddir" --destdir "$work/destdir" --quiet
cli=$(find "$work/destdir" -path '*/bin/playalter-cli' -type f | head -n 1)
if [ -z "$cli" ]; then
  echo "make-bundle: meson install put no bin/playalter-cli under $work/destdir" >&2
  exit 1
fi
root=$(dirname "$(dirname "$cli")")
cp -R "$root/share" "$res/share"

# Every binary copied into the bundle, and where it came from (its
# @loader_path references are relative to that); each is rewritten in 3.
declare -A origin=()
queue=()
bundle_binary() {
  # bundle_binary SOURCE DEST_FILE
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
  origin[$2]=$(realpath "$1")
  queue+=("$2")
}
bundle_binary "$root/bin/playalter" "$contents/MacOS/playalter-bin"
bundle_binary "$root/bin/playalter-cli" "$contents/MacOS/playalter-cli-bin"

# 2. The runtime the libraries look for at run time.
echo "make-bundle: GStreamer plugins, GIO modules, gdk-pixbuf loaders"
gst=$(brew --prefix gstreamer)
for f in "$gst"/lib/gstreamer-1.0/*.dylib; do
  bundle_binary "$f" "$res/lib/gstreamer-1.0/$(basename "$f")"
done
bundle_binary "$gst/libexec/gstreamer-1.0/gst-plugin-scanner" \
  "$res/libexec/gstreamer-1.0/gst-plugin-scanner"
for f in "$(brew --prefix glib-networking)"/lib/gio/modules/*.so; do
  bundle_binary "$f" "$res/lib/gio/modules/$(basename "$f")"
done

pixbuf_rel=lib/gdk-pixbuf-2.0/2.10.0
mkdir -p "$res/$pixbuf_rel/loaders"
# Homebrew links every keg's loaders (gdk-pixbuf's, librsvg's SVG one)
# into one folder. gdk-pixbuf reads absolute loader paths: the cache is
# made from Homebrew's loaders (before they are changed below) with
# @RESOURCES@ in their folder's stead, which the launcher replaces with
# the bundle's real place.
mapfile -t loaders < <(find -L "$brew_prefix/$pixbuf_rel/loaders" -name '*.so')
if [ "${#loaders[@]}" -eq 0 ]; then
  echo "make-bundle: no gdk-pixbuf loader in $brew_prefix/$pixbuf_rel/loaders (librsvg?)" >&2
  exit 1
fi
for f in "${loaders[@]}"; do
  bundle_binary "$f" "$res/$pixbuf_rel/loaders/$(basename "$f")"
done
gdk-pixbuf-query-loaders "${loaders[@]}" |
  sed -E "s|^\"[^\"]*/([^/\"]+\.so)\"|\"@RESOURCES@/$pixbuf_rel/loaders/\1\"|" \
  >"$res/$pixbuf_rel/loaders.cache.in"
if ! grep -q '^"@RESOURCES@/' "$res/$pixbuf_rel/loaders.cache.in"; then
  echo "make-bundle: the loaders cache names no bundled loader" >&2
  exit 1
fi

echo "make-bundle: GSettings schemas, icon themes, translations, landmark model"
# Homebrew links every keg's share/ into its prefix's.
bash "$here/../bundle-share.sh" "$res/share" "$brew_prefix" "$model"

# 3. Every library, copied in and renamed to @rpath/NAME.
echo "make-bundle: libraries (otool -L, recursively)"
is_macho() {
  file -b "$1" | grep -q 'Mach-O'
}
rpaths_of() {
  otool -l "$1" | awk '$1 == "cmd" { in_rpath = ($2 == "LC_RPATH") } in_rpath && $1 == "path" { print $2 }'
}
# The dependency DEP of the file that was at ORIG, as a file path; nothing
# for the system's libraries.
resolve_dep() {
  local dep=$1 orig=$2 name r
  case "$dep" in
    /usr/lib/*|/System/*) ;;
    @rpath/*)
      name=${dep#@rpath/}
      while read -r r; do
        r=${r//@loader_path/$(dirname "$orig")}
        r=${r//@executable_path/$(dirname "$orig")}
        if [ -e "$r/$name" ]; then
          realpath "$r/$name"
          return
        fi
      done < <(rpaths_of "$orig")
      if [ -e "$brew_prefix/lib/$name" ]; then
        realpath "$brew_prefix/lib/$name"
        return
      fi
      echo "make-bundle: $orig needs $dep, which is nowhere" >&2
      exit 1
      ;;
    @loader_path/*) realpath "$(dirname "$orig")/${dep#@loader_path/}" ;;
    /*) realpath "$dep" ;;
    *)
      echo "make-bundle: $orig names $dep, which is not a path" >&2
      exit 1
      ;;
  esac
}

while [ "${#queue[@]}" -gt 0 ]; do
  f=${queue[0]}
  queue=("${queue[@]:1}")
  chmod u+w "$f"
  own_id=$(otool -D "$f" | sed -n 2p)
  while read -r dep; do
    [ "$dep" = "$own_id" ] && continue
    abs=$(resolve_dep "$dep" "${origin[$f]}")
    [ -z "$abs" ] && continue
    name=$(basename "$(otool -D "$abs" | sed -n 2p)")
    [ -z "$name" ] && name=$(basename "$abs")
    if [ ! -e "$frameworks/$name" ]; then
      bundle_binary "$abs" "$frameworks/$name"
    fi
    install_name_tool -change "$dep" "@rpath/$name" "$f"
  done < <(otool -L "$f" | tail -n +2 | awk '{ print $1 }')
  if [ "$(dirname "$f")" = "$frameworks" ]; then
    install_name_tool -id "@rpath/$(basename "$f")" "$f"
  fi
  # Homebrew's rpaths would let a missing library load from Homebrew on
  # the build machine and fail on the user's: only the bundle's remains.
  while read -r r; do
    install_name_tool -delete_rpath "$r" "$f"
  done < <(rpaths_of "$f" | sort -u)
  rel=$(python3 -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
        "$frameworks" "$(dirname "$f")")
  install_name_tool -add_rpath "@loader_path/$rel" "$f"
done

# Every binary must now name only the system and the bundle.
bad=0
while IFS= read -r f; do
  is_macho "$f" || continue
  codesign --force --sign - "$f" 2>/dev/null
  while read -r dep; do
    case "$dep" in
      /usr/lib/*|/System/*) ;;
      @rpath/*)
        if [ ! -e "$frameworks/${dep#@rpath/}" ]; then
          echo "make-bundle: $f needs $dep, missing from Frameworks" >&2
          bad=1
        fi
        ;;
      *)
        echo "make-bundle: $f still names $dep" >&2
        bad=1
        ;;
    esac
  done < <(otool -L "$f" | tail -n +2 | awk '{ print $1 }' | grep -vxF "$(otool -D "$f" | sed -n 2p)")
done < <(find "$contents" -type f ! -path '*/share/*')
if [ "$bad" -ne 0 ]; then
  exit 1
fi
echo "make-bundle: $(find "$frameworks" -type f | wc -l | tr -d ' ') libraries in Frameworks"

# 4. The launchers: GLib, GTK, GIO, gdk-pixbuf and GStreamer as Homebrew
# builds them look in Homebrew's folders unless told otherwise.
for prog in playalter playalter-cli; do
  cat >"$contents/MacOS/$prog" <<LAUNCHER
#!/bin/bash
# Points GLib, GTK, GIO, gdk-pixbuf and GStreamer into PlayAlter.app,
# then runs $prog-bin.
set -euo pipefail
macos=\$(cd "\$(dirname "\$0")" && pwd -P)
res=\$(cd "\$macos/../Resources" && pwd -P)
cache=\${HOME}/Library/Caches/io.playalter.PlayAlter
mkdir -p "\$cache"
sed "s|@RESOURCES@|\$res|g" "\$res/$pixbuf_rel/loaders.cache.in" >"\$cache/loaders.cache"
export GDK_PIXBUF_MODULE_FILE=\$cache/loaders.cache
export XDG_DATA_DIRS=\$res/share
export GSETTINGS_SCHEMA_DIR=\$res/share/glib-2.0/schemas
export GIO_MODULE_DIR=\$res/lib/gio/modules
export GST_PLUGIN_SYSTEM_PATH=\$res/lib/gstreamer-1.0
export GST_PLUGIN_SCANNER=\$res/libexec/gstreamer-1.0/gst-plugin-scanner
export GST_REGISTRY=\$cache/gstreamer-registry.bin
exec -a "\$0" "\$macos/$prog-bin" "\$@"
LAUNCHER
  chmod 755 "$contents/MacOS/$prog"
done

# 5. The icon: iconutil wants each size at 1x and 2x.
echo "make-bundle: icon"
svg=$src/resources/icons/hicolor/scalable/apps/io.playalter.PlayAlter.svg
iconset=$work/PlayAlter.iconset
mkdir -p "$iconset"
for size in 16 32 128 256 512; do
  rsvg-convert -w "$size" -h "$size" -o "$iconset/icon_${size}x${size}.png" "$svg"
  rsvg-convert -w $((size * 2)) -h $((size * 2)) -o "$iconset/icon_${size}x${size}@2x.png" "$svg"
done
iconutil -c icns -o "$res/PlayAlter.icns" "$iconset"

# 6. Info.plist: the oldest macOS the bundle runs on is the newest
# minimum any of its binaries was built for (Homebrew builds for the
# build machine's).
min_macos=$(find "$contents" -type f ! -path '*/share/*' -print0 |
  xargs -0 otool -l 2>/dev/null |
  awk '$1 == "minos" { print $2 }' | sort -t . -k 1,1n -k 2,2n -k 3,3n | tail -n 1)
if [ -z "$min_macos" ]; then
  echo "make-bundle: no binary says which macOS it needs (LC_BUILD_VERSION minos)" >&2
  exit 1
fi
sed -e "s|@VERSION@|$version|g" -e "s|@MIN_MACOS@|$min_macos|g" \
  "$here/Info.plist.in" >"$contents/Info.plist"
plutil -lint "$contents/Info.plist"
printf 'APPL????' >"$contents/PkgInfo"

echo "make-bundle: $app (version $version, macOS $min_macos or later)"
