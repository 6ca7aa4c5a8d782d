#!/usr/bin/env bash
# The Fedora rpm: packaging/rpm/playalter.spec built with rpmbuild from
# the meson dist tarball (build-aux/package-dist.sh), in a private
# %_topdir that is removed afterwards, then linted by rpmlint with
# Fedora's settings (packaging/rpm/rpmlint.toml) and the filters of
# packaging/rpm/playalter.rpmlintrc (each says why). Fails
# when the spec's Version is not the tarball's, or on any rpmlint error
# or unfiltered warning. Copies the rpms to _packages/ and prints the
# path of the binary rpm on its last line.
#
# This machine is not Fedora: the BuildRequires name Fedora packages,
# which rpm cannot find here, so rpmbuild runs with --nodeps (the
# libraries come from Debian's -dev packages that install-deps.sh
# installs). The release workflow builds it on Fedora with the real
# BuildRequires, without --nodeps.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
spec=$root/packaging/rpm/playalter.spec
out=$root/_packages

for tool in rpmbuild rpmspec rpmlint bzip2; do
  command -v "$tool" >/dev/null ||
    { echo "package-rpm: $tool is missing (build-aux/install-deps.sh --tests)" >&2; exit 1; }
done

tarball=$(bash "$root/build-aux/package-dist.sh" "$@" | tail -n 1)
version=$(basename "$tarball" .tar.xz)
version=${version#playalter-}
spec_version=$(rpmspec -q --srpm --qf '%{VERSION}\n' "$spec")
if [ "$spec_version" != "$version" ]; then
  echo "package-rpm: the spec says Version $spec_version, the tarball is $version" \
       "(meson.build): change packaging/rpm/playalter.spec" >&2
  exit 1
fi

# Source1, dlib's landmark model. Fedora's build downloads it from
# dlib.net; here it is the same file from Debian's libdlib-data, packed
# as upstream packs it once and kept in the cache.
model=/usr/share/dlib/shape_predictor_68_face_landmarks.dat
cache=${XDG_CACHE_HOME:-$HOME/.cache}/playalter/rpm
model_bz2=$cache/shape_predictor_68_face_landmarks.dat.bz2
if [ ! -s "$model_bz2" ]; then
  mkdir -p "$cache"
  if [ -f "$model" ]; then
    bzip2 -c "$model" > "$model_bz2.tmp"
    mv "$model_bz2.tmp" "$model_bz2"
  elif command -v spectool >/dev/null; then
    spectool --get-files --source 1 --directory "$cache" "$spec" >&2
  else
    echo "package-rpm: need $model (Debian: libdlib-data) or spectool (rpmdevtools) to fetch it" >&2
    exit 1
  fi
fi

topdir=$(mktemp -d "${TMPDIR:-/tmp}/playalter-rpmbuild.XXXXXX")
trap 'rm -rf "$topdir"' EXIT
mkdir -p "$topdir/SOURCES"
cp "$tarball" "$model_bz2" "$topdir/SOURCES/"

# Fedora's meson package brings %meson and friends; Debian's rpm has none.
# Below, Fedora's defaults that Debian's rpm does not share: zstd
# payloads and documentation in /usr/share/doc/NAME (not NAME-VERSION).
load=()
if [ "$(rpm --eval '%meson')" = '%meson' ]; then
  load=(--load="$root/packaging/rpm/macros.meson")
fi

# Off Fedora its BuildRequires cannot be checked: --nodeps (see the top).
nodeps=()   # and the fixes for Debian's rpm
if ! grep -qs '^ID=fedora' /etc/os-release; then
  nodeps=(--nodeps)
  echo "package-rpm: rpmbuild -ba --nodeps (not Fedora: the BuildRequires are Fedora's names)" >&2
  # Debian's rpm runs brp-compress, a bash script (read -d), with
  # /bin/sh, which is dash there: it fails silently and the manual pages
  # stay uncompressed. On Fedora /bin/sh is bash.
  nodeps+=(--define '__brp_compress bash %{_rpmconfigdir}/brp-compress %{?_prefix}')
fi
rpmbuild "${load[@]}" -ba "${nodeps[@]}" \
  --define "_topdir $topdir" \
  --define '_binary_payload w3.zstdio' \
  --define '_docdir_fmt %{NAME}' \
  "$spec" >&2

mapfile -t rpms < <(find "$topdir/RPMS" "$topdir/SRPMS" -name '*.rpm' | sort)
[ "${#rpms[@]}" -gt 0 ] || { echo "package-rpm: rpmbuild made no rpm" >&2; exit 1; }

echo "package-rpm: rpmlint" >&2
lint_log=$topdir/rpmlint.log
set +e
rpmlint -c "$root/packaging/rpm/rpmlint.toml" -r "$root/packaging/rpm/playalter.rpmlintrc" \
  "${rpms[@]}" > "$lint_log" 2>&1
set -e
cat "$lint_log" >&2
grep -qE '[0-9]+ errors?, [0-9]+ warnings?' "$lint_log" ||
  { echo "package-rpm: rpmlint printed no summary" >&2; exit 1; }
# Fedora's rpmlint knows Fedora's conventions and never says what some
# filters are for, then calls them unused: no fault of the package there.
# Here an unused filter is an error, so the rpmlintrc stays tidy.
unused='^$'
if [ "${#nodeps[@]}" -eq 0 ]; then
  unused=': E: unused-rpmlintrc-filter '
fi
errors=$(grep ': E: ' "$lint_log" | grep -cvE "$unused" || true)
warnings=$(grep -c ': W: ' "$lint_log" || true)
if [ "$errors" -ne 0 ] || [ "$warnings" -ne 0 ]; then
  echo "package-rpm: rpmlint: $errors error(s), $warnings warning(s): fix them, or filter" \
       "one in packaging/rpm/playalter.rpmlintrc with the reason" >&2
  exit 1
fi

mkdir -p "$out"
rm -f "$out"/playalter-*.rpm
cp "${rpms[@]}" "$out/"
for r in "${rpms[@]}"; do echo "$out/$(basename "$r")" >&2; done
binary=$(basename "$(printf '%s\n' "${rpms[@]}" | grep -E "/playalter-$version-[^/]*\.$(rpm --eval '%{_arch}')\.rpm$")")
echo "$out/$binary"
