#!/usr/bin/env bash
# Installs what PlayAlter needs, builds it and starts the app from the
# build tree. Extra arguments go to playalter (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

bash build-aux/install-deps.sh

if [ ! -f _build/build.ninja ]; then
  meson setup _build -Dtests=false
fi
meson compile -C _build

# Run from the build tree: the settings schema is compiled there.
export GSETTINGS_SCHEMA_DIR="$PWD/_build/resources${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
# ... and so are the translations.
export PLAYALTER_LOCALEDIR="$PWD/_build/po"
exec ./_build/app/gui/playalter "$@"
