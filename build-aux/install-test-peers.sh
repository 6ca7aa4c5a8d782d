#!/usr/bin/env bash
# Installs the test peers (DESIGN §5) into tests/peers/node_modules:
# Prism for the platform contracts, the real n8n, and the npm packages the
# scripted peers use. n8n alone is ~2.3 GB and takes minutes to install, so
# the install is kept and reused until package-lock.json changes.
set -euo pipefail
cd "$(dirname "$0")/.."

peers=tests/peers

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-test-peers: installing Node.js and npm from Debian"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi

# n8n 2.8.4 needs Node >= 20.19 (and later n8n releases need 22).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "install-test-peers: n8n needs Node.js >= 20.19, this is $(node --version)" >&2
  exit 1
fi

want=$(sha256sum "$peers/package-lock.json" | cut -d' ' -f1)

# The install lives in the user's cache, one folder per lock, and the
# checkout links to it: a fresh clone of the same lock (as CI makes) then
# reuses it instead of downloading n8n again.
cache=${PLAYALTER_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/playalter/test-peers}/$want
if [ -d "$cache/node_modules" ] && [ -f "$cache/node_modules/.playalter-lock.sha256" ] &&
   [ "$(cat "$cache/node_modules/.playalter-lock.sha256")" = "$want" ]; then
  echo "install-test-peers: reusing $cache"
else
  echo "install-test-peers: clean install of tests/peers/package-lock.json into $cache"
  echo "install-test-peers: (node $(node --version), npm $(npm --version)); n8n is large, this takes several minutes"
  start=$(date +%s)
  rm -rf "$cache"
  mkdir -p "$cache"
  cp "$peers/package.json" "$peers/package-lock.json" "$cache/"
  # A clean install of exactly the locked versions, as `npm ci` would do.
  # Not `npm ci` itself: it refuses this lock, because npm leaves out of it
  # the optional per-platform builds (msgpackr-extract for macOS, Windows,
  # …) that the registry does not serve, and `npm ci` then calls the lock
  # out of sync. `npm install --no-save` takes the locked versions and
  # leaves the lock as it is. No audit, funding notes or update checks.
  (cd "$cache" && npm install --no-save --no-audit --no-fund --no-update-notifier --loglevel=warn)
  echo "$want" > "$cache/node_modules/.playalter-lock.sha256"
  echo "install-test-peers: done in $(( $(date +%s) - start )) s"
fi

if [ "$(readlink "$peers/node_modules" 2>/dev/null)" != "$cache/node_modules" ]; then
  rm -rf "$peers/node_modules"
  ln -s "$cache/node_modules" "$peers/node_modules"
fi
