#!/usr/bin/env python3
"""Checks the walls between the parts of PlayAlter.

The build already refuses most crossings (each core layer is compiled with
only its own folder and the layers below it on the include path, and every
-private.h header stops the build outside its folder); this test proves
that those guards bite, and checks what an include path cannot express:

  * each file in core/ includes headers only from its own layer and the
    layers below it (the table below mirrors core/meson.build);
  * a -private.h header is included only from its own folder;
  * SQL is written only in core/store/ (no sqlite3 calls elsewhere in
    core/ or app/);
  * the GUI and the CLI never include each other;
  * compiling a private header from outside its folder fails with its
    own message, even with every public include directory at hand.

    check-layers.py SOURCE_ROOT CC...
"""
import os
import re
import subprocess
import sys
import tempfile

# layer -> layers it may use (base is core/ itself). Keep in step with
# the dependencies in core/*/meson.build.
LAYERS = {
    "base": set(),
    "store": {"base"},
    "secrets": {"base"},
    "net": {"base"},
    "platforms": {"base", "net", "secrets", "store"},
    "accounts": {"base", "net", "secrets", "store", "platforms"},
    "media": {"base", "net", "secrets", "store", "platforms"},
    "workflow": {"base", "net", "secrets", "store", "platforms", "media"},
    # media for the live face swap; platforms and secrets for the
    # destinations (Agora's ingest, stream keys in the keyring).
    "stream": {"base", "net", "secrets", "store", "platforms", "media"},
    "payments": {"base", "net", "secrets", "store", "platforms"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
SQL = re.compile(r"\bsqlite3_\w+|\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+[\w*(]")


def layer_of(rel):
    parts = rel.split(os.sep)
    if parts[0] != "core":
        return None
    if len(parts) == 2:
        return "base"
    return parts[1]


def scope_of(rel):
    """What may share a -private.h: a core layer (with its subfolders), or
    a folder elsewhere."""
    layer = layer_of(rel)
    return ("core", layer) if layer is not None else os.path.dirname(rel)


def main():
    root = sys.argv[1]
    compiler = sys.argv[2:]
    problems = []
    headers = {}  # basename -> path relative to root
    sources = []
    for top in ("core", "app"):
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                if name.endswith((".c", ".h")):
                    rel = os.path.relpath(os.path.join(dirpath, name), root)
                    sources.append(rel)
                    if name.endswith(".h"):
                        if name in headers:
                            problems.append(f"two headers named {name}: {headers[name]}, {rel}")
                        headers[name] = rel

    for rel in sorted(sources):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        # The umbrella header is the one file that gathers every layer.
        here = None if rel == os.path.join("core", "playalter.h") else layer_of(rel)
        for inc in INCLUDE.findall(text):
            name = os.path.basename(inc)
            target = headers.get(name)
            if target is None:
                continue  # config.h, generated resources
            if name.endswith("-private.h") and scope_of(target) != scope_of(rel):
                problems.append(f"{rel} includes {target}, which is private to its folder")
            there = layer_of(target)
            if here is not None:
                if there is None:
                    problems.append(f"{rel} (core) includes {target} from the app")
                elif there != here and there not in LAYERS[here]:
                    problems.append(f"{rel} ({here}) includes {target} ({there}): "
                                    f"{here} may use only {', '.join(sorted(LAYERS[here])) or 'nothing'}")
            for a, b in (("cli", "gui"), ("gui", "cli")):
                if rel.startswith(f"app/{a}/") and target.startswith(f"app/{b}/"):
                    problems.append(f"{rel} ({a.upper()}) includes {target} ({b.upper()})")
        if not rel.startswith(os.path.join("core", "store")) and SQL.search(text):
            m = SQL.search(text)
            line = text.count("\n", 0, m.start()) + 1
            problems.append(f"{rel}:{line}: SQL outside core/store ({m.group(0)!r})")

    # The guards themselves: from outside, with every public include
    # directory, each private header must refuse to compile.
    include_dirs = sorted({os.path.join(root, os.path.dirname(p)) for p in headers.values()
                           if p.startswith("core")})
    pkgs = ["glib-2.0", "gio-2.0", "json-glib-1.0", "libsoup-3.0", "libsecret-1", "sqlite3"]
    cflags = subprocess.run(["pkg-config", "--cflags"] + pkgs, check=True,
                            capture_output=True, text=True).stdout.split()
    flags = [f"-I{d}" for d in include_dirs] + cflags
    private = sorted(p for n, p in headers.items() if n.endswith("-private.h") and p.startswith("core"))
    if not private:
        problems.append("no private headers found: is SOURCE_ROOT right?")
    with tempfile.TemporaryDirectory() as tmp:
        for path in private:
            name = os.path.basename(path)
            src = os.path.join(tmp, "outsider.c")
            with open(src, "w", encoding="utf-8") as f:
                f.write(f'#include "{name}"\nint outsider (void);\nint outsider (void) {{ return 0; }}\n')
            cmd = compiler + flags + ["-fsyntax-only", src]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode == 0:
                problems.append(f"{path} compiles from outside its folder: its guard does not bite")
            elif "is private to" not in res.stderr:
                problems.append(f"{path} fails from outside, but not with its guard's message:\n"
                                + res.stderr.strip()[:400])
            else:
                print(f"ok {path}: refused from outside its folder")

    for p in problems:
        print("FAIL", p)
    print(f"{len(sources)} files, {len(private)} private headers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
