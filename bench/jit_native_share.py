"""What share of the functions in the upstream corpus the JIT compiles natively.

Loads every ``.ilo`` under ``../shared/conformance/upstream`` (or the folder
given), runs the JIT's planner on it (IR only, no machine code) and prints
native / total, counting declared functions and lifted lambdas separately,
plus the most common fallback reasons.

    .venv/bin/python bench/jit_native_share.py [CORPUS_DIR]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from ilo import api
from ilo.diagnostics.errors import IloError
from ilo.engines.jit.planner import plan
from ilo.engines.tree import MAX_DEPTH
from ilo.tools.passlist import corpus_dir


def out(text: str) -> None:
    sys.stdout.write(text)


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else corpus_dir()
    totals = Counter()
    reasons = Counter()
    for path in sorted(corpus.rglob("*.ilo")):
        try:
            program = api.load_program(path.read_text(encoding="utf-8"), str(path))
        except (IloError, UnicodeDecodeError, OSError):
            totals["files not loadable"] += 1
            continue
        result = plan(program, MAX_DEPTH)
        for name, decl in program.functions.items():
            group = "lambda" if decl.lifted else "function"
            totals[group] += 1
            if name in result.result_kinds:
                totals[f"{group} native"] += 1
            else:
                reasons[re.sub(r"'[^']*'", "'…'", result.reasons.get(name, "?"))] += 1
    for group in ("function", "lambda"):
        n, k = totals[group], totals[f"{group} native"]
        out(f"{group}s: {k}/{n} native ({100 * k / max(n, 1):.1f}%)\n")
    all_n = totals["function"] + totals["lambda"]
    all_k = totals["function native"] + totals["lambda native"]
    out(f"all: {all_k}/{all_n} native ({100 * all_k / max(all_n, 1):.1f}%); "
                      f"files not loadable: {totals['files not loadable']}\n")
    out("top fallback reasons:\n")
    for why, count in reasons.most_common(12):
        out(f"  {count:4d}  {why}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
