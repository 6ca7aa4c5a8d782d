#!/usr/bin/env python3
# test-cli-prompt.py — the secret prompt of `account set` on a real terminal
#
# playalter-cli turns echo off while it reads a key from a terminal. Ctrl-C
# at that prompt must give the terminal back with echo on (and exit 130),
# or the user's shell goes on typing blind. This runs the CLI on a pty, as
# a terminal would, and checks the terminal's settings through it.
#
# SPDX-License-Identifier: MIT

import fcntl
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time

TIMEOUT = 20


def cli_path():
    build_root = os.environ.get("PLAYALTER_BUILD_ROOT")
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.path.join(build_root, "app", "cli", "playalter-cli")


def echo_on(fd):
    return bool(termios.tcgetattr(fd)[3] & termios.ECHO)


def read_until(master, needle):
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no %r in %r" % (needle, seen))
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError("the terminal closed before %r: %r" % (needle, seen))
            seen += chunk
    return seen


def wait_exit(process):
    try:
        return process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError("playalter-cli did not exit")


def start_on_pty(data_dir, slave):
    def make_controlling_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    return subprocess.Popen(
        [cli_path(), "--data-dir", data_dir, "account", "set", "stripe"],
        stdin=slave, stdout=slave, stderr=slave, env=env,
        preexec_fn=make_controlling_terminal, close_fds=True)


def case(name, interrupt):
    """Runs one prompt; @interrupt(master, process) ends it. Returns
    (exit status, echo on afterwards)."""
    master, slave = os.openpty()
    data_dir = tempfile.mkdtemp(prefix="playalter-prompt-")
    try:
        assert echo_on(slave), "the pty starts with echo on"
        process = start_on_pty(data_dir, slave)
        read_until(master, b"(input is hidden)")
        # The prompt is up: echo must be off while the key is typed.
        deadline = time.monotonic() + TIMEOUT
        while echo_on(slave) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not echo_on(slave), "%s: echo is off at the prompt" % name
        interrupt(master, process)
        status = wait_exit(process)
        return status, echo_on(slave)
    finally:
        os.close(master)
        os.close(slave)
        shutil.rmtree(data_dir, ignore_errors=True)


def press_ctrl_c(master, process):
    # What the user does: the terminal turns ^C into SIGINT for the
    # foreground process group.
    os.write(master, b"sk_test_partly_typed\x03")


def send_sigterm(master, process):
    process.send_signal(signal.SIGTERM)


def main():
    results = []

    status, echo = case("ctrl-c", press_ctrl_c)
    results.append(("Ctrl-C at the prompt exits 130", status == 130, status))
    results.append(("Ctrl-C at the prompt turns echo back on", echo, echo))

    status, echo = case("sigterm", send_sigterm)
    results.append(("SIGTERM at the prompt exits 143", status == 128 + signal.SIGTERM, status))
    results.append(("SIGTERM at the prompt turns echo back on", echo, echo))

    print("1..%d" % len(results))
    failed = 0
    for number, (what, ok, detail) in enumerate(results, 1):
        if ok:
            print("ok %d %s" % (number, what))
        else:
            failed += 1
            print("not ok %d %s (got %r)" % (number, what, detail))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
