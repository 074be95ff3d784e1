"""Which engine should be the default? Whole-process wall time, compile time included.

Usage (from the project root)::

    .venv/bin/python bench/default_engine.py [--engines tree,jit] [--rounds 3] [--sample 30]

Two workloads, each run as real ``ilo`` processes, rounds interleaved across
engines, the fastest round kept per program:

* short agent programs: the ``-- run:`` cases of ``examples/`` (first
  ``--sample`` of them) -- what an agent runs most of the time;
* heavy loops: the ``../shared/bench`` kernels at a size that takes the tree
  engine a second or so.

The table prints total seconds per workload and engine; the default should
be the engine that wins the first without losing badly on the second.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = Path(os.environ.get("ILO_BENCH_DIR", ROOT.parent / "shared" / "bench"))

from ilo.tools.annotations import collect_cases  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
HEAVY = [("numeric", "f", "100000"), ("while", "f", "100000"), ("guards", "f", "50000"),
         ("recurse", "fib", "18"), ("pipe", "f", "30000")]


def run(engine: str, argv: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([PYTHON, "-m", "ilo", "--engine", engine, *argv], capture_output=True,
                   stdin=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - t


def workloads(sample: int) -> dict[str, list[list[str]]]:
    cases = [c for c in collect_cases(ROOT / "examples") if not c.engine_skips][:sample]
    return {
        f"short programs ({len(cases)} example cases)": [[str(c.path), *c.args] for c in cases],
        f"heavy loops ({len(HEAVY)} bench kernels)": [[str(BENCH / f"{k}.ilo"), fn, n] for k, fn, n in HEAVY],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="tree,jit")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sample", type=int, default=30)
    opts = ap.parse_args(argv)
    engines = opts.engines.split(",")
    lines = ["| workload | " + " | ".join(f"{e} s" for e in engines) + " |",
             "|---|" + "---:|" * len(engines)]
    for title, programs in workloads(opts.sample).items():
        best = {}
        for _ in range(opts.rounds):
            for i, argv_ in enumerate(programs):
                for e in engines:
                    dt = run(e, argv_)
                    best[(e, i)] = min(best.get((e, i), dt), dt)
        totals = [sum(best[(e, i)] for i in range(len(programs))) for e in engines]
        lines.append(f"| {title} | " + " | ".join(f"{t:.2f}" for t in totals) + " |")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
