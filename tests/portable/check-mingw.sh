#!/usr/bin/env bash
# Type-checks PlayAlter's Windows code with the MinGW-w64 compiler, as an
# MSYS2 UCRT64 build would compile it, with every warning an error.
#
#   check-mingw.sh SOURCE_ROOT BUILD_ROOT
#
# What it checks: that the files with Windows-only code (the Credential
# Manager keyring, the compatibility file, the install folders) and the
# files that were POSIX-only and now go through them compile against the real Windows headers
# (windows.h, wincred.h, io.h) and GLib's headers as they are on Windows,
# with no warning. What it does not: link or run anything. There is no
# GLib built for Windows on this machine, so the host's GLib headers are
# used with tests/portable/mingw/glibconfig.h, a stand-in for the one
# GLib generates for 64-bit Windows (G_OS_WIN32, 32-bit long), and a
# libintl.h with gettext's declarations. The real build, with MSYS2's
# GLib, runs in the MSI release workflow.
set -euo pipefail

source_root="$1"
build_root="$2"
compiler=x86_64-w64-mingw32-gcc

if ! command -v "$compiler" >/dev/null; then
  echo "FAIL: $compiler is missing: install gcc-mingw-w64-x86-64 (build-aux/install-deps.sh --tests)"
  exit 1
fi

# The host's include folders of the libraries, less the one that is
# Linux's own (glibconfig.h lives there): its place is taken by ours.
host_includes=()
for flag in $(pkg-config --cflags-only-I glib-2.0 gio-2.0 json-glib-1.0 libsoup-3.0 \
                gstreamer-1.0 gstreamer-video-1.0 gstreamer-app-1.0 gstreamer-pbutils-1.0 \
                gdk-pixbuf-2.0); do
  case "$flag" in
    */lib/*/glib-2.0/include | /usr/include/*-linux-gnu | -I/usr/include/*-linux-gnu) ;;
    *) host_includes+=("$flag") ;;
  esac
done

flags=(
  -fsyntax-only -std=gnu17 -Werror
  -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
  -Wmissing-prototypes -Wmissing-declarations -Wpointer-arith -Wformat=2
  -Wnull-dereference -Wshadow -Wstrict-prototypes
  -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74
  -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74
  -DSOUP_VERSION_MIN_REQUIRED=SOUP_VERSION_3_2
  -DSOUP_VERSION_MAX_ALLOWED=SOUP_VERSION_3_2
  '-DG_LOG_DOMAIN="PlayAlter"'
  -I"$source_root/tests/portable/mingw"
  -I"$build_root"
  -I"$source_root/core"
)
# Every layer's folder, for the files that include the umbrella header.
for dir in "$source_root"/core/*/ "$source_root"/core/*/*/; do
  flags+=(-I"${dir%/}")
done

# file, then the extra flags it is built with
checks=(
  "core/pa-compat.c|"
  "core/pa-install-dirs.c|"
  "core/secrets/pa-secrets.c|-I$source_root/core/secrets -DPA_SECRETS_COMPILATION"
  "core/secrets/pa-secrets-sync.c|-I$source_root/core/secrets -DPA_SECRETS_COMPILATION"
  "core/secrets/pa-secrets-thread.c|-I$source_root/core/secrets -DPA_SECRETS_COMPILATION"
  "core/secrets/pa-secrets-wincred.c|-I$source_root/core/secrets -DPA_SECRETS_COMPILATION"
  "core/pa-private-dir.c|"
  "core/platforms/pa-vercel-deploy.c|-DPA_PLATFORMS_COMPILATION"
  "core/media/pa-face-model.c|-DPA_MEDIA_COMPILATION"
  "core/media/pa-image-file.c|-DPA_MEDIA_COMPILATION"
  "core/media/pa-image-file-mark.c|-DPA_MEDIA_COMPILATION"
  "core/media/pa-image-file-save.c|-DPA_MEDIA_COMPILATION"
  "core/media/pa-video-transcode.c|-DPA_MEDIA_COMPILATION"
  "core/workflow/pa-file-policy.c|-DPA_WORKFLOW_COMPILATION"
  "core/workflow/actions/pa-actions-local.c|-DPA_WORKFLOW_COMPILATION"
  "core/workflow/actions/pa-actions-media.c|-DPA_WORKFLOW_COMPILATION"
  "app/cli/pa-cli.c|-I$source_root/app/cli"
  "app/cli/pa-cli-account.c|-I$source_root/app/cli"
  "app/cli/pa-cli-serve.c|-I$source_root/app/cli"
  "app/cli/pa-cli-faceswap.c|-I$source_root/app/cli"
)

failed=0
for check in "${checks[@]}"; do
  file="${check%%|*}"
  read -r -a extra <<<"${check#*|}"
  if "$compiler" "${flags[@]}" "${host_includes[@]}" "${extra[@]}" "$source_root/$file"; then
    echo "ok $file: compiles for 64-bit Windows with no warning"
  else
    echo "FAIL $file: does not compile for 64-bit Windows without warnings (above)"
    failed=1
  fi
done

# The check must bite: a Windows call with a wrong argument type fails.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <windows.h>\n#include <wincred.h>\nint f (void);\nint f (void) { return CredDeleteW ("x", CRED_TYPE_GENERIC, 0); }\n' >"$tmp/bad.c"
if "$compiler" "${flags[@]}" "$tmp/bad.c" 2>/dev/null; then
  echo "FAIL: a call with a char * for a wide string compiled: the check does not bite"
  failed=1
else
  echo "ok the check refuses a wrong Windows call"
fi

exit "$failed"
