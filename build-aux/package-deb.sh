#!/usr/bin/env bash
# Builds PlayAlter's Debian package from the source tarball:
#   1. makes the tarball with package-dist.sh (HEAD: commit first),
#      unpacks it in a temporary folder as upstream source, with the
#      tarball beside it as the .orig.tar.xz, and adds its
#      packaging/debian as debian/;
#   2. checks that debian/changelog carries meson.build's version
#      (meson.build is the one place the version lives; the changelog
#      must follow it, so a mismatch stops the build);
#   3. builds the binary package with dpkg-buildpackage -b -us -uc;
#   4. runs lintian on the result: any error or warning fails the build
#      (a warning that cannot be fixed is overridden, with its reason, in
#      packaging/debian/playalter.lintian-overrides);
#   5. copies the .deb to _packages/ and prints its path on the last line.
# Needs dpkg-dev, debhelper and lintian (build-aux/install-deps.sh --tests)
# and the build dependencies of packaging/debian/control.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/_packages
mkdir -p "$out"

for tool in dpkg-buildpackage dpkg-parsechangelog dh lintian meson; do
  if ! command -v "$tool" >/dev/null; then
    echo "package-deb: $tool is missing (build-aux/install-deps.sh --tests installs it)" >&2
    exit 1
  fi
done

# 1. The dist tarball, unpacked, with debian/ added.
tarball=$(bash "$root/build-aux/package-dist.sh" | tail -n 1)
work=$(mktemp -d "${TMPDIR:-/tmp}/playalter-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
name=$(basename "$tarball" .tar.xz)
version=${name#playalter-}
cp "$tarball" "$work/playalter_$version.orig.tar.xz"
tar -xJf "$tarball" -C "$work"
src=$work/playalter-$version
if [ ! -f "$src/meson.build" ]; then
  echo "package-deb: $tarball did not unpack to playalter-$version/" >&2
  exit 1
fi
# The packaging from the tarball too, so the whole package is HEAD's.
cp -r "$src/packaging/debian" "$src/debian"

# 2. One version: meson.build's (which named the tarball), and the
# changelog's upstream part.
changelog=$src/debian/changelog
deb_version=$(dpkg-parsechangelog -l "$changelog" -S Version)
upstream=${deb_version#*:}
upstream=${upstream%-*}
if [ "$upstream" != "$version" ]; then
  echo "package-deb: packaging/debian/changelog is at $deb_version but meson.build is at $version." >&2
  echo "package-deb: add a changelog entry for the new version first, e.g." >&2
  echo "  dch --changelog packaging/debian/changelog -v $version-1 'New upstream release.'" >&2
  exit 1
fi
echo "package-deb: version $version (Debian $deb_version)" >&2

# 3. The binary package. Two jobs: package builds share the machine.
(
  cd "$src"
  DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -b -us -uc >&2
)

# 4. Lintian on the .changes, which covers every .deb it lists.
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes=$work/playalter_${deb_version#*:}_$arch.changes
if [ ! -f "$changes" ]; then
  echo "package-deb: dpkg-buildpackage left no $changes" >&2
  exit 1
fi
echo "package-deb: lintian $(basename "$changes")" >&2
if ! lintian --fail-on error,warning --display-info "$changes" >&2; then
  echo "package-deb: lintian found errors or warnings (above): fix them, or override" >&2
  echo "package-deb: one you cannot fix in packaging/debian/playalter.lintian-overrides, with the reason" >&2
  exit 1
fi

# 5. The .deb; the debug symbols (playalter-dbgsym) are not for users.
debs=()
for deb in "$work"/*.deb; do
  case "$deb" in *-dbgsym_*) continue ;; esac
  cp -f "$deb" "$out/"
  debs+=("$out/$(basename "$deb")")
done
if [ "${#debs[@]}" -eq 0 ]; then
  echo "package-deb: dpkg-buildpackage made no .deb" >&2
  exit 1
fi
printf '%s\n' "${debs[@]}"
