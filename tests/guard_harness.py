"""A stand-in for ``ilo`` used by tests/test_guard.py and tests/test_supervise.py.

As a script it parses the guard flags with the real helpers, then runs one
scenario through the real :func:`ilo.supervise.run_guarded` (fork, guard,
sink), the way the CLI does::

    python tests/guard_harness.py [--max-runtime S] [--max-output-bytes N]
        [--max-memory MB] [--max-idle S] [--json|--text] [--grace S] SCENARIO [ARG]

As a module it gives the tests their subprocess helpers (``harness``,
``ilo``, ``Result``, process-table checks).
"""

from __future__ import annotations

import collections
import importlib.util
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ilo import runtime_guard, sink, supervise  # noqa: E402
from ilo.diagnostics.errors import IloError  # noqa: E402
from ilo.diagnostics.render import render  # noqa: E402


ROOT = Path(__file__).resolve().parents[1]
HARNESS = str(ROOT / "tests" / "guard_harness.py")


def _engines() -> list[str]:
    """The engines that exist ("tree", "vm", "jit"): guard tests run on each."""
    from ilo.api import available_engines

    return available_engines()


ENGINES = _engines()


def cli_available() -> bool:
    try:
        return importlib.util.find_spec("ilo.cli.main") is not None
    except (ImportError, ValueError):
        return False


def env(**extra) -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.pop("ILO_NO_FORK", None)
    e.update(extra)
    return e


@dataclass
class Result:
    rc: int
    out: bytes
    err: str
    wall: float

    @property
    def diags(self) -> list[dict]:
        """Every JSON diagnostic line on stderr (``{"error": ...}`` bodies)."""
        found = []
        for line in self.err.splitlines():
            line = line.strip()
            if line.startswith("{"):
                found.append(json.loads(line)["error"])
        return found

    @property
    def diag(self) -> dict:
        lines = [ln for ln in self.err.splitlines() if ln.strip()]
        assert len(lines) == 1, f"expected exactly one diagnostic line, got {self.err!r}"
        return json.loads(lines[0])["error"]


def run(cmd: list[str], *, timeout: float = 20, read_stdout: bool = True,
        extra_env: dict | None = None) -> Result:
    """Run ``cmd``; with ``read_stdout=False`` stdout is a pipe nobody reads."""
    t = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env(**(extra_env or {})),
                            start_new_session=True)
    try:
        if read_stdout:
            out, err = proc.communicate(timeout=timeout)
        else:
            # stderr only: stdout stays unread (its pipe fills up and blocks)
            err = b""
            deadline = t + timeout
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(cmd, timeout)
                time.sleep(0.01)
            err = proc.stderr.read()
            out = b""
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, 9)
        except OSError:
            pass
        proc.wait()
        raise
    wall = time.monotonic() - t
    if not read_stdout:
        out = proc.stdout.read()
    proc.stdout.close()
    proc.stderr.close()
    return Result(proc.returncode, out, err.decode("utf-8", "replace"), wall)


def harness(*args: str, **kw) -> Result:
    return run([sys.executable, HARNESS, *args], **kw)


def ilo(*args: str, **kw) -> Result:
    return run([sys.executable, "-m", "ilo", *args], **kw)


def proc_state(pid: int) -> str:
    """Process state letter from /proc (``Z`` zombie), or ``gone``."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return "gone"


def alive(pid: int) -> bool:
    return proc_state(pid) not in ("gone", "Z", "X")


def wait_dead(pids, timeout: float = 3.0) -> list[int]:
    """Pids still running after ``timeout``."""
    end = time.monotonic() + timeout
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)


# --------------------------------------------------------------------------
# scenarios (run in the supervised child)

def c_forever():
    """One C call that holds the GIL and never returns (no signal checks)."""
    collections.deque(itertools.repeat(1), maxlen=0)


def scenario(name: str, arg: str | None):
    if name == "loop":                       # pure-Python infinite loop
        def body():
            i = 0
            while True:
                i += 1
    elif name == "flood":                    # prnt in a loop, fixed-width lines
        width = int(arg or 10)

        def body():
            i = 0
            while True:
                sink.write_stdout(f"{i:0{width - 1}d}\n")
                i += 1
    elif name == "lines":                    # N lines then a normal exit
        def body():
            for i in range(int(arg)):
                sink.write_stdout(f"line {i}\n")
            return 0
    elif name == "cloop":                    # stuck in C, holding the GIL
        def body():
            c_forever()
    elif name == "print-cloop":              # some output, then stuck in C
        def body():
            for i in range(3):
                sink.write_stdout(f"line {i}\n")
            c_forever()
    elif name == "sleep":                    # a sleep, then a line
        def body():
            time.sleep(float(arg))
            sink.write_stdout("done\n")
            return 0
    elif name == "tick-idle":                # prints every ARG s forever
        def body():
            while True:
                sink.write_stdout("tick\n")
                time.sleep(float(arg))
    elif name == "silent":                   # silent after one line
        def body():
            sink.write_stdout("start\n")
            while True:
                time.sleep(0.01)
    elif name == "mem":                      # grows without bound (pure Python)
        def body():
            hoard = []
            while True:
                hoard.append(bytearray(1 << 20))
                hoard[-1][::4096] = b"x" * 256
    elif name == "mem-c":                    # big allocation, then stuck in C
        def body():
            hoard = b"x" * (int(arg or 300) << 20)   # memset in C: resident
            sink.write_stdout(f"{len(hoard)}\n")
            c_forever()
    elif name == "pid":                      # where does the program run?
        def body():
            sink.write_stdout(f"{os.getpid()} {os.getppid()} {os.getsid(0)}\n")
            return 0
    elif name == "segv":
        def body():
            sink.write_stdout("before\n")
            sink.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
            time.sleep(5)
    elif name == "abort":
        def body():
            os.abort()
    elif name == "exit":
        def body():
            sink.write_stdout("bye\n")
            return int(arg)
    elif name == "raise":
        def body():
            raise RuntimeError("boom")
    elif name == "grandchild":               # a subprocess in the child's group
        def body():
            gc = subprocess.Popen(["sleep", "60"])
            sink.write_stdout(f"{os.getpid()} {gc.pid}\n")
            sink.flush()
            while True:
                pass
    elif name == "grandchild-c":             # same, then stuck in C
        def body():
            gc = subprocess.Popen(["sleep", "60"])
            sink.write_stdout(f"{os.getpid()} {gc.pid}\n")
            sink.flush()
            c_forever()
    elif name in ("double", "abort-twice"):
        # ILO-R017 whose exit path is stuck flushing to a pipe nobody reads
        # (up to ABORT_FLUSH_S) while a second stop fires: the parent's
        # backstop ("double", run with a short --max-runtime and --grace 0)
        # or a nested abort_with from a signal handler ("abort-twice").
        # Run with --max-output-bytes 150000 and stdout a pipe never read.
        def body():
            if name == "abort-twice":
                import threading
                def second(*_a):
                    runtime_guard.abort_with("ILO-R016", "second abort", "must stay silent")
                    marker = os.environ.get("GUARD_MARKER")
                    if marker:                   # the nested call returned silently
                        open(marker, "w").close()
                signal.signal(signal.SIGUSR1, second)
                threading.Timer(0.25, os.kill, (os.getpid(), signal.SIGUSR1)).start()
            sink.write_stdout("x" * 64999 + "\n")
            time.sleep(0.15)                 # a watchdog tick moves it into the pipe
            sink.write_stdout("y" * 64999 + "\n")
            sink.write_stdout("z" * 29999 + "\n")   # crosses the cap
            return 0
    else:
        raise SystemExit(f"unknown scenario {name}")
    return body


def main(argv: list[str]) -> int:
    flags: dict[str, str] = {}
    json_flag = None
    grace = supervise.GRACE_S
    rest: list[str] = []
    it = iter(argv)
    for a in it:
        if a in runtime_guard.GUARD_FLAGS:
            flags[a] = next(it, None)
        elif a == "--json":
            json_flag = True
        elif a == "--text":
            json_flag = False
        elif a == "--grace":
            grace = float(next(it))
        else:
            rest.append(a)
    mode = "text" if json_flag is False else runtime_guard.diag_mode(bool(json_flag))
    try:
        limits = runtime_guard.limits_from_flags(flags)
    except IloError as err:
        sys.stderr.write(render(err, mode) + "\n")
        return err.exit_code
    scene = scenario(rest[0], rest[1] if len(rest) > 1 else None)

    def body():
        runtime_guard.set_phase("run")
        return scene()

    return supervise.run_guarded(body, limits, mode, engine="harness", grace_s=grace)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
