"""The CLI entry's fast exit (no interpreter teardown) loses nothing.

``ilo.__main__.entry`` ends with ``os._exit`` after flushing the standard
streams when no atexit handler or other thread is pending; these runs check
that every byte and the exit code still arrive, and that pending handlers
turn the fast exit off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, ilo_env

SCRIPT = Path(sys.executable).with_name("ilo")
LINES = 5000


def run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=REPO_ROOT, env=ilo_env())


def test_long_output_arrives_whole_through_a_pipe():
    program = f"main>n;@i 0..{LINES}{{prnt i}};7"
    for cmd in ([sys.executable, "-m", "ilo", program], [str(SCRIPT), program]):
        done = run(cmd)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == [str(i) for i in range(LINES)] + ["7"]


def test_exit_codes_and_stderr_survive():
    err = run([sys.executable, "-m", "ilo", 'main>R n t;^"boom"'])
    assert err.returncode == 1 and "boom" in err.stderr
    bad = run([sys.executable, "-m", "ilo", "main>n;+1"])
    assert bad.returncode == 2 and "ILO-P010" in bad.stderr


def test_pending_atexit_handler_gets_its_normal_exit():
    code = ("import atexit, sys; atexit.register(lambda: print('handler ran', flush=True)); "
            "sys.argv = ['ilo', 'main>n;41']; from ilo.__main__ import entry; entry()")
    done = run([sys.executable, "-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["41", "handler ran"]


def test_closed_stderr_keeps_the_exit_code():
    cmd = f"{sys.executable} -m ilo 'main>n;x' 2>&-"
    done = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=60, cwd=REPO_ROOT, env=ilo_env())
    assert done.returncode == 2
