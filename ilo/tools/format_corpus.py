"""Check that ``--dense`` / ``--expanded`` keep programs' behaviour: write a
formatted copy of a corpus (each file reformatted, its ``-- run:`` /
``-- out:`` / ``-- err:`` annotations kept after it, other files copied) and
run the copy's cases like the conformance pass.

    python -m ilo.tools.format_corpus [--layout dense|expanded] [--jobs N]

prints the pass count of the copy and every case of the tree pass-list that
no longer passes (exit 1 when there is one).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from ilo import sink
from ilo.diagnostics.errors import IloError
from ilo.syntax import format as layout
from ilo.tools import passlist
from ilo.tools.annotations import ENGINE_SKIP, ERR, OUT, RUN, read_source, trim

DIRECTIVES = (RUN, OUT, ERR, ENGINE_SKIP)


def annotations(source: str) -> str:
    return "".join(trim(ln) + "\n" for ln in source.splitlines() if trim(ln).startswith(DIRECTIVES))


def formatted_copy(corpus: Path, dest: Path, style: str) -> list[Path]:
    """Fill ``dest`` with the formatted corpus; return the files that do not
    parse (copied unchanged: there is nothing to format)."""
    unformatted = []
    for path in sorted(corpus.rglob("*")):
        target = dest / path.relative_to(corpus)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".ilo":
            shutil.copyfile(path, target)
            continue
        source = read_source(path)
        try:
            from ilo.syntax.parser import parse

            parse(source)
            text = getattr(layout, style)(source) + annotations(source)
        except (IloError, RecursionError):
            text, _ = source, unformatted.append(path)
        target.write_text(text, encoding="utf-8")
    return unformatted


def run(style: str, jobs: int) -> tuple[passlist.CorpusRun, list[str]]:
    """Run the formatted corpus; return the run and the pass-listed ids it lost."""
    listed = passlist.load_passlist(passlist.passlist_path("tree"))
    with tempfile.TemporaryDirectory(prefix="ilo-format-") as tmp:
        dest = Path(tmp) / "upstream"
        formatted_copy(passlist.corpus_dir(), dest, style)
        result = passlist.run_corpus("tree", corpus=dest, jobs=jobs)
    lost = sorted(cid for cid in listed if cid in result.results and cid not in result.passing)
    return result, lost


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ilo.tools.format_corpus")
    ap.add_argument("--layout", choices=("dense", "expanded"), default="dense")
    ap.add_argument("--jobs", type=int, default=2)
    ns = ap.parse_args(argv)
    result, lost = run(ns.layout, ns.jobs)
    sink.write_report(result.summary().replace("conformance", f"formatted ({ns.layout})") + "\n")
    sink.write_report("".join(f"lost: {cid}\n" for cid in lost))
    sink.flush()
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
