#!/usr/bin/env bash
# The Fedora rpm, built here by `build-aux/package.sh rpm` (rpmbuild
# --nodeps from the dist tarball, then rpmlint), and checked:
#   - the version is meson.build's;
#   - the file lists of playalter and playalter-face-model are exactly
#     the expected paths (programs, manual pages, desktop file, metainfo,
#     schema, icons, license, README, one .mo per language of
#     po/LINGUAS; the model):
#     nothing of the build root, nothing in /usr/local, no test program;
#   - Requires: the ones written by hand (the face model, a Secret
#     Service, the GStreamer plugin packages, the icon theme) and the
#     automatic ones of the libraries the programs link (GTK 4,
#     libadwaita, libsoup 3, json-glib, libsecret, SQLite, GStreamer,
#     dlib, OpenSSL, ICU, libqrencode);
#   - rpmlint: 0 errors and 0 unfiltered warnings.
set -euo pipefail

src=${PLAYALTER_SOURCE_ROOT:?run through meson test}
version=${PLAYALTER_VERSION:?run through meson test}

for tool in rpm rpmbuild rpmlint; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (install-deps.sh --tests)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# From the committed tree (HEAD): --allow-dirty lets the test run while
# the working tree is being changed; the spec is read from the tree.
echo "building: build-aux/package.sh rpm --allow-dirty (a full build of HEAD; minutes)"
if ! bash "$src/build-aux/package.sh" rpm --allow-dirty > "$work/out" 2> "$work/log"; then
  tail -n 60 "$work/log" >&2
  echo "FAIL: build-aux/package.sh rpm failed (log above)" >&2
  exit 1
fi
rpm=$(tail -n 1 "$work/out")
[ -f "$rpm" ] || { echo "FAIL: package.sh printed '$rpm', which is no file" >&2; exit 1; }
dir=$(dirname "$rpm")
echo "built: $rpm"
release=$(rpm -qp --qf '%{RELEASE}' "$rpm")
model=$(ls "$dir"/playalter-face-model-"$version"-"$release".noarch.rpm 2>/dev/null || true)
srpm=$(ls "$dir"/playalter-"$version"-"$release".src.rpm 2>/dev/null || true)
[ -n "$model" ] || bad "no playalter-face-model-$version-$release.noarch.rpm in $dir"
[ -n "$srpm" ] || bad "no playalter-$version-$release.src.rpm in $dir"

got=$(rpm -qp --qf '%{VERSION}' "$rpm")
if [ "$got" = "$version" ]; then ok "version $got"; else bad "the rpm's version is $got, meson.build's $version"; fi

# --- file lists -----------------------------------------------------------
app=io.playalter.PlayAlter
{
  printf '%s\n' \
    /usr/bin/playalter \
    /usr/bin/playalter-cli \
    /usr/share/man/man1/playalter.1.gz \
    /usr/share/man/man1/playalter-cli.1.gz \
    /usr/share/applications/$app.desktop \
    /usr/share/metainfo/$app.metainfo.xml \
    /usr/share/glib-2.0/schemas/$app.gschema.xml \
    /usr/share/icons/hicolor/scalable/apps/$app.svg \
    /usr/share/icons/hicolor/symbolic/apps/$app-symbolic.svg \
    /usr/share/licenses/playalter \
    /usr/share/licenses/playalter/LICENSE \
    /usr/share/doc/playalter \
    /usr/share/doc/playalter/README.md
  grep -vE '^[[:space:]]*(#|$)' "$src/po/LINGUAS" | tr ' ' '\n' | grep -v '^$' |
    sed 's|.*|/usr/share/locale/&/LC_MESSAGES/playalter.mo|'
} | sort > "$work/expected"
# rpm links each program from /usr/lib/.build-id/ by its GNU build ID (as
# on Fedora); the links are checked apart, as their names are hashes.
rpm -qlp "$rpm" | grep -v '^/usr/lib/\.build-id' | sort > "$work/files"
links=$(rpm -qlp "$rpm" | grep -cE '^/usr/lib/\.build-id/[0-9a-f]{2}/[0-9a-f]{38}$' || true)
if [ "$links" -eq 2 ]; then
  ok "a /usr/lib/.build-id link for each of the 2 programs"
else
  bad "$links /usr/lib/.build-id links, expected 2 (one per program)"
fi
echo "playalter's files:"; sed 's/^/  /' "$work/files"
if diff -u "$work/expected" "$work/files" > "$work/diff"; then
  ok "playalter has exactly the $(wc -l < "$work/expected") expected paths"
else
  bad "playalter's file list differs from the expected one (- expected, + in the rpm):"
  sed 's/^/  /' "$work/diff" >&2
fi
[ "$(grep -c '/LC_MESSAGES/playalter.mo$' "$work/files")" -gt 0 ] ||
  bad "no translation in the rpm (po/LINGUAS has none?)"

if [ -n "$model" ]; then
  printf '%s\n' /usr/share/dlib /usr/share/dlib/shape_predictor_68_face_landmarks.dat > "$work/expected-model"
  if rpm -qlp "$model" | sort | diff -u "$work/expected-model" - > "$work/diff"; then
    ok "playalter-face-model has exactly /usr/share/dlib/shape_predictor_68_face_landmarks.dat"
  else
    bad "playalter-face-model's file list differs:"; sed 's/^/  /' "$work/diff" >&2
  fi
  size=$(rpm -qp --qf '%{SIZE}' "$model")
  [ "$size" -gt 90000000 ] && ok "the model is $size bytes" || bad "the model is only $size bytes"
  [ "$(rpm -qp --qf '%{ARCH}' "$model")" = noarch ] && ok "playalter-face-model is noarch" ||
    bad "playalter-face-model is not noarch"
fi

# Whatever the lists say, never these.
rpm -qlp "$rpm" ${model:+"$model"} > "$work/all"
if grep -nE 'BUILDROOT|rpmbuild|^/usr/local/|/_build|/tests?/|/test-' "$work/all" >&2; then
  bad "paths of the build tree, /usr/local or tests are in the rpms (above)"
else
  ok "no build-root, /usr/local or test path in the rpms"
fi

# --- dependencies ---------------------------------------------------------
rpm -qp --requires "$rpm" | sort -u > "$work/requires"
echo "playalter's Requires:"; sed 's/^/  /' "$work/requires"
need() { # PATTERN WHAT
  if grep -qE "$1" "$work/requires"; then ok "Requires $2"; else bad "no Requires on $2 ($1)"; fi
}
# Written in the spec.
need "^playalter-face-model\$" "the face model subpackage"
need '^\(gnome-keyring or ' "a Secret Service (gnome-keyring or another)"
need '^gstreamer1-plugins-base(\(x86-64\))?$' "gstreamer1-plugins-base"
need '^gstreamer1-plugins-good(\(x86-64\))?$' "gstreamer1-plugins-good"
need '^hicolor-icon-theme$' "hicolor-icon-theme"
# Found by rpm in the programs' ELF.
need '^libgtk-4\.so\.1' "libgtk-4 (automatic)"
need '^libadwaita-1\.so\.0' "libadwaita (automatic)"
need '^libsoup-3\.0\.so\.0' "libsoup-3 (automatic)"
need '^libjson-glib-1\.0\.so\.0' "json-glib (automatic)"
need '^libsecret-1\.so\.0' "libsecret (automatic)"
need '^libsqlite3\.so\.0' "SQLite (automatic)"
need '^libgstreamer-1\.0\.so\.0' "GStreamer (automatic)"
need '^libdlib\.so' "dlib (automatic)"
need '^libcrypto\.so\.3' "OpenSSL (automatic)"
need '^libicui18n\.so' "ICU (automatic)"
need '^libqrencode\.so' "libqrencode (automatic)"
need '^libglib-2\.0\.so\.0' "GLib (automatic)"
rpm -qp --recommends "$rpm" > "$work/recommends"
if grep -q '^gstreamer1-plugin-libav' "$work/recommends"; then
  ok "Recommends gstreamer1-plugin-libav"
else
  bad "no Recommends on gstreamer1-plugin-libav"
fi
if grep -qE '^(/usr/local|.*BUILDROOT)' "$work/requires"; then
  bad "a Requires names a path of the build machine"
fi

# --- rpmlint ----------------------------------------------------------------
set +e
rpmlint -c "$src/packaging/rpm/rpmlint.toml" -r "$src/packaging/rpm/playalter.rpmlintrc" "$rpm" ${model:+"$model"} ${srpm:+"$srpm"} \
  > "$work/rpmlint" 2>&1
set -e
summary=$(grep -E '[0-9]+ errors?, [0-9]+ warnings?' "$work/rpmlint" | tail -n 1)
echo "rpmlint: $summary"
errors=$(sed -nE 's/.* ([0-9]+) errors?,.*/\1/p' <<<"$summary")
warnings=$(sed -nE 's/.* ([0-9]+) warnings?.*/\1/p' <<<"$summary")
if [ "${errors:-x}" = 0 ] && [ "${warnings:-x}" = 0 ]; then
  ok "rpmlint: 0 errors, 0 unfiltered warnings"
else
  cat "$work/rpmlint" >&2
  bad "rpmlint: ${errors:-?} error(s), ${warnings:-?} warning(s)"
fi

if [ "$failures" -ne 0 ]; then
  echo "test-rpm: $failures check(s) failed" >&2
  exit 1
fi
echo "test-rpm: $(basename "$rpm") is complete, its Requires are right and rpmlint is clean"
