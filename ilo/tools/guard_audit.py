"""Adversarial audit of the runtime guard: try every known way around it.

Each probe runs ``python -m ilo`` (or ``ilo test``) as a careless harness or
an attacker would, on one engine, and returns a :class:`Verdict`.  The test
suite (tests/test_guard_holes.py) asserts every probe on every engine;
``python -m ilo.tools.guard_audit`` (or scripts/guard_audit.py) prints one
line per probe and engine::

    python -m ilo.tools.guard_audit [--engine tree|vm|jit|all] [--only NAME]

Exit status 0 when every probe holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ilo import sink

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Verdict:
    ok: bool
    detail: str


@dataclass
class Run:
    rc: int
    out: bytes
    err: str
    wall: float

    def diag(self) -> dict | None:
        """The one JSON diagnostic on stderr, or None."""
        lines = [ln for ln in self.err.splitlines() if ln.strip()]
        if len(lines) != 1:
            return None
        try:
            body = json.loads(lines[0])
        except ValueError:
            return None
        return body.get("error") if isinstance(body, dict) else None


def env(**extra: str) -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    for k in ("ILO_NO_FORK", "NO_COLOR", "ILO_DEBUG"):
        e.pop(k, None)
    e.update(extra)
    return e


def ilo_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "ilo", *args]


def run(args: list[str], *, timeout: float = 30, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        extra_env: dict | None = None, shell_tail: str | None = None) -> Run:
    """Run ``ilo ARGS``; ``shell_tail`` pipes it through a shell command."""
    cmd = ilo_cmd(*args)
    t = time.monotonic()
    if shell_tail is not None:
        cmd = ["bash", "-c", " ".join(_q(a) for a in cmd) + " " + shell_tail]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            env=env(**(extra_env or {})), start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return Run(-999, out or b"", (err or b"").decode("utf-8", "replace"),
                   time.monotonic() - t)
    return Run(proc.returncode, out or b"", (err or b"").decode("utf-8", "replace"),
               time.monotonic() - t)


def _q(a: str) -> str:
    return "'" + a.replace("'", "'\\''") + "'"


def processes_with(marker: str) -> list[int]:
    """Pids whose command line contains ``marker`` (zombies excluded)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read()
            with open(f"/proc/{d}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmd and state not in ("Z", "X"):
            found.append(int(d))
    return found


def wait_gone(marker: str, timeout: float) -> list[int]:
    end = time.monotonic() + timeout
    while True:
        left = processes_with(marker)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.02)


def _code(r: Run) -> str:
    d = r.diag()
    return d.get("code", "?") if d else f"(stderr {r.err[:120]!r})"


LOOP = "main>n;i=0;wh true{i=+i 1};i"
KB = 's="";@i 0..100{s=+s "xxxxxxxxx\n"};s'   # 1,000 bytes of whole lines


# --------------------------------------------------------------------------
# 1. output cap bypass through wr

def output_cap_bypass(engine: str) -> Verdict:
    bad = []
    for path in ("/dev/stdout", "/proc/self/fd/1", "/dev/fd/1"):
        r = run(["--engine", engine, "--max-output-bytes", "100",
                 f'main>n;{KB.rsplit(";", 1)[0]};wr "{path}" s;1'])
        if r.rc != 1 or _code(r) != "ILO-R017" or len(r.out) > 100:
            bad.append(f"{path}: rc {r.rc}, {len(r.out)} bytes, {_code(r)}")
    r = run(["--engine", engine, "--max-output-bytes", "100",
             f'main>n;{KB.rsplit(";", 1)[0]};wr "/dev/stderr" s;1'])
    if r.rc != 1 or "ILO-R017" not in r.err or r.err.count("xxxxxxxxx") > 10:
        bad.append(f"/dev/stderr: rc {r.rc}")
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "out.txt")
        with open(target, "wb") as fh:            # stdout redirected to a file
            r = run(["--engine", engine, "--max-output-bytes", "100",
                     f'main>n;prnt "first";{KB.rsplit(";", 1)[0]};wr "/dev/stdout" s;1'],
                    stdout=fh)
        data = Path(target).read_bytes()
        if r.rc != 1 or data != b"first\n":
            bad.append(f"stdout as a file: rc {r.rc}, file holds {data[:40]!r}")
        f2 = os.path.join(tmp, "w.txt")
        r = run(["--engine", engine, "--max-write-bytes", "500",
                 f'main>n;{KB.rsplit(";", 1)[0]};wr "{f2}" s;1'])
        if r.rc != 1 or _code(r) != "ILO-R605" or (os.path.exists(f2) and os.path.getsize(f2)):
            bad.append(f"--max-write-bytes: rc {r.rc}, {_code(r)}")
        r = run(["--engine", engine, "--max-write-bytes", "5000",
                 f'main>n;{KB.rsplit(";", 1)[0]};wr "{f2}" s;1'])
        if r.rc != 0 or os.path.getsize(f2) != 1000:
            bad.append(f"under --max-write-bytes: rc {r.rc}")
    return Verdict(not bad, "; ".join(bad) or
                   "wr to /dev/stdout, /proc/self/fd/1, /dev/fd/1, /dev/stderr charged; "
                   "R605 at --max-write-bytes")


# --------------------------------------------------------------------------
# 2. signals end everything

def _signal_run(argv: list[str], marker: str, sig: int, after: float) -> tuple[int, float, list]:
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env(), start_new_session=True)
    time.sleep(after)
    t = time.monotonic()
    proc.send_signal(sig)
    try:
        rc = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        rc = None
    took = time.monotonic() - t
    left = wait_gone(marker, 1.0)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if rc is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return rc, took, left


def signals_end_everything(engine: str, rounds: int = 20) -> Verdict:
    bad = []
    with tempfile.TemporaryDirectory(prefix="ilo-audit-sig-") as tmp:
        for i in range(3):
            Path(tmp, f"case{i}.ilo").write_text(f"{LOOP}\n-- run: main\n-- out: 1\n")
        prog = Path(tmp, "loop.ilo")
        prog.write_text(LOOP + "\n")
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            for argv, what in ((ilo_cmd("--engine", engine, "test", "-j", "2", tmp), "ilo test"),
                               (ilo_cmd("--engine", engine, str(prog)), "ilo")):
                rc, took, left = _signal_run(argv, tmp, sig, 1.5)
                if rc != -sig or took > 1.0 or left:
                    bad.append(f"{what} {signal.Signals(sig).name}: rc {rc}, {took:.2f} s, "
                               f"{len(left)} left")
        rng = random.Random(12)
        for _ in range(rounds):                   # the first 50 ms, fork included
            rc, took, left = _signal_run(ilo_cmd("--engine", engine, str(prog)), tmp,
                                         signal.SIGTERM, rng.uniform(0, 0.05))
            if left or rc not in (-signal.SIGTERM,):
                bad.append(f"SIGTERM early: rc {rc}, {len(left)} left")
                break
        for _ in range(rounds // 2):              # around fork: after start-up
            rc, took, left = _signal_run(ilo_cmd("--engine", engine, str(prog)), tmp,
                                         signal.SIGTERM, rng.uniform(0.1, 0.4))
            if left or rc != -signal.SIGTERM:
                bad.append(f"SIGTERM near fork: rc {rc}, {len(left)} left")
                break
    return Verdict(not bad, "; ".join(bad) or
                   f"TERM/HUP/INT to ilo and ilo test -j 2: all gone within 1 s, 128+sig; "
                   f"{rounds + rounds // 2} random early SIGTERMs, no orphan")


# --------------------------------------------------------------------------
# 3. odd limit values

ODD_REFUSED = [("--max-runtime", v) for v in ("nan", "inf", "-1", "1e300", "abc", "0x10", "1_0", "")] + \
    [("--max-memory", v) for v in ("1e-9", "0.5", "-3", "nan")] + \
    [("--max-output-bytes", v) for v in ("1.5", "-1", "1e6")] + \
    [("--max-idle", v) for v in ("inf", "1e300")] + \
    [("--drain-timeout", "nan"), ("--max-write-bytes", "-1")]
ODD_ACCEPTED = [["--max-runtime", "3e6", "--max-memory", "0"], ["--max-runtime", "9e9"],
                ["--max-memory", "1e300"], ["--max-output-bytes", "9" * 30],
                ["--max-idle", "9e9"], ["--drain-timeout", "1e9"], ["--max-runtime", "0"]]


def odd_limit_values(engine: str) -> Verdict:
    bad = []
    for flag, value in ODD_REFUSED:
        r = run([flag, value, "--engine", engine, "main>n;42"])
        if r.rc != 2 or _code(r) != "ILO-U002":
            bad.append(f"{flag} {value!r}: rc {r.rc} {_code(r)}")
    for flags in ODD_ACCEPTED:
        r = run([*flags, "--engine", engine, "main>n;42"])
        if r.rc != 0 or r.out != b"42\n":
            bad.append(f"{' '.join(flags)}: rc {r.rc} {_code(r)}")
    r = run(["--max-memory", "1", "--engine", engine, "main>n;42"])
    if r.rc != 1 or _code(r) != "ILO-R602":
        bad.append(f"--max-memory 1 should stop with R602: rc {r.rc} {_code(r)}")
    return Verdict(not bad, "; ".join(bad) or
                   f"{len(ODD_REFUSED)} bad values exit 2 (U002), {len(ODD_ACCEPTED)} huge "
                   "values run, --max-memory 1 is enforced")


# --------------------------------------------------------------------------
# 4. huge sleeps

def huge_sleeps(engine: str) -> Verdict:
    bad = []
    for ms in ("1e300", "1e18"):
        r = run(["--engine", engine, "--max-runtime", "1.5", f"main>n;sleep {ms};1"])
        d = r.diag() or {}
        if r.rc != 1 or d.get("code") != "ILO-R016" or r.wall > 4:
            bad.append(f"sleep {ms}: rc {r.rc} {_code(r)} after {r.wall:.1f} s")
    r = run(["--engine", engine, "main>n;sleep -1;x=sqrt -1;sleep x;7"])
    if r.rc != 0 or r.out != b"7\n":
        bad.append(f"sleep -1 / NaN: rc {r.rc} {_code(r)}")
    return Verdict(not bad, "; ".join(bad) or
                   "sleep 1e300 / 1e18 end in R016 at the deadline; negative and NaN "
                   "sleep zero (as upstream)")


# --------------------------------------------------------------------------
# 5. NO_COLOR

def no_color_keeps_json(engine: str) -> Verdict:
    r = run(["--engine", engine, "main>n;x"], extra_env={"NO_COLOR": "1"})
    ok = r.rc == 2 and r.diag() is not None
    return Verdict(ok, "NO_COLOR=1 with piped stderr: JSON" if ok else
                   f"NO_COLOR=1 changed the format: {r.err[:80]!r}")


# --------------------------------------------------------------------------
# 6. slow reader

# all its output in one print, at once, then a loop: what was printed before
# the stop does not depend on how fast a loaded machine runs the program
SLOW = 'main>n;s=cat (map str (range 0 20000)) "\n";prnt s;i=0;wh true{i=+i 1};0'
SLOW_BYTES = sum(len(str(i)) + 1 for i in range(20000))   # 108,890


def slow_reader(engine: str) -> Verdict:
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        r = run(["--engine", engine, "--max-runtime", "3", SLOW],
                shell_tail=f"| (sleep 5; cat > {out})", timeout=40)
        data = Path(out).read_bytes() if os.path.exists(out) else b""
        if len(data) != SLOW_BYTES or not data.endswith(b"\n") or "ILO-R016" not in r.err:
            bad.append(f"slow reader got {len(data)} of {SLOW_BYTES} bytes")
        r = run(["--engine", engine, "--max-runtime", "3", "--drain-timeout", "0.5", SLOW],
                shell_tail=f"| (sleep 5; cat > {out})", timeout=40)
        data = Path(out).read_bytes() if os.path.exists(out) else b""
        diag = next((json.loads(ln)["error"] for ln in r.err.splitlines()
                     if ln.startswith("{")), {})
        if not data.endswith(b"\n") or not diag.get("dropped_bytes") or r.wall > 5 + 4:
            bad.append(f"stalled reader: {len(data)} bytes, dropped "
                       f"{diag.get('dropped_bytes')}, ends {data[-5:]!r}")
    return Verdict(not bad, "; ".join(bad) or
                   f"a reader 2 s late gets all {SLOW_BYTES} bytes; a stalled one: whole "
                   "lines, dropped_bytes reported after --drain-timeout")


# --------------------------------------------------------------------------
# 7. bad flag before a subcommand

def bad_flag_before_subcommand(engine: str) -> Verdict:
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "a.ilo").write_text("main>n;1\n-- run: main\n-- out: 1\n")
        for flags in (["--max-runtime", "abc"], ["--max-memory", "-1"],
                      ["--engine", "bogus"], ["--max-output-bytes", "1.5"]):
            r = run([*flags, "test", tmp])
            if r.rc != 2:
                bad.append(f"{' '.join(flags)} test: rc {r.rc}")
        r = run(["--engine", engine, "test", tmp])
        if r.rc != 0:
            bad.append(f"a good flag before test: rc {r.rc}")
    return Verdict(not bad, "; ".join(bad) or "bad guard/engine flags before `test` exit 2")


# --------------------------------------------------------------------------
# 8. the phase of a stop

def stop_phase(engine: str) -> Verdict:
    bad = []
    r = run(["--engine", engine, "--max-runtime", "0.000001", LOOP])
    d = r.diag() or {}
    if d.get("phase") != "start-up" or "start-up" not in (d.get("hint") or ""):
        bad.append(f"tiny budget: phase {d.get('phase')}")
    r = run(["--engine", engine, "--max-runtime", "2", LOOP])
    d = r.diag() or {}
    if d.get("phase") != "run" or "infinite loop" not in (d.get("hint") or ""):
        bad.append(f"loop: phase {d.get('phase')}")
    # idle 4 s: a loaded machine's start-up (silent too) must not use it all
    r = run(["--engine", engine, "--max-idle", "4", "--max-runtime", "20", LOOP])
    d = r.diag() or {}
    if d.get("code") != "ILO-R601" or d.get("phase") != "run":
        bad.append(f"idle: {d.get('code')} phase {d.get('phase')}")
    return Verdict(not bad, "; ".join(bad) or "R016/R601 say start-up or run, with a hint to match")


# --------------------------------------------------------------------------
# 9. closed or failing stderr

def failing_stderr(engine: str) -> Verdict:
    bad = []
    for tail in ("2>&-", "2>/dev/full"):
        r = run(["--engine", engine, "--max-runtime", "1", LOOP], shell_tail=tail)
        if r.rc != 1 or b"Traceback" in r.out:
            bad.append(f"stop with {tail}: rc {r.rc}")
        r = run(["--engine", engine, "main>n;x"], shell_tail=tail)
        if r.rc != 2:
            bad.append(f"check error with {tail}: rc {r.rc}")
    proc = subprocess.Popen(ilo_cmd("--engine", engine, "--max-runtime", "1", LOOP),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env())
    proc.stderr.close()                           # the reader of stderr goes away
    rc = proc.wait(timeout=20)
    if rc != 1:
        bad.append(f"stop with stderr's reader gone: rc {rc}")
    for tail in (">/dev/full", ">&-"):
        r = run(["--engine", engine, "main>n;prnt 1;2"], shell_tail=tail)
        if r.rc != 1 or "ILO-R606" not in r.err:
            bad.append(f"stdout {tail}: rc {r.rc}")
    return Verdict(not bad, "; ".join(bad) or
                   "closed, full or broken stderr: exit codes unchanged, no traceback; "
                   "unwritable stdout: R606, exit 1")


# --------------------------------------------------------------------------
# 10. Ctrl-Z

def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def _children(pid: int) -> list[int]:
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def ctrl_z(engine: str) -> Verdict:
    proc = subprocess.Popen(ilo_cmd("--engine", engine, "--max-runtime", "2", LOOP),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env(), start_new_session=True)
    try:
        end = time.monotonic() + 10
        kids = []
        while not kids and time.monotonic() < end:
            time.sleep(0.05)
            kids = _children(proc.pid)
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTSTP)
        time.sleep(0.3)
        states = (_state(proc.pid), _state(kids[0]) if kids else "none")
        time.sleep(2.2)                           # longer than the whole budget
        alive = proc.poll() is None
        proc.send_signal(signal.SIGCONT)
        out, err = proc.communicate(timeout=20)
        wall = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    diag = json.loads(err.decode().splitlines()[0])["error"] if err.strip() else {}
    ok = (states == ("T", "T") and alive and proc.returncode == 1
          and diag.get("code") == "ILO-R016" and wall > 2.5 and diag.get("elapsed_ms", 0) < 3000)
    return Verdict(ok, f"Ctrl-Z stops parent and child (states {states}); fg resumes; "
                       f"stopped time not counted (stop after {wall:.1f} s wall, "
                       f"elapsed_ms {diag.get('elapsed_ms')})")


# --------------------------------------------------------------------------
# 11. memory

#: forks and execs ARGV, then prints its exit code and peak RSS (KiB): a small
#: launcher, because a child's peak counts the memory of whatever it was
#: forked from (a big test process would be measured, not ilo)
_LAUNCH = ("import os, sys\n"
           "pid = os.fork()\n"
           "if pid == 0:\n    os.execv(sys.argv[1], sys.argv[1:])\n"
           "_, status, usage = os.wait4(pid, 0)\n"
           "os.write(1, f'{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}'.encode())\n")


def _peak_rss_mb(argv: list[str]) -> tuple[int, float, str]:
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *argv], stdin=subprocess.DEVNULL,
                          capture_output=True, env=env(), timeout=120)
    rc, kib = proc.stdout.decode().split()
    return int(rc), int(kib) / 1024, proc.stderr.decode("utf-8", "replace")


def memory_bound(engine: str) -> Verdict:
    bad, seen = [], []
    for limit in (100, 300):
        for prog in ('main>n;s="xxxxxxxxxxxxxxxx";wh true{s=+s s};0',
                     "main>n;xs=[1 2 3 4 5 6 7 8];wh true{xs=+xs xs};0"):
            rc, peak, err = _peak_rss_mb(ilo_cmd("--engine", engine, "--max-memory", str(limit),
                                                 "--max-runtime", "30", prog))
            bound = 1.25 * limit + 32
            seen.append(f"{peak:.0f}/{bound:.0f}")
            if rc != 1 or "ILO-R602" not in err or peak > bound:
                bad.append(f"limit {limit}: rc {rc}, peak {peak:.0f} MB > {bound:.0f}")
    return Verdict(not bad, "; ".join(bad) or
                   f"doubling text and lists: R602, peak MB/bound {', '.join(seen)}")


PROBES: dict[str, Callable[[str], Verdict]] = {
    "1 output cap bypass": output_cap_bypass,
    "2 signals end everything": signals_end_everything,
    "3 odd limit values": odd_limit_values,
    "4 huge sleeps": huge_sleeps,
    "5 NO_COLOR keeps JSON": no_color_keeps_json,
    "6 slow reader": slow_reader,
    "7 bad flag before subcommand": bad_flag_before_subcommand,
    "8 phase of a stop": stop_phase,
    "9 closed or failing stderr": failing_stderr,
    "10 Ctrl-Z": ctrl_z,
    "11 memory bound": memory_bound,
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="guard_audit", description=__doc__.split("\n")[0])
    p.add_argument("--engine", default="all")
    p.add_argument("--only", default=None, help="run probes whose name contains this")
    opts = p.parse_args(argv)
    from ilo.api import available_engines

    engines = available_engines() if opts.engine == "all" else [opts.engine]
    failed = 0
    lines = []
    for name, probe in PROBES.items():
        if opts.only and opts.only not in name:
            continue
        for engine in engines:
            try:
                v = probe(engine)
            except Exception as exc:  # noqa: BLE001 -- a probe that breaks is a finding
                v = Verdict(False, f"probe failed: {type(exc).__name__}: {exc}")
            failed += not v.ok
            line = f"{'HOLDS' if v.ok else 'OPEN '}  {name:<30} [{engine}]  {v.detail}"
            lines.append(line)
            sink.write_report(line + "\n")
            sink.flush()
    total = len(lines)
    sink.write_report(f"{total - failed} passed, {failed} failed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
