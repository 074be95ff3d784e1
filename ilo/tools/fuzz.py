"""Hostile input for ilo: mutated corpus programs, hostile literals and
mangled command lines, each judged by one rule: exit 0, 1 or 2, no Python
traceback, no internal error (ILO-R013), no hang, and a failure that says
why (an ``ILO-`` diagnostic or an ``^err`` value) on stderr.

Used by ``tests/test_fuzz_hostile.py`` (bounded, hypothesis drives the
choices) and ``scripts/fuzz.py`` (a long seeded run that reports how many
inputs it tried).  A run goes through the real CLI entry point in a forked
copy of the calling process, which is cheaper than starting Python again;
the CLI then forks its own supervised child as usual.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: budgets every fuzz run gets, so a mutated `wh true{}` ends in R016, not a hang
GUARD = ["--max-runtime", "2", "--max-memory", "400", "--max-output-bytes", "200000",
         "--drain-timeout", "1"]
TOKENS = ["f", "x", "xs", "main", "n", "t", "b", "L", "R", "M", "O", ">", "<", "=", "+", "-",
          "*", "/", "&", "|", "!", "!!", "?", "??", ">>", "@", "^", "~", "$", ":", ";", ",",
          ".", "{", "}", "(", ")", "[", "]", "_", "0", "1", "-2", "3.5", '"s"', "wh", "ret",
          "brk", "cnt", "type", "true", "nil", "len", "map", "fld", "srt", "fmt", "rd", "wr",
          "range", "prnt", "cat", "spl", " ", "\n", "\n  ", "--c\n"]
HOSTILE = [
    "(" * 3000 + "1" + ")" * 3000, "[" * 3000 + "]" * 3000, "9" * 5000, "1e999999",
    '"' + "x" * 2_000_000 + '"', "range 0 1e12", "len range 0 1e12", "srt range 0 1e9",
    "\x00", "\ud800", "\ufeff", "+" * 4000 + "1" * 4001, "wh true{}", "f " * 3000,
    "cat spl \"a\" \"\" \"\"", '"\\u{110000}"', "--" + "x" * 100000,
]
#: flag spellings the command line knows, with values that are wrong or extreme
FLAG_VALUES = {
    "--engine": ["tree", "vm", "jit", "", "x"], "--max-runtime": ["-1", "1e308", "nan", "abc", "0"],
    "--max-memory": ["0", "-5", "1e20", "x"], "--max-output-bytes": ["0", "1", "-1", "9" * 40],
    "--allow-read": ["*", "", ",", ".", "/nonexistent", "\x01"], "--allow-net": ["*", "a:b", "[", "::1"],
    "--allow-env": ["*", "A=B", "HOME"], "--max-idle": ["0", "x"], "--drain-timeout": ["-1", "1"],
}
BARE_FLAGS = ["--json", "--text", "-j", "--no-hints", "--ast", "--dense", "--run-tree", "-h",
              "--version", "--explain", "--require-kernel-sandbox", "--", "-", "--bogus", "test"]


def corpus() -> list[str]:
    """The project's example programs (shared conformance files when present)."""
    dirs = [ROOT / "examples", ROOT.parent / "shared" / "conformance" / "upstream"]
    return [p.read_text("utf-8", "replace") for d in dirs if d.is_dir()
            for p in sorted(d.glob("*.ilo"))]


def mutate(src: str, choices: list[tuple[int, int, int]]) -> str:
    """Apply edits, each ``(kind, where, what)``: delete, duplicate or swap a
    span, insert a token, or insert a hostile literal."""
    for kind, where, what in choices:
        i = where % (len(src) + 1)
        j = min(len(src), i + 1 + what % 12)
        k = kind % 5
        if k == 0:
            src = src[:i] + src[j:]
        elif k == 1:
            src = src[:j] + src[i:j] + src[j:]
        elif k == 2:
            src = src[:i] + TOKENS[what % len(TOKENS)] + src[i:]
        elif k == 3:
            src = src[:i] + src[i:j][::-1] + src[j:]
        else:
            src = src[:i] + HOSTILE[what % len(HOSTILE)] + src[i:]
    return src


@dataclass
class Outcome:
    code: int | None          # None: did not end within the timeout
    stdout: bytes
    stderr: str


def run_cli(argv: list[str], timeout: float = 30.0, cwd: str | None = None) -> Outcome:
    """``ilo ARGV`` through the CLI entry point in a forked copy of this process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:                                    # pragma: no cover - child
            _child(argv, out.fileno(), err.fileno(), cwd)
        code = _wait(pid, timeout)
        out.seek(0)
        err.seek(0)
        return Outcome(code, out.read(), err.read().decode("utf-8", "replace"))


def _child(argv, out_fd, err_fd, cwd) -> None:
    code = 70
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        if cwd:
            os.chdir(cwd)
        sys.stdin = open(0, "r", closefd=False)          # not the test runner's stand-in
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        from ilo import sink
        from ilo.cli.main import main

        sink.reset()
        code = main(argv)
    except BaseException as exc:                        # noqa: BLE001 - report, then die
        os.write(2, f"Traceback (fuzz harness): {type(exc).__name__}: {exc}\n".encode())
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code if isinstance(code, int) else 70)


def _wait(pid: int, timeout: float) -> int | None:
    end = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > end:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return None
        time.sleep(0.01)


def problem(o: Outcome) -> str | None:
    """Why this outcome breaks the contract, or None when it is clean."""
    if o.code is None:
        return "hang (no exit within the timeout)"
    if o.code not in (0, 1, 2):
        return f"exit {o.code}"
    if "Traceback" in o.stderr:
        return "Python traceback"
    if "ILO-R013" in o.stderr:
        return "internal error ILO-R013"
    if o.code == 2 and "ILO-" not in o.stderr:
        return "exit 2 without a diagnostic"
    if o.code == 1 and not o.stderr.strip():
        return "exit 1 with nothing on stderr"
    return None


def program_run(src: str, engine: str, workdir: str) -> Outcome:
    """Run ``src`` (as a file, so NUL bytes and bad UTF-8 reach ilo) under the guard."""
    path = os.path.join(workdir, "prog.ilo")
    with open(path, "wb") as fh:
        fh.write(src.encode("utf-8", "surrogatepass"))
    return run_cli(["--engine", engine, *GUARD, path], cwd=workdir)


def random_argv(rng: random.Random) -> list[str]:
    """A mangled command line: known flags with bad values, stray words, many args."""
    argv: list[str] = []
    for _ in range(rng.randint(0, 4)):
        if rng.random() < 0.5:
            flag = rng.choice(list(FLAG_VALUES))
            argv += [flag, rng.choice(FLAG_VALUES[flag])]
        else:
            argv.append(rng.choice(BARE_FLAGS))
    argv.append(rng.choice(["main>n;1", "f x:n>n;*x 2", "main>t;env \"HOME\"", "x.ilo", "",
                            "main>n;rd! \"/etc/hostname\";1"]))
    argv += rng.choice([[], ["f", "3"], ["1"] * rng.randint(1, 5000), ["-5", "--x", "\x01"]])
    return [*GUARD, *argv]


def main(argv: list[str] | None = None) -> int:
    """``scripts/fuzz.py [N] [SEED]``: N mutated programs per engine plus N
    command lines; prints every problem and how many inputs were tried."""
    from ilo.tools.guard_audit import available_engines

    args = list(sys.argv[1:] if argv is None else argv)
    n = int(args[0]) if args else 500
    rng = random.Random(int(args[1]) if len(args) > 1 else time.time_ns())
    programs, engines = corpus(), available_engines()
    tried, bad = 0, 0
    with tempfile.TemporaryDirectory() as work:
        for _ in range(n):
            src = mutate(rng.choice(programs), [(rng.randrange(5), rng.randrange(1 << 30),
                                                 rng.randrange(1 << 30)) for _ in range(3)])
            for engine in engines:
                tried += 1
                bad += _report(program_run(src, engine, work), f"[{engine}] {src[:200]!r}")
            argv_ = random_argv(rng)
            tried += 1
            bad += _report(run_cli(argv_, cwd=work), f"argv {[a[:60] for a in argv_[:12]]!r}")
    from ilo import sink
    sink.write_report(f"fuzz: {tried} inputs tried on engines {', '.join(engines)}: "
                      f"{bad} problems\n")
    sink.flush()
    return 1 if bad else 0


def _report(o: Outcome, what: str) -> int:
    why = problem(o)
    if why:
        from ilo import sink
        sink.write_report(f"PROBLEM {why}: {what}\n  stderr: {o.stderr[-400:]!r}\n")
        sink.flush()
    return 1 if why else 0
