"""Test-case annotations inside ``.ilo`` files.

A file carries cases as whole-line comments::

    -- run: [func] [args...]     program arguments after the file name
    -- out: EXPECTED             exit 0, trimmed stdout equals EXPECTED
    -- err: EXPECTED             non-zero exit, trimmed stderr (``hint:`` lines
                                 removed) equals EXPECTED
    -- engine-skip: vm jit       engines this file is not run on

Rules (the same as upstream ilo's ``tests/examples.rs`` /
``tests/examples_engines.rs``):

* Lines are split on ``\\n`` (a trailing ``\\r`` is dropped) and trimmed; a
  directive must *start* the trimmed line.  Prose that merely mentions
  ``-- err:`` in the middle of a comment is not a directive, and neither is a
  directive-looking word without the colon (``-- run before ...``).
* ``-- run:`` arguments are split on whitespace.  There is no quoting:
  ``{"a":1}`` or ``[1,2,3]`` is one argument as long as it has no spaces.
* A ``-- run:`` pairs with the first ``-- out:`` / ``-- err:`` below it.  A
  second ``-- run:`` before that replaces the first (the first becomes a
  *dangling* run); an ``-- out:`` / ``-- err:`` with no pending run is ignored
  (an *orphan*).  Both are reported in :class:`ParsedFile` so tools can warn.
* ``-- out:`` with nothing after it expects empty stdout.
* ``-- engine-skip:`` may appear anywhere and applies to the whole file; the
  tokens of every such line are collected.  ``cranelift`` (upstream's JIT) is
  read as ``jit``.

Case ids
--------
:attr:`Case.key` is ``"<args joined by one space>"`` for the first case of a
file with those arguments, and ``"<args>::#N"`` for the N-th (N >= 2) case
with the same arguments.  :func:`case_id` prefixes it with the file's path
relative to a corpus root (``/`` separators), e.g.
``"recursion.ilo::fac 10"`` or ``"autorun-main.ilo::"`` (no arguments).  Ids
do not depend on line numbers, so they survive edits elsewhere in the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

RUN = "-- run:"
OUT = "-- out:"
ERR = "-- err:"
ENGINE_SKIP = "-- engine-skip:"

#: Engine names as written in upstream files -> this project's engine names.
ENGINE_ALIASES = {"cranelift": "jit"}

# Rust's char::is_whitespace (Unicode White_Space), which upstream's
# str::trim uses; Python's str.strip() would also strip U+001C..U+001F.
_WS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def trim(text: str) -> str:
    """Trim like Rust's ``str::trim``."""
    return text.strip(_WS)


def split_lines(text: str) -> list[str]:
    """Split like Rust's ``str::lines`` (``\\n`` only, one trailing ``\\r`` dropped)."""
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


def normalize_engine(name: str) -> str:
    name = name.strip().lower()
    return ENGINE_ALIASES.get(name, name)


@dataclass(frozen=True)
class Case:
    """One ``-- run:`` / ``-- out:``|``-- err:`` pair."""

    path: Path  # the .ilo file (as discovered; absolute or relative)
    line: int  # 1-based line of the ``-- run:`` directive
    args: tuple[str, ...]  # program arguments after the file name
    kind: str  # "out" or "err"
    expected: str  # trimmed text after the directive
    expect_line: int  # 1-based line of the ``-- out:``/``-- err:`` directive
    engine_skips: frozenset[str] = frozenset()
    occurrence: int = 1  # 1 + number of earlier cases in the file with equal args

    @property
    def key(self) -> str:
        base = " ".join(self.args)
        return base if self.occurrence == 1 else f"{base}::#{self.occurrence}"

    @property
    def location(self) -> str:
        return f"{display_path(self.path)}:{self.line}"

    def skipped_on(self, engine: str) -> bool:
        return normalize_engine(engine) in self.engine_skips


@dataclass
class ParsedFile:
    cases: list[Case] = field(default_factory=list)
    engine_skips: frozenset[str] = frozenset()
    dangling_runs: list[int] = field(default_factory=list)  # run lines never paired
    orphans: list[int] = field(default_factory=list)  # out/err lines with no run


def parse_text(text: str, path: Path | str = Path("<string>")) -> ParsedFile:
    """Parse annotations from source text."""
    path = Path(path)
    skips: set[str] = set()
    raw_cases: list[tuple[int, tuple[str, ...], str, str, int]] = []
    dangling: list[int] = []
    orphans: list[int] = []
    pending: tuple[tuple[str, ...], int] | None = None

    for number, raw in enumerate(split_lines(text), start=1):
        line = trim(raw)
        if line.startswith(RUN):
            if pending is not None:
                dangling.append(pending[1])
            pending = (tuple(line[len(RUN):].split()), number)
        elif line.startswith(OUT) or line.startswith(ERR):
            kind = "out" if line.startswith(OUT) else "err"
            if pending is None:
                orphans.append(number)
                continue
            args, run_line = pending
            directive = OUT if kind == "out" else ERR
            raw_cases.append((run_line, args, kind, trim(line[len(directive):]), number))
            pending = None
        elif line.startswith(ENGINE_SKIP):
            skips.update(normalize_engine(t) for t in line[len(ENGINE_SKIP):].split())
    if pending is not None:
        dangling.append(pending[1])

    frozen = frozenset(skips)
    seen: dict[tuple[str, ...], int] = {}
    cases = []
    for run_line, args, kind, expected, expect_line in raw_cases:
        seen[args] = seen.get(args, 0) + 1
        cases.append(
            Case(
                path=path,
                line=run_line,
                args=args,
                kind=kind,
                expected=expected,
                expect_line=expect_line,
                engine_skips=frozen,
                occurrence=seen[args],
            )
        )
    return ParsedFile(cases=cases, engine_skips=frozen, dangling_runs=dangling, orphans=orphans)


def read_source(path: Path | str) -> str:
    return Path(path).read_bytes().decode("utf-8", "replace")


def parse_file(path: Path | str) -> ParsedFile:
    return parse_text(read_source(path), path)


def discover_files(root: Path | str) -> list[Path]:
    """``root`` itself if it is a file, else every ``*.ilo`` below it.

    Hidden directories (``.git``, ``.venv`` ...) and ``__pycache__`` are not
    entered.  The result is sorted by path components, so it is deterministic.
    """
    root = Path(root)
    if root.is_file():
        return [root]
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d != "__pycache__"
        )
        for name in filenames:
            if name.endswith(".ilo") and not name.startswith("."):
                found.append(Path(dirpath) / name)
    found.sort(key=lambda p: p.relative_to(root).parts)
    return found


def collect_cases(root: Path | str) -> list[Case]:
    """Every case of every file under ``root`` (a file or directory), in order."""
    cases: list[Case] = []
    for path in discover_files(root):
        cases.extend(parse_file(path).cases)
    return cases


def iter_parsed(root: Path | str) -> Iterator[tuple[Path, ParsedFile]]:
    for path in discover_files(root):
        yield path, parse_file(path)


def case_id(case: Case, root: Path | str | None = None) -> str:
    """Stable id ``"<file relative to root>::<key>"`` (see module docstring).

    Without ``root`` (or when the file is not below it) the bare file name is
    used.
    """
    rel: str
    if root is not None:
        try:
            rel = Path(os.path.abspath(case.path)).relative_to(
                os.path.abspath(root)
            ).as_posix()
        except ValueError:
            rel = case.path.name
        if rel == ".":
            rel = case.path.name
    else:
        rel = case.path.name
    return f"{rel}::{case.key}"


def display_path(path: Path | str) -> str:
    """``path`` relative to the current directory when it is below it."""
    text = str(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # other drive (Windows)
        return text
    return text if rel.startswith("..") else rel


def unique_ids(cases: Iterable[Case], root: Path | str | None = None) -> dict[str, Case]:
    """Map id -> case; raises ``ValueError`` on a duplicate id."""
    out: dict[str, Case] = {}
    for case in cases:
        cid = case_id(case, root)
        if cid in out:
            raise ValueError(f"duplicate case id {cid!r} ({out[cid].location}, {case.location})")
        out[cid] = case
    return out
