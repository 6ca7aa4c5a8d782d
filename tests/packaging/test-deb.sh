#!/usr/bin/env bash
# Builds the Debian package (build-aux/package.sh deb: dist tarball,
# dpkg-buildpackage, lintian) and installs it with apt into a fresh
# Debian 12 root (debootstrap --variant=minbase) that holds nothing of
# the build tree, then checks there that:
#   - apt resolves every dependency from the Debian archive;
#   - playalter-cli --version prints meson.build's version;
#   - playalter-cli account list reaches a Secret Service (GNOME Keyring
#     from the package's Depends, unlocked on a private session bus);
#   - playalter starts under Xvfb and maps its window;
#   - the .desktop file, its icon, the metainfo, the compiled GSettings
#     schema and the translations are found at their installed paths;
#   - apt-get purge leaves no file or folder of the package behind.
# The pristine root is cached as a tarball in ~/.cache/playalter/ (made
# on the first run) and the .debs apt downloads are kept beside it, so a
# later run only unpacks and installs. Runs as root (debootstrap, chroot,
# mounts); every mount is undone by the exit trap.
set -euo pipefail

say() { echo "test-deb: $*"; }
fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
check() { echo "test-deb: ok: $*"; }

src=${PLAYALTER_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
version=${PLAYALTER_VERSION:-$(meson introspect --projectinfo "$src/meson.build" |
                               python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')}

[ "$(id -u)" -eq 0 ] || fail "must run as root: debootstrap, chroot and mount need it"
for tool in debootstrap chroot mount umount findmnt tar gzip dpkg-deb python3; do
  command -v "$tool" >/dev/null ||
    fail "$tool is missing (build-aux/install-deps.sh --tests installs debootstrap)"
done

start=$SECONDS
elapsed() { echo "$((SECONDS - start)) s"; }

# --- the package --------------------------------------------------------
# What install-deps.sh installs to build must be what the package names:
# a build package in Build-Depends (gcc and g++ come with build-essential),
# a run-time one (plugins, SVG loader, model) in Depends, or in Recommends
# when only some desktops need it (PipeWire's plugin, for the screen on
# Wayland).
missing=$(python3 - "$src/build-aux/install-deps.sh" "$src/packaging/debian/control" <<'PY'
import re, sys
script, control = (open(p, encoding="utf-8").read() for p in sys.argv[1:])
block = re.search(r"^build_pkgs=\((.*?)^\)", script, re.S | re.M).group(1)
wanted = re.sub(r"#.*", "", block).split()
fields, key = {}, None
for line in control.splitlines():
    if line.startswith("#"):
        continue
    if line[:1].isspace() and key:
        fields[key] += " " + line
    elif ":" in line:
        key, value = line.split(":", 1)
        fields[key] = fields.get(key, "") + " " + value
named = set()
for field in ("Build-Depends", "Depends", "Recommends"):
    for alternative in re.split(r"[,|]", fields.get(field, "")):
        named.update(re.sub(r"\(.*?\)|\[.*?\]|<.*?>", "", alternative).split())
print(" ".join(p for p in wanted if p not in named | {"gcc", "g++"}))
PY
)
[ -z "$missing" ] ||
  fail "install-deps.sh builds with packages packaging/debian/control does not name: $missing"
check "packaging/debian/control names every build package of install-deps.sh"

say "building the deb with build-aux/package.sh deb"
deb=$(bash "$src/build-aux/package.sh" deb | tail -n 1)
[ -f "$deb" ] || fail "package.sh deb printed '$deb', which is not a file"
case "$(basename "$deb")" in
  "playalter_${version}-"*"_$(dpkg --print-architecture).deb") ;;
  *) fail "$(basename "$deb") does not carry meson.build's version $version" ;;
esac
check "built and linted $(basename "$deb") ($(elapsed))"

# --- the mirror, from this machine's apt sources ------------------------
mirror=${PLAYALTER_DEBIAN_MIRROR:-$(python3 - <<'EOF'
import glob, re

def sources_list(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
        if len(words) >= 3 and words[0] == "deb" and words[2] == "bookworm":
            yield words[1]

def deb822(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    for stanza in re.split(r"\n\s*\n", text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.split()
        if ("deb" in fields.get("types", []) and "bookworm" in fields.get("suites", [])
                and fields.get("enabled", ["yes"])[0] != "no"):
            yield from fields.get("uris", [])

found = []
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        found += list(sources_list(path))
    except OSError:
        pass
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    found += list(deb822(path))
print(found[0] if found else "")
EOF
)}
[ -n "$mirror" ] ||
  fail "no 'bookworm' suite in /etc/apt/sources.list or /etc/apt/sources.list.d/*: set PLAYALTER_DEBIAN_MIRROR"
say "mirror $mirror"

# --- the pristine root, cached ------------------------------------------
arch=$(dpkg --print-architecture)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/playalter
pristine=$cache/debian-bookworm-minbase-$arch.tar.gz
archives=$cache/debian-bookworm-apt-archives
mkdir -p "$cache" "$archives/partial"

work=$(mktemp -d /var/tmp/playalter-test-deb.XXXXXX)
root=$work/root
mounted=()

cleanup() {
  local status=$? i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  # Never delete through a mount that is still there (/dev, the cache).
  if findmnt -rn -o TARGET | grep -q "^$work/"; then
    echo "test-deb: mounts remain under $work; not removing it" >&2
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -f "$pristine" ]; then
  say "no cached root: debootstrap --variant=minbase bookworm (first run on this machine)"
  keyring=()
  if [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
  fi
  boot=$work/boot
  debootstrap --variant=minbase "${keyring[@]}" bookworm "$boot" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
  rm -rf "$boot/var/cache/apt/archives/"*.deb "$boot/var/lib/apt/lists/"*
  tar -C "$boot" --numeric-owner -czf "$pristine.tmp" .
  mv "$pristine.tmp" "$pristine"
  rm -rf --one-file-system "$boot"
  check "made the pristine root $pristine ($(elapsed))"
fi

mkdir "$root"
tar -C "$root" --numeric-owner -xpzf "$pristine"
check "unpacked a copy of the pristine root ($(elapsed))"

bind() {
  mount "$@"
  mounted+=("${*: -1}")
}
bind -t proc proc "$root/proc"
bind -t sysfs sysfs "$root/sys"
bind --bind /dev "$root/dev"
bind --bind /dev/pts "$root/dev/pts"
bind -t tmpfs tmpfs "$root/dev/shm"
bind --bind "$archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# Services must not start in the root.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

in_root() {
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
apt_in_root() {
  in_root apt-get -q -o Dpkg::Use-Pty=0 -o APT::Keep-Downloaded-Packages=true "$@" \
    >>"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; return 1; }
}

# Nothing of the build tree: only the .deb goes in.
cp "$deb" "$root/tmp/"
pkgfile=/tmp/$(basename "$deb")

apt_in_root update || fail "apt-get update in the root failed (log above)"
# Test tools, installed before the file list is recorded so they are not
# counted as the package's: X server and clients, a session bus, gsettings.
apt_in_root install -y --no-install-recommends \
  xvfb xauth dbus x11-utils xdotool libglib2.0-bin ||
  fail "apt-get install of the test tools failed (log above)"
check "test tools installed in the root ($(elapsed))"

# The package's dependencies come from the archive first, so that the
# file lists taken before and after the package hold only its own changes.
depends=$(dpkg-deb -f "$deb" Depends)
apt_in_root satisfy -y --no-install-recommends "$depends" ||
  fail "apt cannot satisfy the package's Depends from Debian 12: $depends"
check "Depends resolved from the Debian 12 archive"

list_root() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev \
    -o -path ./tmp -o -path ./var/tmp -o -path ./run -o -path ./root \
    -o -path ./var/cache -o -path ./var/log -o -path ./var/lib/apt \
    -o -path ./var/lib/dpkg \) -prune -o -print | sort)
}
list_root >"$work/before"

apt_in_root install -y --no-install-recommends "$pkgfile" ||
  fail "apt-get install $pkgfile failed (log above)"
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
[ "$(in_root dpkg-query -W -f='${db:Status-Status}' playalter)" = installed ] ||
  fail "playalter is not installed after apt-get install"
in_root dpkg -L playalter >"$work/files"
check "apt-get install ./$(basename "$deb") ($(elapsed))"

# --- the programs ---------------------------------------------------------
out=$(in_root playalter-cli --version) || fail "playalter-cli --version failed: $out"
[ "$out" = "playalter-cli $version" ] ||
  fail "playalter-cli --version printed '$out', not 'playalter-cli $version'"
check "playalter-cli --version: $out"

out=$(in_root playalter --version) || fail "playalter --version failed: $out"
[ "$out" = "playalter $version" ] ||
  fail "playalter --version printed '$out', not 'playalter $version'"
check "playalter --version: $out"

# A private session bus with GNOME Keyring unlocked (as tests/common does).
# account list exits 0 without one too, with every account "keyring
# unavailable": only a status from the keyring proves it was reached.
cat >"$root/tmp/with-keyring.sh" <<'EOF'
#!/bin/sh
# Runs "$@" with GNOME Keyring's Secret Service unlocked on this bus.
set -eu
mkdir -p -m 700 /tmp/runtime
export XDG_RUNTIME_DIR=/tmp/runtime
printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
gdbus wait --session --timeout 20 org.freedesktop.secrets
"$@"
EOF
chmod 755 "$root/tmp/with-keyring.sh"

out=$(in_root dbus-run-session -- /tmp/with-keyring.sh playalter-cli account list --json 2>&1) ||
  fail "playalter-cli account list failed: $out"
signed_out=$(grep -c '"status" : "not-signed-in"' <<<"$out" || true)
if grep -qi 'unavailable' <<<"$out" || [ "$signed_out" -ne 6 ]; then
  fail "playalter-cli account list did not reach the keyring: $out"
fi
check "playalter-cli account list reached the Secret Service (6 accounts, not signed in)"

cat >"$root/tmp/start-app.sh" <<'EOF'
#!/bin/sh
# Starts playalter on the X display and prints the id of its mapped window.
set -eu
playalter >/tmp/playalter.log 2>&1 &
app=$!
wid=$(timeout 60 xdotool search --sync --onlyvisible --class playalter | head -n 1) || true
if [ -z "$wid" ]; then
  echo "no mapped playalter window within 60 s; its log:" >&2
  cat /tmp/playalter.log >&2
  kill "$app" 2>/dev/null || true
  exit 1
fi
xwininfo -id "$wid" | grep -E 'Map State|Width|Height|xwininfo:'
kill "$app"
wait "$app" || true
EOF
chmod 755 "$root/tmp/start-app.sh"

cat >"$root/tmp/with-x.sh" <<'EOF'
#!/bin/sh
# Runs "$@" on a fresh Xvfb display.
set -eu
Xvfb :77 -screen 0 1280x1024x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &
xvfb=$!
export DISPLAY=:77
i=0
until xdpyinfo >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -le 100 ] || { echo "Xvfb did not start:" >&2; cat /tmp/xvfb.log >&2; exit 1; }
  sleep 0.1
done
status=0
"$@" || status=$?
kill "$xvfb"
exit "$status"
EOF
chmod 755 "$root/tmp/with-x.sh"

out=$(in_root /tmp/with-x.sh dbus-run-session -- /tmp/with-keyring.sh /tmp/start-app.sh 2>&1) ||
  fail "playalter did not map its window under Xvfb: $out"
grep -q 'Map State: IsViewable' <<<"$out" ||
  fail "playalter's window is not viewable: $out"
check "playalter mapped its window under Xvfb ($(grep -m1 'xwininfo:' <<<"$out" | sed 's/^xwininfo: //'))"

# --- installed data -------------------------------------------------------
app_id=io.playalter.PlayAlter
desktop=/usr/share/applications/$app_id.desktop
[ -f "$root$desktop" ] || fail "$desktop is not installed"
exec_line=$(sed -n 's/^Exec=//p' "$root$desktop" | head -n 1)
in_root sh -c "command -v '${exec_line%% *}'" >/dev/null ||
  fail "$desktop runs '$exec_line', which is not on PATH in the root"
icon=$(sed -n 's/^Icon=//p' "$root$desktop" | head -n 1)
icon_path=/usr/share/icons/hicolor/scalable/apps/$icon.svg
[ -f "$root$icon_path" ] || fail "the desktop file's icon '$icon' is not at $icon_path"
[ -f "$root/usr/share/icons/hicolor/symbolic/apps/$icon-symbolic.svg" ] ||
  fail "the symbolic icon $icon-symbolic.svg is not installed"
check "$desktop runs $exec_line, icon $icon_path"

metainfo=/usr/share/metainfo/$app_id.metainfo.xml
[ -f "$root$metainfo" ] || fail "$metainfo is not installed"
grep -q "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$root$metainfo" ||
  fail "$metainfo does not launch $app_id.desktop"
check "$metainfo names $app_id.desktop"

keys=$(in_root gsettings list-keys "$app_id" 2>&1) ||
  fail "gsettings list-keys $app_id failed (schema not compiled?): $keys"
[ -n "$keys" ] || fail "the GSettings schema $app_id has no keys"
check "GSettings schema $app_id compiled: $(echo "$keys" | wc -l) keys"

# Translations: every language in po/LINGUAS must be installed as
# /usr/share/locale/LANG/LC_MESSAGES/playalter.mo, nothing elsewhere, and
# the CLI must speak it.
languages=$(sed 's/#.*//' "$src/po/LINGUAS" 2>/dev/null | tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//' || true)
mos=$(grep '\.mo$' "$work/files" || true)
while read -r mo; do
  [ -n "$mo" ] || continue
  case "$mo" in
    /usr/share/locale/*/LC_MESSAGES/playalter.mo) ;;
    *) fail "translation $mo is not under /usr/share/locale/*/LC_MESSAGES/playalter.mo" ;;
  esac
done <<<"$mos"
english=$(in_root playalter-cli --help 2>&1)
for lang in $languages; do
  grep -qx "/usr/share/locale/$lang/LC_MESSAGES/playalter.mo" <<<"$mos" ||
    fail "po/LINGUAS has $lang but the package has no /usr/share/locale/$lang/LC_MESSAGES/playalter.mo"
  translated=$(in_root env LANGUAGE="$lang" playalter-cli --help 2>&1)
  [ "$translated" != "$english" ] ||
    fail "LANGUAGE=$lang playalter-cli --help is still English: the installed catalogue is not found"
  grep -qE "^[A-Za-z]+\\[$lang\\]=" "$root$desktop" ||
    fail "$desktop has no $lang translation (merged by meson's i18n module from po/$lang.po)"
  grep -q "xml:lang=\"$lang\"" "$root$metainfo" ||
    fail "$metainfo has no $lang translation (merged by meson's i18n module from po/$lang.po)"
  check "translation $lang installed, used by playalter-cli, in the desktop file and metainfo"
done
check "translations: $(grep -c . <<<"$mos" || true) catalogue(s), languages in po/LINGUAS: ${languages:-none yet}"

# --- purge ------------------------------------------------------------------
apt_in_root purge -y playalter || fail "apt-get purge -y playalter failed (log above)"
# A purged package is forgotten by dpkg, or at most "not-installed".
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
status=$(in_root dpkg-query -W -f='${db:Status-Status}' playalter 2>/dev/null || true)
if [ -n "$status" ] && [ "$status" != not-installed ]; then
  fail "playalter is still $status after apt-get purge"
fi
left=()
while read -r path; do
  if [ -z "$path" ] || [ "$path" = "/." ]; then
    continue
  fi
  if [ -e "$root$path" ] || [ -L "$root$path" ]; then
    # A folder another package owns (/usr/bin, /usr/share/...) stays.
    if [ -d "$root$path" ] && [ ! -L "$root$path" ] && in_root dpkg-query -S "$path" >/dev/null 2>&1; then
      continue
    fi
    left+=("$path")
  fi
done <"$work/files"
[ "${#left[@]}" -eq 0 ] || fail "apt-get purge left the package's files: ${left[*]}"
check "no path of dpkg -L playalter is left ($(wc -l <"$work/files") paths checked)"

list_root >"$work/after"
added=$(comm -13 "$work/before" "$work/after")
[ -z "$added" ] || fail "apt-get purge left paths the package added: $added"
ours=$(cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./root \
  -o -path ./tmp \) -prune -o -iname '*playalter*' -print)
[ -z "$ours" ] || fail "paths named after PlayAlter remain after purge: $ours"
if in_root gsettings list-schemas | grep -qx "$app_id"; then
  fail "the GSettings schema $app_id is still compiled in after purge"
fi
check "the root is as it was before the install, and the schema is gone"

# Keep the download cache to what the archive still has.
apt_in_root autoclean || fail "apt-get autoclean in the root failed (log above)"

say "all checks passed ($(elapsed))"
