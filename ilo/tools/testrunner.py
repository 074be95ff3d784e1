"""``ilo test [PATH]``: run the ``-- run:`` / ``-- out:`` / ``-- err:`` cases of .ilo files.

Usage (dispatched by the CLI as ``ilo [global flags] test [options] [PATH] [-- FLAG...]``)::

    ilo test [PATH] [-v] [--engine tree|vm|jit] [--timeout SECS] [--json] [-j N]

PATH is a file or a directory (default: the current directory; ``*.ilo`` files
are found recursively, hidden directories skipped).  The annotation format is
described in :mod:`ilo.tools.annotations`.

Each case runs in its own process::

    python -m ilo --engine ENGINE [forwarded flags] FILE [args...]

with the file's own folder as working directory, FILE given by its name, stdin
empty, ``NO_COLOR=1``, and a per-case timeout (killed with its whole process
group when it runs over).  The forwarded flags are the CLI's global flags other
than ``--engine`` (e.g. ``--max-runtime 5``) plus anything after ``--``.

Matching: ``-- out: X`` passes when the exit code is 0 and the trimmed stdout
equals X; ``-- err: X`` passes when the exit code is non-zero and the trimmed
stderr, without the lines that start with ``hint:`` (after indentation), equals
X.  Files whose ``-- engine-skip:`` names the engine are skipped.

Output (all through :func:`ilo.sink.write_report`): one ``FAIL file:line args:
expected ... got ...`` line per failing case (and ``PASS`` / ``SKIP`` lines with
``-v``), then ``N passed, N failed`` (``, N skipped`` when some were skipped).
With ``--json`` every case is one JSON object per line (``"type": "case"``) and
the last line is a ``"type": "summary"`` object.  Warnings (dangling ``-- run:``
lines, no cases found) go to stderr.

Exit status: 0 when every case passed (or was skipped), 1 on any failure or when
no case was found, 2 on a usage error.

The process-running part is :func:`execute_case` (returns a raw
:class:`Outcome`); judging is :func:`judge`; they are kept apart so that the
executor can move into forked, isolated workers later and so that tests can
inject a fake executor (``main(argv, runner=...)``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from ilo import sink, supervise
from ilo.diagnostics.errors import IloUsageError
from ilo.tools.annotations import (
    Case,
    case_id,
    discover_files,
    display_path,
    normalize_engine,
    parse_file,
    trim,
)

ENGINES = ("tree", "vm", "jit")
DEFAULT_ENGINE = "tree"
DEFAULT_TIMEOUT = 10.0
#: Longest text quoted in a FAIL line before it is cut.
MAX_QUOTE = 400

PASS, FAIL, SKIP = "pass", "fail", "skip"


# ---------------------------------------------------------------------------
# running one case


@dataclass(frozen=True)
class Outcome:
    """What a process did: the raw material :func:`judge` compares."""

    returncode: int | None  # None when it did not finish (timeout) or never started
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    error: str | None = None  # could not start the process
    duration: float = 0.0


@dataclass(frozen=True)
class CaseResult:
    case: Case
    engine: str
    status: str  # PASS, FAIL or SKIP
    detail: str = ""  # why it failed / was skipped
    outcome: Outcome | None = None

    @property
    def passed(self) -> bool:
        return self.status == PASS


Runner = Callable[[Case, str, Sequence[str], float], Outcome]


def project_root() -> Path:
    """The directory holding the ``ilo`` package (put on the child's PYTHONPATH)."""
    return Path(__file__).resolve().parents[2]


def ilo_command() -> list[str]:
    return [sys.executable, "-m", "ilo"]


def build_argv(
    case: Case, engine: str, flags: Sequence[str] = (), command: Sequence[str] | None = None
) -> list[str]:
    """The argv of one case; FILE is the bare file name (cwd is its folder)."""
    cmd = list(command) if command is not None else ilo_command()
    return [*cmd, "--engine", engine, *flags, case.path.name, *case.args]


def child_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    root = str(project_root())
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = root if not old else root + os.pathsep + old
    env["NO_COLOR"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("FORCE_COLOR", None)
    return env


#: the case processes of the running ``ilo test`` (a signal kills them all)
_keeper: supervise.GroupKeeper | None = None


def _decode(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def run_process(argv: Sequence[str], cwd: Path | str, timeout: float,
                env: dict[str, str] | None = None) -> Outcome:
    """Run ``argv`` in ``cwd``; on timeout kill its process group."""
    start = time.monotonic()
    keeper = _keeper or supervise.GroupKeeper()
    try:
        with keeper.starting():
            proc = subprocess.Popen(
                list(argv),
                cwd=str(cwd),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            keeper.add(proc.pid)
    except OSError as exc:
        return Outcome(None, error=f"{type(exc).__name__}: {exc}")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        return Outcome(None, _decode(out), _decode(err), timed_out=True,
                       duration=time.monotonic() - start)
    finally:
        if proc.poll() is None:  # e.g. KeyboardInterrupt while waiting
            _kill_group(proc)
            proc.wait()
        keeper.discard(proc.pid)
    return Outcome(proc.returncode, _decode(out), _decode(err),
                   duration=time.monotonic() - start)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def execute_case(case: Case, engine: str, flags: Sequence[str] = (),
                 timeout: float = DEFAULT_TIMEOUT,
                 command: Sequence[str] | None = None) -> Outcome:
    """Run one case in a fresh ``python -m ilo`` process (the default runner)."""
    cwd = case.path.resolve().parent
    return run_process(build_argv(case, engine, flags, command), cwd, timeout, child_env())


# ---------------------------------------------------------------------------
# judging


def strip_hints(stderr: str) -> str:
    """Drop the lines that start with ``hint:`` (leading indentation ignored)."""
    lines = stderr.splitlines()
    return "\n".join(l for l in lines if not l.lstrip().startswith("hint:"))


def quote(text: str, limit: int = MAX_QUOTE, tail: bool = False) -> str:
    """JSON-quote ``text``; cut to ``limit`` characters, keeping the head (or,
    with ``tail``, the end, where a traceback's message is)."""
    q = json.dumps(text, ensure_ascii=False)
    if len(q) > limit:
        q = '"...' + q[len(q) - limit + 4:] if tail else q[: limit - 4] + '..."'
    return q


def judge(case: Case, outcome: Outcome, timeout: float | None = None) -> tuple[bool, str]:
    """Compare an outcome with the case's expectation: (passed, detail)."""
    want = quote(case.expected)
    if outcome.error is not None:
        return False, f"expected {want} got could not run: {outcome.error}"
    if outcome.timed_out or outcome.returncode is None:
        secs = f" after {timeout:g}s" if timeout is not None else ""
        return False, f"expected {want} got timeout{secs}"
    rc = outcome.returncode
    stdout = trim(outcome.stdout)
    stderr = trim(strip_hints(outcome.stderr))
    if case.kind == "out":
        if rc != 0:
            return False, f"expected {want} got exit {rc}, stderr {quote(trim(outcome.stderr), tail=True)}"
        if stdout != case.expected:
            return False, f"expected {want} got {quote(stdout)}"
        return True, ""
    if rc == 0:
        return False, f"expected error {want} got exit 0, stdout {quote(stdout)}"
    if stderr != case.expected:
        return False, f"expected error {want} got exit {rc}, stderr {quote(stderr, tail=True)}"
    return True, ""


def run_case(case: Case, engine: str, flags: Sequence[str] = (),
             timeout: float = DEFAULT_TIMEOUT, runner: Runner | None = None) -> CaseResult:
    """Skip, or execute and judge, one case."""
    engine = normalize_engine(engine)
    if case.skipped_on(engine):
        return CaseResult(case, engine, SKIP, f"engine-skip: {engine}")
    run = runner or execute_case
    try:
        outcome = run(case, engine, tuple(flags), timeout)
    except Exception as exc:  # a broken runner must not abort the whole run
        outcome = Outcome(None, error=f"{type(exc).__name__}: {exc}")
    ok, detail = judge(case, outcome, timeout)
    return CaseResult(case, engine, PASS if ok else FAIL, detail, outcome)


def run_cases(cases: Iterable[Case], engine: str, *, flags: Sequence[str] = (),
              timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
              runner: Runner | None = None) -> Iterator[CaseResult]:
    """Results in the order of ``cases`` (``jobs`` > 1 runs them in threads)."""
    cases = list(cases)

    def one(case: Case) -> CaseResult:
        return run_case(case, engine, flags, timeout, runner)

    if jobs <= 1 or len(cases) <= 1:
        for case in cases:
            yield one(case)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(one, cases)


# ---------------------------------------------------------------------------
# reporting


def describe(case: Case) -> str:
    head = case.location
    return f"{head} {' '.join(case.args)}" if case.args else head


def format_result(result: CaseResult) -> str:
    label = {PASS: "PASS", FAIL: "FAIL", SKIP: "SKIP"}[result.status]
    text = f"{label} {describe(result.case)}"
    if result.status == FAIL:
        text += f": {result.detail}"
    elif result.status == SKIP:
        text += f" ({result.detail})"
    return text


def format_summary(passed: int, failed: int, skipped: int) -> str:
    text = f"{passed} passed, {failed} failed"
    if skipped:
        text += f", {skipped} skipped"
    return text


def result_json(result: CaseResult, root: Path | None = None) -> dict:
    case, out = result.case, result.outcome
    return {
        "type": "case",
        "id": case_id(case, root),
        "file": display_path(case.path),
        "line": case.line,
        "args": list(case.args),
        "kind": case.kind,
        "expected": case.expected,
        "engine": result.engine,
        "status": result.status,
        "detail": result.detail,
        "exit": None if out is None else out.returncode,
        "timed_out": bool(out and out.timed_out),
        "stdout": None if out is None else out.stdout,
        "stderr": None if out is None else out.stderr,
    }


# ---------------------------------------------------------------------------
# command line


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None):  # type: ignore[override]
        if message:
            sink.write_stderr(message)
        raise _Exit(status)

    def _print_message(self, message: str, file=None) -> None:
        if message:
            sink.write_report(message)


class _Exit(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def make_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="ilo test",
        description="Run the -- run: / -- out: / -- err: cases of .ilo files.",
        epilog="Arguments after -- are forwarded to every case run.",
    )
    p.add_argument("path", nargs="?", default=".", help="file or directory (default: .)")
    p.add_argument("-v", "--verbose", action="store_true", help="also print PASS and SKIP lines")
    p.add_argument("--engine", choices=ENGINES, default=None,
                   help="engine to run cases on (default: the global --engine, else tree)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds per case (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per case, then a summary object")
    p.add_argument("-j", "--jobs", type=int, default=1, help="cases run at once (default 1)")
    return p


def split_global_flags(global_flags: Sequence[str] | None) -> tuple[str | None, list[str]]:
    """Pull ``--engine X`` / ``--engine=X`` out of the CLI's global flags.

    Returns ``(engine or None, the other flags to forward to each case)``.
    """
    engine: str | None = None
    rest: list[str] = []
    flags = list(global_flags or ())
    i = 0
    while i < len(flags):
        tok = flags[i]
        if tok == "--engine" and i + 1 < len(flags):
            engine = flags[i + 1]
            i += 2
            continue
        if tok.startswith("--engine="):
            engine = tok.split("=", 1)[1]
        else:
            rest.append(tok)
        i += 1
    return engine, rest


def _emit(text: str) -> None:
    sink.write_report(text + "\n")
    sink.flush()


def main(argv: Sequence[str] | None = None, global_flags: Sequence[str] | None = None,
         *, runner: Runner | None = None) -> int:
    """Entry point of ``ilo test``.

    ``argv``: the arguments after ``test``.  ``global_flags``: the CLI's global
    argv tokens given before ``test`` (``--engine`` is taken from them, the
    rest is forwarded to every case).  ``runner``: replaces
    :func:`execute_case` (tests).
    """
    global _keeper
    try:
        with supervise.GroupKeeper() as _keeper:
            return _main(argv, global_flags, runner)
    finally:
        _keeper = None
        sink.flush()


def _main(argv: Sequence[str] | None, global_flags: Sequence[str] | None,
          runner: Runner | None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    forwarded: list[str] = []
    if "--" in args_in:
        cut = args_in.index("--")
        args_in, forwarded = args_in[:cut], args_in[cut + 1:]
    try:
        opts = make_parser().parse_args(args_in)
    except UsageError as exc:
        raise IloUsageError("ILO-U002", f"ilo test: {exc}", hint="usage: ilo test [PATH] [-v] "
                            "[--engine E] [--timeout S] [-j N] [--json]") from None
    except _Exit as exc:  # --help
        return exc.status

    global_engine, passthrough = split_global_flags(global_flags)
    engine = normalize_engine(opts.engine or global_engine or DEFAULT_ENGINE)
    if engine not in ENGINES:
        raise IloUsageError("ILO-U002", f"ilo test: unknown engine {engine!r}",
                            hint=f"engines: {', '.join(ENGINES)}")
    if opts.timeout <= 0 or opts.jobs < 1:
        raise IloUsageError("ILO-U002", "ilo test: --timeout must be > 0 and --jobs >= 1")
    flags = passthrough + forwarded

    root = Path(opts.path)
    if not root.exists():
        raise IloUsageError("ILO-U003", f"ilo test: no such file or directory: {opts.path}",
                            hint="give a .ilo file or a folder of them")

    cases: list[Case] = []
    for path in discover_files(root):
        parsed = parse_file(path)
        for line in parsed.dangling_runs:
            sink.write_stderr(
                f"warning: {display_path(path)}:{line}: `-- run:` has no `-- out:` or `-- err:` below it\n"
            )
        cases.extend(parsed.cases)

    id_root = root if root.is_dir() else root.parent
    counts = {PASS: 0, FAIL: 0, SKIP: 0}
    for result in run_cases(cases, engine, flags=flags, timeout=opts.timeout,
                            jobs=opts.jobs, runner=runner):
        counts[result.status] += 1
        if opts.json:
            _emit(json.dumps(result_json(result, id_root), ensure_ascii=False))
        elif result.status == FAIL or opts.verbose:
            _emit(format_result(result))

    if not cases:
        sink.write_stderr(f"ilo test: no test cases (-- run: / -- out: / -- err:) found in {opts.path}\n")
    if opts.json:
        summary = {"type": "summary", "engine": engine, "passed": counts[PASS],
                   "failed": counts[FAIL], "skipped": counts[SKIP], "total": len(cases)}
        if not cases:
            summary["error"] = "no test cases found"
        _emit(json.dumps(summary))
    else:
        _emit(format_summary(counts[PASS], counts[FAIL], counts[SKIP]))
    return 1 if counts[FAIL] or not cases else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
