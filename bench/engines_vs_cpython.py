"""Per-call time of each engine against the same kernel written in CPython.

Usage (from the project root)::

    .venv/bin/python bench/engines_vs_cpython.py [--engines tree] [--calls N]
        [--kernels numeric,while]

Each kernel in ``../shared/bench`` exists twice: ``NAME.ilo`` (entry ``f``,
or ``fib`` for recurse) and ``NAME.py`` defining the same function. Both run
in this process with the argument from ``args.txt``: warm-up calls, then the
best of five timed batches. The table shows microseconds per call and the
ratio engine / CPython (below 1.0: the engine is faster). Engines that are
not built yet are reported as such.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = Path(os.environ.get("ILO_BENCH_DIR", ROOT.parent / "shared" / "bench"))

from ilo import api  # noqa: E402
from ilo.cli.args import parse_cli_arg  # noqa: E402
from ilo.diagnostics.errors import IloError  # noqa: E402


def load_args() -> dict[str, tuple[str, str]]:
    out = {}
    for line in (BENCH / "args.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            out[parts[0]] = (parts[1], parts[2])
    return out


def per_call(fn, calls: int) -> float:
    for _ in range(max(3, calls // 10)):
        fn()
    best = math.inf
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, time.perf_counter() - t)
    return best / calls * 1e6


def cpython_call(name: str, func: str, arg: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fn = getattr(mod, func)
    value = parse_cli_arg(arg)
    value = int(value) if isinstance(value, float) and value.is_integer() else value
    return lambda: fn(value)


def ilo_call(name: str, func: str, arg: str, engine: str):
    program = api.load_program((BENCH / f"{name}.ilo").read_text(), str(BENCH / f"{name}.ilo"))
    runner = api.make_engine(program, engine)
    value = parse_cli_arg(arg)
    return lambda: runner.run(func, [value])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="tree")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--kernels", default="")
    opts = ap.parse_args()
    kernels = load_args()
    chosen = [k for k in kernels if not opts.kernels or k in opts.kernels.split(",")]
    engines = opts.engines.split(",")
    header = f"{'kernel':<9}{'CPython us':>12}" + "".join(f"{e + ' us':>12}{e + '/py':>9}" for e in engines)
    lines = [header, "-" * len(header)]
    ratios: dict[str, list[float]] = {e: [] for e in engines}
    for name in chosen:
        func, arg = kernels[name]
        py = per_call(cpython_call(name, func, arg), opts.calls)
        row = f"{name:<9}{py:>12.1f}"
        for e in engines:
            try:
                t = per_call(ilo_call(name, func, arg, e), opts.calls)
            except IloError as err:
                row += f"{'(' + err.code + ')':>12}{'-':>9}"
                continue
            ratios[e].append(t / py)
            row += f"{t:>12.1f}{t / py:>9.2f}"
        lines.append(row)
    for e, rs in ratios.items():
        if rs:
            lines.append(f"geometric mean {e}/CPython: {math.exp(sum(map(math.log, rs)) / len(rs)):.2f}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
