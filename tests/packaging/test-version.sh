#!/usr/bin/env bash
# One version, one source: the version is written in meson.build only,
# and everything that shows or ships a version agrees with it:
#   - the newest <release> of the metainfo (release notes are kept there
#     by hand, newest first, as GNOME apps do);
#   - `playalter-cli --version` and `playalter --version` of the build;
#   - the dist tarball's name (build-aux/package-dist.sh);
#   - the User-Agent: built from PACKAGE_VERSION in core/net/pa-http.c,
#     present in both built programs, and sent by the library
#     (test-http's /http/send/get-json asserts the header);
#   - the packaging files that must write a version down: the rpm spec's
#     Version and newest %changelog entry, debian/changelog when there is
#     one; no playalter-X.Y.Z tarball name of another version, and the
#     version written by hand nowhere else in packaging/, flatpak/ or
#     .github/ (the others take it from meson).
set -euo pipefail

src=${PLAYALTER_SOURCE_ROOT:?run through meson test}
build=${PLAYALTER_BUILD_ROOT:?run through meson test}
version=${PLAYALTER_VERSION:?run through meson test}

failures=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check_eq() { # WHAT GOT
  if [ "$2" = "$version" ]; then ok "$1: $2"; else bad "$1 is '$2', meson.build says $version"; fi
}

echo "meson.build version: $version"
written=$(sed -nE "s/^ *version: *'([^']+)',.*/\1/p" "$src/meson.build" | head -n 1)
check_eq "version: in meson.build's project()" "$written"

# The metainfo's newest release: AppStream lists releases newest first.
newest=$(python3 - "$src/resources/io.playalter.PlayAlter.metainfo.xml.in" <<'PY'
import sys, xml.etree.ElementTree as ET
releases = ET.parse(sys.argv[1]).getroot().findall("./releases/release")
if not releases:
    sys.exit("no <release> in the metainfo")
dates = [r.get("date") or "" for r in releases]
if dates != sorted(dates, reverse=True):
    sys.exit("the <release> elements are not newest first: %s" % dates)
print(releases[0].get("version"))
PY
) || { bad "metainfo releases: $newest"; newest=; }
[ -z "$newest" ] || check_eq "newest <release> of the metainfo" "$newest"

# Both programs of this build.
for prog in app/cli/playalter-cli app/gui/playalter; do
  name=$(basename "$prog")
  exe=$build/$prog
  if [ ! -x "$exe" ]; then
    bad "$exe is not built"
    continue
  fi
  printed=$("$exe" --version 2>&1) || { bad "$name --version failed: $printed"; continue; }
  if [ "$printed" = "$name $version" ]; then
    ok "$name --version: $printed"
  else
    bad "$name --version printed '$printed', expected '$name $version'"
  fi
  # The User-Agent is a compile-time string: the programs must carry it.
  if grep -qaF "PlayAlter/$version" "$exe"; then
    ok "$name carries the User-Agent PlayAlter/$version"
  else
    bad "$name does not carry the User-Agent PlayAlter/$version"
  fi
done

if grep -qF '"user-agent", "PlayAlter/" PACKAGE_VERSION' "$src/core/net/pa-http.c"; then
  ok "core/net/pa-http.c builds the User-Agent from PACKAGE_VERSION"
else
  bad "core/net/pa-http.c does not build the User-Agent from PACKAGE_VERSION"
fi
if grep -qF 'g_assert_cmpstr (seen->user_agent, ==, "PlayAlter/" PACKAGE_VERSION);' \
     "$src/tests/core/test-http.c"; then
  ok "tests/core/test-http.c asserts the User-Agent header"
else
  bad "tests/core/test-http.c no longer asserts the User-Agent header"
fi
test_http=$build/tests/core/test-http
if [ -x "$test_http" ]; then
  # -p with a path that no longer exists runs nothing and passes: the
  # TAP line proves the case ran.
  if out=$("$test_http" -p /http/send/get-json 2>&1) &&
     grep -qx 'ok 1 /http/send/get-json' <<<"$out"; then
    ok "test-http /http/send/get-json: a request carries User-Agent PlayAlter/$version"
  else
    bad "test-http /http/send/get-json failed: $out"
  fi
else
  bad "$test_http is not built (configure with -Dtests=true)"
fi

# The dist tarball every package builds from (--allow-dirty: only its
# name matters here, and a working tree under change is normal).
if tarball=$(bash "$src/build-aux/package-dist.sh" --allow-dirty 2> "${TMPDIR:-/tmp}/test-version-dist.$$" | tail -n 1); then
  rm -f "${TMPDIR:-/tmp}/test-version-dist.$$"
else
  cat "${TMPDIR:-/tmp}/test-version-dist.$$" >&2
  rm -f "${TMPDIR:-/tmp}/test-version-dist.$$"
  bad "build-aux/package-dist.sh failed (above)"
  tarball=
fi
if [ -n "$tarball" ]; then
  if [ "$(basename "$tarball")" = "playalter-$version.tar.xz" ] && [ -f "$tarball" ]; then
    ok "dist tarball: $(basename "$tarball")"
  else
    bad "dist tarball is '$tarball', expected playalter-$version.tar.xz"
  fi
fi

# The rpm spec: a literal Version (Fedora's tools read the spec alone),
# kept equal here, and its newest changelog entry.
spec=$src/packaging/rpm/playalter.spec
if [ -f "$spec" ]; then
  check_eq "Version: of packaging/rpm/playalter.spec" \
    "$(sed -nE 's/^Version:[[:space:]]+([^[:space:]]+).*/\1/p' "$spec")"
  entry=$(sed -n '/^%changelog/,$p' "$spec" | sed -nE 's/^\* .* - ([^-[:space:]]+)-[^-[:space:]]+$/\1/p' | head -n 1)
  check_eq "newest %changelog entry of the rpm spec" "$entry"
else
  bad "packaging/rpm/playalter.spec is missing"
fi

# debian/changelog, once the deb is there: VERSION-REVISION of the newest.
changelog=$src/packaging/debian/changelog
if [ -f "$changelog" ]; then
  deb=$(sed -nE '1s/^playalter \(([^)]+)\).*/\1/p' "$changelog")
  check_eq "newest entry of packaging/debian/changelog (upstream part)" "${deb%-*}"
else
  echo "note: no packaging/debian/changelog yet"
fi

# No other packaging file names a tarball of another version.
before=$failures
while IFS= read -r hit; do
  bad "a packaging file names another version: $hit"
done < <(grep -rnoE 'playalter-[0-9]+\.[0-9]+\.[0-9]+' "$src/packaging" "$src/flatpak" \
           "$src/.github" 2>/dev/null | grep -vF "playalter-$version" || true)
[ "$failures" -ne "$before" ] || ok "no packaging file names a playalter-X.Y.Z other than $version"

# Nor writes today's version down by hand (it would be wrong after the
# next release): the Info.plist, the Windows resource and the WiX source
# take it from meson as @VERSION@ or a variable. Only the rpm spec and
# debian/changelog hold it, checked above. Notes for packagers (README*,
# *.md) may quote a version as an example: they are prose, not read.
before=$failures
re_version=$(sed 's/\./\\./g' <<<"$version")
while IFS= read -r hit; do
  bad "the version is written by hand in $hit (take it from meson.build)"
done < <(grep -rnE "(^|[^0-9.])$re_version(\$|[^0-9.])" "$src/packaging" "$src/flatpak" \
           "$src/.github" 2>/dev/null |
         grep -vE "^$src/packaging/(rpm/playalter\.spec|debian/changelog):" |
         grep -vE '/README[^/:]*:|\.md:' || true)
[ "$failures" -ne "$before" ] || ok "no other packaging file writes $version by hand"

if [ "$failures" -ne 0 ]; then
  echo "test-version: $failures check(s) failed" >&2
  exit 1
fi
echo "test-version: everything carries $version"
