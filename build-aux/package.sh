#!/usr/bin/env bash
# Builds one of PlayAlter's packages from this source tree:
#   build-aux/package.sh dist      the source tarball (meson dist) every package builds from
#   build-aux/package.sh deb       Debian/Ubuntu .deb, linted by lintian
#   build-aux/package.sh rpm       Fedora .rpm, linted by rpmlint
#   build-aux/package.sh msi-stage the file tree and WiX source list the MSI is made of
# The Flatpak bundle, the MSI and the dmg are built on their own systems by
# the release workflows in .github/workflows/. Output goes to _packages/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind=${1:-}
case "$kind" in
  dist|deb|rpm|msi-stage)
    shift
    exec bash "$here/package-$kind.sh" "$@"
    ;;
  *)
    echo "usage: $0 dist|deb|rpm|msi-stage" >&2
    exit 2
    ;;
esac
