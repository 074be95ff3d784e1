"""What the supervisor (fork + setsid + wait) costs on a trivial run.

Usage: ``.venv/bin/python bench/supervisor_cost.py [--runs 40]``

Measured in a process shaped like the CLI's parent at fork time (the parser
and engine are imported by the child, after the fork; fork cost grows with
the parent's resident memory). Prints the lower quartile, median and
90th percentile of the supervised run, the same for an in-process run
(``ILO_NO_FORK=1``), and the difference: the supervisor's own cost. The
target is under 5 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ilo.diagnostics.render  # noqa: E402,F401  (loaded by the CLI parent too)
from ilo import runtime_guard, supervise  # noqa: E402


def samples(fn, n: int) -> list[float]:
    fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return sorted(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    n = ap.parse_args().runs
    limits = runtime_guard.GuardLimits()
    forked = samples(lambda: supervise.run_guarded(lambda: 0, limits), n)
    os.environ["ILO_NO_FORK"] = "1"
    inline = samples(lambda: (supervise.run_guarded(lambda: 0, limits), runtime_guard.uninstall()), n)
    q = (n // 4, n // 2, (n * 9) // 10)
    ms = lambda xs: "  ".join(f"{xs[i] * 1e3:6.2f}" for i in q)  # noqa: E731
    lines = [f"{'':<14}{'p25 ms':>8}{'p50 ms':>8}{'p90 ms':>8}",
             f"{'supervised':<14}{ms(forked)}", f"{'in-process':<14}{ms(inline)}",
             f"supervisor cost (p25 difference): {(forked[q[0]] - inline[q[0]]) * 1e3:.2f} ms (target < 5 ms)"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
