#!/usr/bin/env bash
# test-flatpak.sh — checks the Flatpak manifest and the files it ships,
# without building the Flatpak: no GNOME runtime can be downloaded here, so
# .github/workflows/release-flatpak.yml builds, installs and starts the
# bundle. This test checks:
#   1. `flatpak-builder --show-manifest` parses the manifest and every
#      module file it includes, with no warning (an unknown key is only a
#      warning to flatpak-builder, so a warning fails here);
#   2. every source of every module is pinned: a sha256 for each download,
#      a commit for each git source, and a dir source only for the app's own
#      checkout;
#   3. no finish-arg from the deny list (home or host files, all devices,
#      the Secret Service name, whole session or system bus), the ones the
#      app needs are there, and flatpak/README.md gives each one's reason;
#   4. `appstreamcli validate --pedantic` on the built metainfo;
#   5. `desktop-file-validate` on the built .desktop file;
#   6. the app id, command and icon agree between the manifest, the .desktop
#      file, the metainfo and what meson installs, and the landmark model is
#      installed where the manifest tells the app to look;
#   7. the release workflow builds this manifest in the image of its runtime.
# It needs a configured and built tree (meson test builds it first).
set -euo pipefail

fail() {
  echo "test-flatpak: FAIL: $*" >&2
  exit 1
}

: "${PLAYALTER_SOURCE_ROOT:?run through meson test (PLAYALTER_SOURCE_ROOT is unset)}"
: "${PLAYALTER_BUILD_ROOT:?run through meson test (PLAYALTER_BUILD_ROOT is unset)}"

for tool in flatpak-builder appstreamcli desktop-file-validate python3 meson; do
  command -v "$tool" >/dev/null \
    || fail "$tool is missing (build-aux/install-deps.sh --tests installs it)"
done

app_id=io.playalter.PlayAlter
manifest="$PLAYALTER_SOURCE_ROOT/flatpak/$app_id.json"
readme="$PLAYALTER_SOURCE_ROOT/flatpak/README.md"
workflow="$PLAYALTER_SOURCE_ROOT/.github/workflows/release-flatpak.yml"
metainfo="$PLAYALTER_BUILD_ROOT/resources/$app_id.metainfo.xml"
desktop="$PLAYALTER_BUILD_ROOT/resources/$app_id.desktop"

for file in "$manifest" "$readme" "$workflow"; do
  [ -f "$file" ] || fail "$file is missing"
done
for file in "$metainfo" "$desktop"; do
  [ -f "$file" ] || fail "$file is missing: build the tree first (meson compile -C $PLAYALTER_BUILD_ROOT)"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. flatpak-builder keeps a state folder in the current directory even for
# --show-manifest: run it in the temporary folder.
echo "== 1. flatpak-builder --show-manifest $(basename "$manifest")"
if ! (cd "$tmp" && flatpak-builder --show-manifest "$manifest" >"$tmp/manifest.json" 2>"$tmp/show.err"); then
  cat "$tmp/show.err" >&2
  fail "flatpak-builder cannot parse $manifest"
fi
if [ -s "$tmp/show.err" ]; then
  cat "$tmp/show.err" >&2
  fail "flatpak-builder warned about $manifest (above)"
fi
echo "parsed: $(wc -c <"$tmp/manifest.json") bytes of expanded manifest"

# 2, 3, 6 (manifest side) and 7: read the expanded manifest.
echo "== 2, 3, 6, 7. sources, finish-args, names, release workflow"
meson introspect --installed "$PLAYALTER_BUILD_ROOT" >"$tmp/installed.json" \
  || fail "meson introspect --installed failed in $PLAYALTER_BUILD_ROOT"
python3 - "$tmp/manifest.json" "$(dirname "$manifest")" "$PLAYALTER_SOURCE_ROOT" \
  "$readme" "$workflow" "$metainfo" "$desktop" "$tmp/installed.json" "$app_id" <<'PY'
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

(manifest_path, manifest_dir, source_root, readme_path, workflow_path,
 metainfo_path, desktop_path, installed_path, app_id) = sys.argv[1:]
manifest = json.load(open(manifest_path))
problems = []


def problem(text):
    problems.append(text)
    print("  PROBLEM: " + text)


# --- 2. sources -----------------------------------------------------------
def modules(mods, depth=0):
    for mod in mods:
        if isinstance(mod, str):
            problem("module file %s was not expanded" % mod)
            continue
        yield mod, depth
        yield from modules(mod.get("modules", []), depth + 1)


HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX40 = re.compile(r"^[0-9a-f]{40}$")
n_sources = 0
for mod, depth in modules(manifest.get("modules", [])):
    name = mod.get("name", "?")
    sources = mod.get("sources", [])
    if not sources:
        problem("module %s has no sources" % name)
    for src in sources:
        n_sources += 1
        kind = src.get("type")
        where = src.get("url") or src.get("path") or "?"
        if kind in ("archive", "file"):
            if "url" not in src:
                problem("%s: %s source without a url" % (name, kind))
            if not HEX64.match(src.get("sha256", "")):
                problem("%s: %s has no sha256" % (name, where))
                continue
            print("  %-16s %-7s sha256 %s  %s" % (name, kind, src["sha256"], where))
        elif kind == "git":
            if not HEX40.match(src.get("commit", "")):
                problem("%s: git %s is not pinned to a commit" % (name, where))
                continue
            print("  %-16s git     commit %s  %s" % (name, src["commit"], where))
        elif kind == "dir":
            path = os.path.realpath(os.path.join(manifest_dir, src.get("path", "")))
            if path != os.path.realpath(source_root):
                problem("%s: dir source %s is not the app's own checkout" % (name, where))
                continue
            print("  %-16s dir     the checkout itself (%s)" % (name, src["path"]))
        else:
            problem("%s: source type %r is neither pinned nor the checkout" % (name, kind))
print("sources: %d checked" % n_sources)

# --- 3. finish-args ------------------------------------------------------
args = manifest.get("finish-args", [])
DENY = [
    (r"^--filesystem=(home|host|host-os|host-etc|~|/)([:/].*)?$", "home or host files"),
    (r"^--device=all$", "every device"),
    (r"^--talk-name=org\.freedesktop\.secrets$", "the Secret Service instead of the Secret portal"),
    (r"^--socket=session-bus$", "the whole session bus"),
    (r"^--socket=system-bus$", "the whole system bus"),
]
NEEDED = ["--socket=wayland", "--socket=fallback-x11", "--share=ipc",
          "--device=dri", "--share=network"]
# A reason is a list item "- `ARG`: why" (the README's "- No `ARG`" items
# say what is left out, and do not count).
readme = open(readme_path).read()
for arg in args:
    denied = [why for pattern, why in DENY if re.match(pattern, arg)]
    if denied:
        problem("finish-arg %s is denied: it grants %s" % (arg, denied[0]))
    elif not re.search(r"^- `%s`: \S" % re.escape(arg), readme, re.M):
        problem("finish-arg %s has no reason in flatpak/README.md" % arg)
    else:
        print("  finish-arg %s: allowed, explained in flatpak/README.md" % arg)
for arg in NEEDED:
    if arg not in args:
        problem("finish-arg %s is missing" % arg)
print("finish-args: %d checked" % len(args))

# --- 6. names ------------------------------------------------------------
if manifest.get("id") != app_id:
    problem("manifest id is %r, not %s" % (manifest.get("id"), app_id))
command = manifest.get("command")
print("  manifest: id %s, command %s, runtime %s//%s, sdk %s" % (
    manifest.get("id"), command, manifest.get("runtime"),
    manifest.get("runtime-version"), manifest.get("sdk")))
if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
    problem("runtime and sdk must be org.gnome.Platform and org.gnome.Sdk")

entry = {}
group = None
for line in open(desktop_path, encoding="utf-8"):
    line = line.strip()
    if line.startswith("["):
        group = line
    elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
        key, value = line.split("=", 1)
        entry.setdefault(key, value)
exec_command = entry.get("Exec", "").split()[0] if entry.get("Exec") else None
icon = entry.get("Icon")
print("  .desktop: file %s, Exec %s, Icon %s" % (os.path.basename(desktop_path), entry.get("Exec"), icon))
if os.path.basename(desktop_path) != app_id + ".desktop":
    problem("the .desktop file is not named after the app id")
if exec_command != command:
    problem(".desktop Exec runs %r, the manifest's command is %r" % (exec_command, command))
if icon != app_id:
    problem(".desktop Icon is %r, not the app id" % icon)

root = ET.parse(metainfo_path).getroot()
mi_id = root.findtext("id")
launchable = root.find("launchable[@type='desktop-id']")
binaries = [b.text for b in root.findall("provides/binary")]
print("  metainfo: id %s, launchable %s, binaries %s" % (
    mi_id, launchable.text if launchable is not None else None, binaries))
if mi_id != app_id:
    problem("metainfo id is %r, not %s" % (mi_id, app_id))
if launchable is None or launchable.text != app_id + ".desktop":
    problem("metainfo launchable is not %s.desktop" % app_id)
if command not in binaries:
    problem("metainfo does not provide the binary %s" % command)

installed = list(json.load(open(installed_path)).values())
wanted = {
    "the command": "/bin/%s" % command,
    "the CLI the release workflow runs": "/bin/playalter-cli",
    "the .desktop file": "/share/applications/%s.desktop" % app_id,
    "the metainfo": "/share/metainfo/%s.metainfo.xml" % app_id,
    "the icon": "/share/icons/hicolor/scalable/apps/%s.svg" % icon,
}
for what, suffix in wanted.items():
    found = [path for path in installed if path.endswith(suffix)]
    if found:
        print("  meson installs %s: %s" % (what, found[0]))
    else:
        problem("meson does not install %s (*%s)" % (what, suffix))

# The face swap reads the model from the path the manifest sets; the
# landmark module must install it exactly there.
env = dict(a[len("--env="):].split("=", 1) for a in args if a.startswith("--env="))
model = env.get("PLAYALTER_FACE_MODEL")
installs = [c for mod, _ in modules(manifest.get("modules", []))
            for c in mod.get("build-commands", []) if model and c.rstrip().endswith(" " + model)]
if not model:
    problem("no --env=PLAYALTER_FACE_MODEL= tells the app where the landmark model is")
elif not model.startswith("/app/share/dlib/") or not installs:
    problem("no module installs the landmark model to %s" % model)
else:
    print("  landmark model: installed to %s, where the app is told to look" % model)

# --- 7. release workflow -------------------------------------------------
workflow = open(workflow_path).read()
images = set(re.findall(r"flatpak-github-actions:gnome-(\d+)", workflow))
print("  release workflow: image gnome-%s" % ", gnome-".join(sorted(images)))
if images != {manifest.get("runtime-version")}:
    problem("release-flatpak.yml builds in gnome-%s, the manifest uses GNOME %s" % (
        sorted(images), manifest.get("runtime-version")))
if "flatpak/%s.json" % app_id not in workflow:
    problem("release-flatpak.yml does not build flatpak/%s.json" % app_id)
if "%s.flatpak" % app_id not in workflow:
    problem("release-flatpak.yml does not make %s.flatpak" % app_id)

if problems:
    print("%d problem(s)" % len(problems))
    sys.exit(1)
PY
echo "sources, finish-args, names and workflow: OK"

# 4. The app id is reverse-DNS with capitals, as GNOME's are; AppStream's
# pedantic hint about it is the one issue allowed. Anything else fails.
# --no-net: the metainfo's URLs are not fetched (tests run offline).
echo "== 4. appstreamcli validate --pedantic --no-net $(basename "$metainfo")"
set +e
appstreamcli validate --pedantic --no-net "$metainfo" >"$tmp/appstream.out" 2>&1
status=$?
set -e
cat "$tmp/appstream.out"
[ "$status" -eq 0 ] || fail "appstreamcli validate failed ($status)"
if grep -E '^[EWIP]: ' "$tmp/appstream.out" | grep -v ' cid-contains-uppercase-letter ' >&2; then
  fail "appstreamcli reported the issues above"
fi

echo "== 5. desktop-file-validate $(basename "$desktop")"
set +e
desktop-file-validate "$desktop" >"$tmp/desktop.out" 2>&1
status=$?
set -e
cat "$tmp/desktop.out"
[ "$status" -eq 0 ] || fail "desktop-file-validate failed ($status)"
[ ! -s "$tmp/desktop.out" ] || fail "desktop-file-validate reported the lines above"
echo "desktop-file-validate: no errors, warnings or hints"

echo "test-flatpak: OK"
