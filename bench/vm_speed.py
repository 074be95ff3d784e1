"""Unit cost of every ../shared/bench kernel on tree, vm and CPython, in one run,
and the check that no engine's unit cost grows with n (no quadratic paths).

Usage (from the project root)::

    .venv/bin/python bench/vm_speed.py [--kernels while,recurse] [--repeat 5] [--min-run 0.1]

A "unit" is one loop iteration (one call of ``fib`` for recurse). Each
program runs in this process at a size n (the smallest whose run takes
MIN_RUN_S on the vm) and at 2n, the same two sizes on every engine, so the
engines compared do the same work on the same amount of data (a run's
memory traffic and garbage collection grow with n); the unit cost is the
difference of the two times over the difference of the unit counts, so
fixed per-run costs (engine set-up, the call itself) cancel. Times are this
process's CPU time, which a busy shared machine disturbs least; --repeat
rounds each time every engine, and the table shows per-round medians (see
``unit_costs``).
Two tables:

* speed: ns per unit, tree/vm (target >= 3 on every kernel) and vm/CPython
  (target <= 15 on numeric, while, guards, recurse and pipe);
* flat cost: the cost per unit of a whole run at 8n over that at n, with n
  calibrated per engine (target <= 1.5: appending to a string, list or map
  held by one variable is amortised O(1) per unit, never O(n)). The sizes are ones
  whose runs take MIN_RUN_S or more, so per-run set-up (microseconds) is
  negligible, and whole-run times are steadier than differences; the two
  sizes are timed back to back in each round and the ratio is the median
  over rounds, so a load that comes and goes hits both sides of a ratio.
  A quadratic path shows up as a growth near 8.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = Path(os.environ.get("ILO_BENCH_DIR", ROOT.parent / "shared" / "bench"))

from ilo import api  # noqa: E402

#: base size per kernel (fib's argument for recurse)
BASE = {"numeric": 2000, "string": 1000, "record": 500, "mixed": 1000, "guards": 2000,
        "recurse": 11, "foreach": 2000, "while": 4000, "pipe": 1000}
SPEED_TARGET = 3.0
CPYTHON_TARGET = 15.0
CPYTHON_KERNELS = ("numeric", "while", "guards", "recurse", "pipe")
FLAT_TARGET = 1.5
#: each engine runs each kernel at sizes taking at least this long (noise)
MIN_RUN_S = 0.04


def units(kernel: str, n: int) -> int:
    if kernel != "recurse":
        return n
    a, b = 1, 1                       # calls of fib(n) = 2*F(n+1) - 1
    for _ in range(n - 1):
        a, b = b, a + b
    return 2 * b - 1


def grow(kernel: str, n: int, factor: float) -> int:
    """The size with about `factor` times the units of size n."""
    if kernel != "recurse":
        return int(n * factor)
    k = n
    while units(kernel, k) < units(kernel, n) * factor:
        k += 1
    return k


def calibrate(fn, kernel: str, min_run: float) -> int:
    """The smallest size (from the base, doubling) one run of which takes min_run seconds."""
    n = BASE[kernel]
    while best_time(fn, n, 1) < min_run:
        n = grow(kernel, n, 2)
    return n


def best_time(fn, arg, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn(arg)
        best = min(best, time.process_time() - t)
    return best


def runners(kernel: str, func: str):
    spec = importlib.util.spec_from_file_location(f"bench_{kernel}", BENCH / f"{kernel}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    py = getattr(mod, func)
    path = BENCH / f"{kernel}.ilo"
    program = api.load_program(path.read_text(), str(path))
    out = {"py": lambda n: py(int(n))}
    for engine in ("tree", "vm"):
        out[engine] = (lambda eng: lambda n: eng.run(func, [float(n)]))(api.make_engine(program, engine))
    return out


def growth(fn, kernel: str, n: int, repeat: int) -> float:
    """Cost per unit of a run at 8x the units of n over that at n: the
    median over ``repeat`` rounds, each timing the two sizes back to back
    (best of two at n), so both sides of a ratio meet the same machine."""
    big = grow(kernel, n, 8)
    ratios = []
    for _ in range(repeat):
        small_t = best_time(fn, n, 2)
        big_t = best_time(fn, big, 1)
        ratios.append((big_t / units(kernel, big)) / (small_t / units(kernel, n)))
    return statistics.median(ratios)


def unit_costs(run: dict, kernel: str, n: int, repeat: int) -> tuple[dict, dict]:
    """ns per unit per engine, (t(2n) - t(n)) / (units(2n) - units(n)), and the ratios.

    Each round times every engine at both sizes (best of two runs each, of
    five for CPython, whose runs are the shortest), one engine after another,
    and gives a unit cost per engine; the ratios are the medians of the
    per-round ratios, so the engines compared were timed within the same
    second or so, and a slow spell of a shared machine (they come and go)
    counts as one outlier round, not as a bias."""
    n1, n2 = n, grow(kernel, n, 2)
    rounds: dict = {e: [] for e in run}
    for _ in range(repeat):
        for e, fn in run.items():
            best = 5 if e == "py" else 2
            t1, t2 = best_time(fn, n1, best), best_time(fn, n2, best)
            rounds[e].append(max(t2 - t1, 1e-9) / (units(kernel, n2) - units(kernel, n1)) * 1e9)
    cost = {e: statistics.median(c) for e, c in rounds.items()}
    ratio = {pair: statistics.median(a / b for a, b in zip(rounds[pair[0]], rounds[pair[1]]))
             for pair in (("tree", "vm"), ("vm", "py"))}
    return cost, ratio


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", default="")
    ap.add_argument("--repeat", type=int, default=7, help="rounds")
    ap.add_argument("--min-run", type=float, default=MIN_RUN_S,
                    help="seconds the smaller timed run must take (longer = less noise)")
    opts = ap.parse_args()
    funcs = {}
    for line in (BENCH / "args.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            funcs[parts[0]] = parts[1]
    chosen = [k for k in funcs if not opts.kernels or k in opts.kernels.split(",")]
    speed = [f"{'kernel':<9}{'py ns':>9}{'tree ns':>10}{'vm ns':>9}{'tree/vm':>9}{'vm/py':>8}  targets"]
    flat = [f"{'kernel':<9}{'tree 8x/1x':>11}{'vm 8x/1x':>10}{'py 8x/1x':>10}"]
    failures = 0
    for kernel in chosen:
        run = runners(kernel, funcs[kernel])
        size = {e: calibrate(fn, kernel, opts.min_run) for e, fn in run.items()}
        cost, ratios = unit_costs(run, kernel, size["vm"], opts.repeat)
        ratio, vs_py = ratios["tree", "vm"], ratios["vm", "py"]
        ok = ratio >= SPEED_TARGET and (kernel not in CPYTHON_KERNELS or vs_py <= CPYTHON_TARGET)
        failures += not ok
        speed.append(f"{kernel:<9}{cost['py']:>9.0f}{cost['tree']:>10.0f}{cost['vm']:>9.0f}"
                     f"{ratio:>9.2f}{vs_py:>8.2f}  {'ok' if ok else 'MISSED'}")
        grew = {e: growth(fn, kernel, size[e], opts.repeat) for e, fn in run.items()}
        flat_ok = all(grew[e] <= FLAT_TARGET for e in ("tree", "vm"))
        failures += not flat_ok
        flat.append(f"{kernel:<9}{grew['tree']:>11.2f}{grew['vm']:>10.2f}{grew['py']:>10.2f}"
                    f"  {'ok' if flat_ok else 'GROWS'}")
    sys.stdout.write(f"speed: ns per unit (targets: tree/vm >= {SPEED_TARGET:g}; vm/py <= "
                     f"{CPYTHON_TARGET:g} on {', '.join(CPYTHON_KERNELS)})\n" + "\n".join(speed)
                     + f"\n\nflat cost: cost per unit at 8x the size / at the base size "
                       f"(target <= {FLAT_TARGET:g} for tree and vm)\n" + "\n".join(flat) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
