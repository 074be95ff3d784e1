"""Conformance pass-lists: run the shared corpus, compare with / grow the ratchet.

The corpus is ``<project root>/../shared/conformance/upstream`` (override with
``--corpus`` or the ``ILO_CONFORMANCE_DIR`` environment variable).  For every
engine, ``tests/conformance/<engine>.txt`` lists the ids of the cases that pass
today; ``tests/test_conformance.py`` fails when one of them stops passing.
``tests/conformance/skips.txt`` lists cases that cannot run in the sandbox
(network, missing tools), each with a reason; they are never run.

Case ids are ``"<file relative to the corpus>::<run args>"`` (``::#N`` appended
for the N-th case with the same arguments in one file); see
:mod:`ilo.tools.annotations`.  They do not contain line numbers.

File formats (one entry per line, ``#`` comment lines and blank lines ignored)::

    tests/conformance/tree.txt     recursion.ilo::fac 10
    tests/conformance/skips.txt    some-file.ilo::fetch x -- needs the network
                                   other-file.ilo -- whole file: needs npx

Usage::

    python -m ilo.tools.passlist --engine tree            # report only
    python -m ilo.tools.passlist --engine tree --write    # rewrite tree.txt
    python -m ilo.tools.passlist --engine tree --write --force   # allow drops

``--write`` rewrites the pass-list with the cases passing now (sorted).  It
refuses (exit 1) when a listed case no longer passes, because that is a
regression to fix, unless ``--force`` is given.  Other options: ``--jobs N``
(default 2), ``--timeout SECS`` (default 10; a case that times out is retried
once with three times the timeout before it counts as failing), ``-v`` (print
each failing case).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ilo import sink
from ilo.tools.annotations import Case, collect_cases, unique_ids
from ilo.tools.testrunner import (
    DEFAULT_TIMEOUT,
    ENGINES,
    PASS,
    CaseResult,
    Runner,
    format_result,
    run_case,
    run_cases,
)

DEFAULT_JOBS = 2
TIMEOUT_RETRY_FACTOR = 3.0


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def conformance_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "tests" / "conformance"


def corpus_dir(root: Path | None = None) -> Path:
    env = os.environ.get("ILO_CONFORMANCE_DIR")
    if env:
        return Path(env)
    return (root or project_root()).parent / "shared" / "conformance" / "upstream"


def passlist_path(engine: str, root: Path | None = None) -> Path:
    return conformance_dir(root) / f"{engine}.txt"


def skips_path(root: Path | None = None) -> Path:
    return conformance_dir(root) / "skips.txt"


def _entries(path: Path) -> list[str]:
    if not path.exists():
        return []
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def load_passlist(path: Path) -> list[str]:
    return _entries(path)


def load_skips(path: Path) -> dict[str, str]:
    """``{id or file: reason}``; every entry must have ``" -- reason"``."""
    skips: dict[str, str] = {}
    for entry in _entries(path):
        key, sep, reason = entry.partition(" -- ")
        if not sep or not reason.strip():
            raise ValueError(f"{path}: entry without ' -- reason': {entry!r}")
        skips[key.strip()] = reason.strip()
    return skips


def skip_reason(cid: str, skips: dict[str, str]) -> str | None:
    """The reason ``cid`` is skipped: by its own id or by its file."""
    if cid in skips:
        return skips[cid]
    return skips.get(cid.split("::", 1)[0])


def write_passlist(path: Path, ids: Iterable[str], engine: str) -> None:
    lines = [
        f"# Conformance cases passing on the {engine} engine (the ratchet).",
        "# Regenerate: python -m ilo.tools.passlist --engine " + engine + " --write",
        *sorted(set(ids)),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class CorpusRun:
    engine: str
    results: dict[str, CaseResult] = field(default_factory=dict)  # id -> result (run ones)
    skipped: dict[str, str] = field(default_factory=dict)  # id -> reason (skips.txt / engine-skip)

    @property
    def passing(self) -> set[str]:
        return {cid for cid, r in self.results.items() if r.status == PASS}

    @property
    def failing(self) -> dict[str, CaseResult]:
        return {cid: r for cid, r in self.results.items() if r.status != PASS}

    @property
    def total(self) -> int:
        return len(self.results) + len(self.skipped)

    def summary(self) -> str:
        run = len(self.results)
        passed = len(self.passing)
        rate = 100.0 * passed / run if run else 0.0
        return (f"conformance [{self.engine}]: {passed}/{run} cases pass ({rate:.1f}%), "
                f"{len(self.skipped)} skipped, {self.total} in corpus")


def corpus_cases(corpus: Path) -> dict[str, Case]:
    return unique_ids(collect_cases(corpus), corpus)


def run_corpus(engine: str, *, corpus: Path | None = None, skips: dict[str, str] | None = None,
               jobs: int = DEFAULT_JOBS, timeout: float = DEFAULT_TIMEOUT,
               runner: Runner | None = None, retry_ids: set[str] | None = None) -> CorpusRun:
    """Run every case of the corpus on ``engine``.

    Cases in ``skips`` or whose file says ``-- engine-skip: <engine>`` are not
    run.  A case that fails by timing out is retried once, alone, with
    ``TIMEOUT_RETRY_FACTOR`` times the timeout, so load on the machine does not
    make the ratchet flaky (only the ids in ``retry_ids`` when it is given).
    """
    corpus = corpus or corpus_dir()
    skips = load_skips(skips_path()) if skips is None else skips
    cases = corpus_cases(corpus)
    run = CorpusRun(engine)
    todo: list[tuple[str, Case]] = []
    for cid, case in cases.items():
        reason = skip_reason(cid, skips)
        if reason is not None:
            run.skipped[cid] = reason
        elif case.skipped_on(engine):
            run.skipped[cid] = f"engine-skip: {engine}"
        else:
            todo.append((cid, case))
    results = run_cases([c for _, c in todo], engine, timeout=timeout, jobs=jobs, runner=runner)
    for (cid, case), result in zip(todo, results):
        if (result.status != PASS and result.outcome is not None and result.outcome.timed_out
                and (retry_ids is None or cid in retry_ids)):
            result = run_case(case, engine, (), timeout * TIMEOUT_RETRY_FACTOR, runner)
        run.results[cid] = result
    return run


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    finally:
        sink.flush()


def _main(argv: Sequence[str] | None) -> int:
    p = argparse.ArgumentParser(prog="python -m ilo.tools.passlist",
                                description="Run the conformance corpus; report or rewrite a pass-list.")
    p.add_argument("--engine", choices=ENGINES, default="tree")
    p.add_argument("--write", action="store_true", help="rewrite tests/conformance/<engine>.txt")
    p.add_argument("--force", action="store_true", help="with --write: drop listed cases that fail now")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("--corpus", type=Path, default=None)
    p.add_argument("-v", "--verbose", action="store_true")
    opts = p.parse_args(argv)

    corpus = opts.corpus or corpus_dir()
    if not corpus.is_dir():
        sink.write_stderr(f"passlist: corpus not found at {corpus}\n")
        return 1
    target = passlist_path(opts.engine)
    listed = set(load_passlist(target))
    run = run_corpus(opts.engine, corpus=corpus, jobs=opts.jobs, timeout=opts.timeout)
    passing = run.passing

    if opts.verbose:
        for cid, result in sorted(run.failing.items()):
            sink.write_report(f"{format_result(result)}  [{cid}]\n")
    known = set(run.results) | set(run.skipped)
    stale = sorted(listed - known)
    lost = sorted((listed & set(run.results)) - passing)
    skipped_listed = sorted(listed & set(run.skipped))
    gained = sorted(passing - listed)
    for cid in stale:
        sink.write_report(f"stale (not in corpus): {cid}\n")
    for cid in skipped_listed:
        sink.write_report(f"listed but skipped ({run.skipped[cid]}): {cid}\n")
    for cid in lost:
        sink.write_report(f"REGRESSION (listed, fails now): {cid}: {run.results[cid].detail}\n")
    for cid in gained:
        sink.write_report(f"new pass: {cid}\n")
    sink.write_report(run.summary() + "\n")
    sink.write_report(f"{len(gained)} new, {len(lost)} regressed, {len(stale)} stale "
                      f"({target.name} lists {len(listed)})\n")

    if opts.write:
        if lost and not opts.force:
            sink.write_stderr(f"passlist: not writing {target}: {len(lost)} listed case(s) fail now "
                              "(fix them, or pass --force to drop them)\n")
            return 1
        write_passlist(target, passing, opts.engine)
        sink.write_report(f"wrote {len(passing)} ids to {target}\n")
        return 0
    return 1 if lost else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
