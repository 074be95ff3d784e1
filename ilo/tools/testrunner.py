"""``ilo test [PATH...]``: run the ``-- run:`` / ``-- out:`` / ``-- err:`` cases of .ilo files.

Usage (dispatched by the CLI as ``ilo [global flags] test [options] [PATH...] [-- FLAG...]``)::

    ilo test [PATH...] [--engine tree|vm|jit|all] [-j N] [--case-timeout S]
             [--results FILE] [--resume] [--json] [--junit FILE] [--shard K/N] [-v]

PATH is a file or a directory (default: the current directory; ``*.ilo`` files
are found recursively, hidden directories skipped).  The annotation format is
described in :mod:`ilo.tools.annotations`.  ``--timeout`` is the old name of
``--case-timeout`` and still works.

How cases run (:mod:`ilo.tools.pool`): N forked workers (``-j``, default the
CPU count), each in its own session, run batches of cases in-process under the
contained runtime guard, exactly as ``ilo --engine E [flags] FILE [args...]``
would from the file's folder.  A stuck worker is killed with its session and
its batch halved; a case stuck alone is a timeout (ILO-R016); a worker that
dies costs only its case (ILO-R603).  ``--case-timeout 0`` runs every case in
this process, one after another, with no fork (for debugging);
``--process-per-case`` starts one ``python -m ilo`` per case instead (slow; for
comparison).  The forwarded flags are the CLI's global flags other than
``--engine`` (e.g. ``--max-runtime 5``) plus anything after ``--``.

Matching: ``-- out: X`` passes when the exit code is 0 and the trimmed stdout
equals X; ``-- err: X`` passes when the exit code is non-zero and the trimmed
stderr, without the lines that start with ``hint:`` (after indentation), equals
X.  Files whose ``-- engine-skip:`` names the engine are skipped.

Output (all through :func:`ilo.sink.write_report`): a live progress line on a
terminal; one ``FAIL file:line [engine] args: expected ... got ...`` line per
failing case, as results arrive (``PASS`` / ``SKIP`` lines with ``-v``); the
timeouts named on one line; last ``N passed, N failed`` (``, N skipped`` when
some were skipped).  With ``--json`` every case is one JSON object per line
(``"type": "case"``) and the last line is a ``"type": "summary"`` object.
``--results FILE`` appends every result to FILE (JSONL) as it arrives;
``--resume`` continues a cut-off run from it.  ``--junit FILE`` writes JUnit
XML.  ``--shard K/N`` runs the K-th of N deterministic, disjoint shares.

Exit status: 0 when every case passed (or was skipped), 1 on any failure or when
no case was found, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import hashlib
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
from ilo.tools import pool
from ilo.tools.results import ResultsFile, write_junit
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


#: What a case run did (the raw material :func:`judge` compares).
Outcome = pool.Outcome


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
    """Results in the order of ``cases``: on forked workers (:mod:`ilo.tools.pool`),
    or with ``runner`` (one call per case, ``jobs`` threads) when one is given."""
    cases = list(cases)
    if runner is None:
        done: dict[int, CaseResult] = {}
        for i, result in run_units([(i, c, engine) for i, c in enumerate(cases)], flags=flags,
                                   timeout=timeout, jobs=jobs):
            done[i] = result
        for i in range(len(cases)):
            yield done[i]
        return

    def one(case: Case) -> CaseResult:
        return run_case(case, engine, flags, timeout, runner)

    if jobs <= 1 or len(cases) <= 1:
        for case in cases:
            yield one(case)
        return
    with ThreadPoolExecutor(max_workers=jobs) as threads:
        yield from threads.map(one, cases)


def run_units(units: Sequence[tuple[object, Case, str]], *, flags: Sequence[str] = (),
              timeout: float = DEFAULT_TIMEOUT, jobs: int = 1,
              keeper: supervise.GroupKeeper | None = None) -> Iterator[tuple[object, CaseResult]]:
    """``(key, result)`` for each ``(key, case, engine)``, as results arrive.
    Skipped ones come first; ``timeout`` 0 runs the rest here, unforked."""
    todo = []
    for key, case, engine in units:
        engine = normalize_engine(engine)
        if case.skipped_on(engine):
            yield key, CaseResult(case, engine, SKIP, f"engine-skip: {engine}")
        else:
            todo.append((key, case, engine))
    if timeout <= 0:
        for key, case, engine in todo:
            outcome = pool.run_here(pool.Job(key, case.path, case.args, engine), flags, 0)
            yield key, _judged(case, engine, outcome, timeout)
        return
    arrived: list[tuple[object, CaseResult]] = []
    by_key = {key: (case, engine) for key, case, engine in todo}

    def on_result(job: pool.Job, outcome: Outcome) -> None:
        case, engine = by_key[job.key]
        arrived.append((job.key, _judged(case, engine, outcome, timeout)))

    runs = pool.Pool([pool.Job(key, case.path, case.args, engine) for key, case, engine in todo],
                     workers=jobs, timeout=timeout, flags=flags, on_result=on_result,
                     keeper=keeper)
    for _ in runs.steps():
        yield from arrived
        arrived.clear()
    yield from arrived


def _judged(case: Case, engine: str, outcome: Outcome, timeout: float) -> CaseResult:
    ok, detail = judge(case, outcome, timeout or None)
    return CaseResult(case, engine, PASS if ok else FAIL, detail, outcome)


# ---------------------------------------------------------------------------
# reporting


def describe(case: Case, engine: str | None = None) -> str:
    head = case.location if engine is None else f"{case.location} [{engine}]"
    return f"{head} {' '.join(case.args)}" if case.args else head


def format_result(result: CaseResult) -> str:
    label = {PASS: "PASS", FAIL: "FAIL", SKIP: "SKIP"}[result.status]
    text = f"{label} {describe(result.case, result.engine)}"
    if result.status == FAIL:
        text += f": {result.detail}" + difference(result)
    elif result.status == SKIP:
        text += f" ({result.detail})"
    return text


def difference(result: CaseResult) -> str:
    """For a multi-line ``-- out:`` mismatch, the lines that differ."""
    out = result.outcome
    if (result.case.kind != "out" or out is None or out.returncode != 0
            or "\n" not in trim(out.stdout) + result.case.expected):
        return ""
    import difflib
    diff = difflib.unified_diff(result.case.expected.split("\n"), trim(out.stdout).split("\n"),
                                "expected", "got", lineterm="", n=1)
    return "".join(f"\n    {line}" for line in list(diff)[2:])


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
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="files or directories (default: .)")
    p.add_argument("-v", "--verbose", action="store_true", help="also print PASS and SKIP lines")
    p.add_argument("--engine", choices=(*ENGINES, "all"), default=None,
                   help="engine to run cases on, or all that exist "
                        "(default: the global --engine, else tree)")
    p.add_argument("--case-timeout", "--timeout", dest="timeout", type=float,
                   default=DEFAULT_TIMEOUT,
                   help=f"seconds per case (default {DEFAULT_TIMEOUT:g}); 0 runs every case "
                        "in this process, unforked (debugging)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per case, then a summary object")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="worker processes (default: the CPU count)")
    p.add_argument("--results", metavar="FILE", default=None,
                   help="append each result to FILE (JSONL) as it arrives")
    p.add_argument("--resume", action="store_true",
                   help="continue a cut-off run from --results FILE")
    p.add_argument("--junit", metavar="FILE", default=None, help="write JUnit XML to FILE")
    p.add_argument("--shard", metavar="K/N", default=None,
                   help="run only the K-th of N disjoint shares of the cases")
    p.add_argument("--process-per-case", action="store_true",
                   help="one `python -m ilo` process per case (slow; for comparison)")
    return p


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    k, slash, n = text.partition("/")
    if slash and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n):
        return int(k), int(n)
    raise IloUsageError("ILO-U002", f"ilo test: bad --shard {text!r}",
                        hint="--shard K/N with 1 <= K <= N, e.g. --shard 2/4")


def in_shard(cid: str, shard: tuple[int, int] | None) -> bool:
    """A stable split by case id: every case is in exactly one of N shards."""
    if shard is None:
        return True
    k, n = shard
    digest = int.from_bytes(hashlib.sha1(cid.encode("utf-8")).digest()[:8], "big")
    return digest % n == k - 1


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
    rest is forwarded to every case).  ``runner``: replaces the workers with
    one call per case (tests; see :func:`run_case`).  SIGINT, SIGTERM or SIGHUP
    kills every worker and case process, then ends ``ilo test`` with the same
    signal (the results file holds whole lines).
    """
    try:
        with supervise.GroupKeeper() as keeper:
            return _main(argv, global_flags, runner, keeper)
    finally:
        sink.flush()


@dataclass
class _Plan:
    units: list                 # (key, case, engine); key = (case id, engine)
    roots: dict                 # case -> the PATH it was found under
    engines: list


def _main(argv: Sequence[str] | None, global_flags: Sequence[str] | None,
          runner: Runner | None, keeper: supervise.GroupKeeper) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    forwarded: list[str] = []
    if "--" in args_in:
        cut = args_in.index("--")
        args_in, forwarded = args_in[:cut], args_in[cut + 1:]
    try:
        opts = make_parser().parse_args(args_in)
    except UsageError as exc:
        raise IloUsageError("ILO-U002", f"ilo test: {exc}", hint="usage: ilo test [PATH...] [-v] "
                            "[--engine E|all] [--case-timeout S] [-j N] [--json] [--results F "
                            "[--resume]] [--junit F] [--shard K/N]") from None
    except _Exit as exc:  # --help
        return exc.status

    global_engine, passthrough = split_global_flags(global_flags)
    engine = normalize_engine(opts.engine or global_engine or DEFAULT_ENGINE)
    if engine not in (*ENGINES, "all"):
        raise IloUsageError("ILO-U002", f"ilo test: unknown engine {engine!r}",
                            hint=f"engines: {', '.join(ENGINES)}, all")
    jobs = opts.jobs if opts.jobs is not None else (os.cpu_count() or 1)
    if opts.timeout < 0 or jobs < 1:
        raise IloUsageError("ILO-U002", "ilo test: --case-timeout must be >= 0 and --jobs >= 1")
    if opts.resume and not opts.results:
        raise IloUsageError("ILO-U002", "ilo test: --resume needs --results FILE",
                            hint="give the results file of the run to continue")
    shard = parse_shard(opts.shard)
    flags = passthrough + forwarded
    plan = _collect(opts.paths, engine, shard)

    results = ResultsFile(opts.results, resume=opts.resume) if opts.results else None
    report = _Report(opts, plan, results)
    try:
        done = results.done() if results else set()
        for rec in results.previous if results else ():
            report.resumed(rec)
        todo = [u for u in plan.units if u[0] not in done]
        if runner is not None or opts.process_per_case:
            execute = runner or execute_case
            keys = [u[0] for u in todo]
            stream = zip(keys, _threaded(todo, flags, opts.timeout, jobs, execute))
        else:
            stream = run_units(todo, flags=flags, timeout=opts.timeout, jobs=jobs, keeper=keeper)
        for key, result in stream:
            report.add(key, result)
    finally:
        if results:
            results.close()
    return report.finish()


def _threaded(units, flags, timeout, jobs, execute) -> Iterator[CaseResult]:
    by_engine: dict[str, list] = {}
    for _key, case, engine in units:
        by_engine.setdefault(engine, []).append(case)
    for engine, cases in by_engine.items():
        yield from run_cases(cases, engine, flags=flags, timeout=timeout, jobs=jobs,
                             runner=execute)


def _collect(paths: Sequence[str], engine: str, shard) -> _Plan:
    from ilo.api import available_engines

    engines = available_engines() if engine == "all" else [engine]
    units, roots, seen = [], {}, set()
    for path in paths:
        root = Path(path)
        if not root.exists():
            raise IloUsageError("ILO-U003", f"ilo test: no such file or directory: {path}",
                                hint="give a .ilo file or a folder of them")
        id_root = root if root.is_dir() else root.parent
        files = discover_files(root)
        for file in files:
            parsed = parse_file(file)
            for line in parsed.dangling_runs:
                sink.write_stderr(f"warning: {display_path(file)}:{line}: `-- run:` has no "
                                  "`-- out:` or `-- err:` below it\n")
            for case in parsed.cases:
                cid = case_id(case, id_root)
                if (cid, case.line) in seen or not in_shard(cid, shard):
                    continue
                seen.add((cid, case.line))
                roots[case] = id_root
                units.extend(((cid, e), case, e) for e in engines)
    return _Plan(units, roots, engines)


class _Report:
    """Lines as results arrive, a progress line on a terminal, the summary."""

    def __init__(self, opts, plan: _Plan, results: ResultsFile | None):
        self.opts, self.plan, self.results = opts, plan, results
        self.counts = {PASS: 0, FAIL: 0, SKIP: 0}
        self.timeouts: list[str] = []
        self.records: list[dict] = []
        self.start = time.monotonic()
        self.total = len(plan.units)
        self.live = not opts.json and sink.stdout_is_terminal()
        self.shown = False

    def resumed(self, rec: dict) -> None:
        self.counts[rec["status"]] += 1
        self.records.append(rec)
        if rec.get("timed_out"):
            self.timeouts.append(f"{rec['file']}:{rec['line']} [{rec['engine']}]")
        if rec["status"] == FAIL and not self.opts.json:
            self._line(f"FAIL {rec['file']}:{rec['line']} [{rec['engine']}] "
                       f"{' '.join(rec['args'])}: {rec['detail']} (recorded earlier)")

    def add(self, key, result: CaseResult) -> None:
        self.counts[result.status] += 1
        root = self.plan.roots.get(result.case)
        rec = result_json(result, root)
        rec["ms"] = int(result.outcome.duration * 1000) if result.outcome else 0
        self.records.append(rec)
        if self.results:
            self.results.append(rec)
        if rec["timed_out"]:
            self.timeouts.append(f"{rec['file']}:{rec['line']} [{rec['engine']}]")
        if self.opts.json:
            self._line(json.dumps(rec, ensure_ascii=False))
        elif result.status == FAIL or self.opts.verbose:
            self._line(format_result(result))
        self._progress()

    def _line(self, text: str) -> None:
        if self.shown:
            sink.write_report("\r\x1b[K")
            self.shown = False
        _emit(text)

    def _progress(self) -> None:
        if not self.live:
            return
        done = sum(self.counts.values())
        secs = time.monotonic() - self.start
        rate = done / secs if secs > 0 else 0.0
        sink.write_report(f"\r\x1b[K{done}/{self.total} done, {self.counts[FAIL]} failed, "
                          f"{secs:.1f} s, {rate:.1f} cases/s")
        sink.flush()
        self.shown = True

    def finish(self) -> int:
        if self.shown:
            sink.write_report("\r\x1b[K")
        opts, counts = self.opts, self.counts
        if self.opts.junit:
            write_junit(self.opts.junit, self.records)
        if not self.total:
            sink.write_stderr(f"ilo test: no test cases (-- run: / -- out: / -- err:) found in "
                              f"{' '.join(opts.paths)}\n")
        if opts.json:
            summary = {"type": "summary", "engine": "+".join(self.plan.engines),
                       "passed": counts[PASS], "failed": counts[FAIL],
                       "skipped": counts[SKIP], "total": self.total}
            if self.timeouts:
                summary["timeouts"] = self.timeouts
            if not self.total:
                summary["error"] = "no test cases found"
            _emit(json.dumps(summary))
        else:
            if self.timeouts:
                _emit(f"timeouts ({len(self.timeouts)}): {', '.join(self.timeouts)}")
            _emit(format_summary(counts[PASS], counts[FAIL], counts[SKIP]))
        return 1 if counts[FAIL] or not self.total else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
