"""What the runtime guard costs: the bench kernels with the default guards
(forked supervisor + watchdog) against every guard off, side by side.

Usage (from the project root, once the engine exists)::

    .venv/bin/python bench/guard_overhead.py [--engine tree] [--runs 5]
        [--size paper|whole] [--kernels while,numeric] [--no-fork-column]

Each kernel ``/work/shared/bench/NAME.ilo`` runs as a whole process::

    python -m ilo [flags] FILE FUNC ARG

with ``flags`` either nothing (defaults: --max-runtime 60, --max-output-bytes
104857600, --max-memory 4096: supervisor + watchdog) or ``--max-runtime 0
--max-output-bytes 0 --max-memory 0 --max-idle 0`` (supervisor, no watchdog);
a third "bare" column runs all caps at 0 with ``ILO_NO_FORK=1`` (no guard at
all), so ``on/bare`` is the whole cost of the guard layer.  ``--size paper`` uses the
arguments of ``args.txt`` (per-call sized: the process start dominates);
``--size whole`` (default) scales them up so the program itself runs for a
while.  The best of ``--runs`` CPU times (user + system of the whole
process tree) is reported, then the ratio. Whole-process times on a shared
machine vary by 10-30% from run to run, so a second table measures the
watchdog alone in this process (guard installed vs not, alternating), and
``bench/supervisor_cost.py`` measures the fixed cost of the forked
supervisor; together they are the guard's cost.
"""

from __future__ import annotations

import argparse
import resource
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("ILO_BENCH_DIR", ROOT.parent / "shared" / "bench"))

#: whole-process sizes: roughly 0.5-2 s of work in a tree-walking engine
WHOLE = {
    "numeric": "200000", "while": "200000", "guards": "50000", "pipe": "50000",
    "record": "50000", "mixed": "10000", "string": "5000", "foreach": "5000",
    "recurse": "22",
}

OFF = ["--max-runtime", "0", "--max-output-bytes", "0", "--max-memory", "0",
       "--max-idle", "0"]


def kernels(size: str, only: set[str] | None):
    for line in (BENCH / "args.txt").read_text().splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        name, func, arg = parts[0], parts[1], parts[2]
        if only and name not in only:
            continue
        if size == "whole":
            arg = WHOLE.get(name, arg)
        yield name, func, arg


def time_runs(configs: list[tuple[list[str], dict]], runs: int) -> list[tuple[float, str]]:
    """Best CPU time (user + system, the process and its supervised child) of
    each (cmd, env): steadier than wall time on a shared machine. The
    configurations take turns in every round so drift affects them alike."""
    best = [float("inf")] * len(configs)
    outs = [""] * len(configs)
    for _ in range(runs):
        for k, (cmd, env) in enumerate(configs):
            if best[k] != best[k]:      # already failed
                continue
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            # cwd is the project root: from the bench folder `python -m` would
            # import its string.py in place of the standard library's
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            dt = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            if proc.returncode != 0:
                best[k], outs[k] = float("nan"), (proc.stderr.strip() or proc.stdout.strip())[:200]
                continue
            outs[k] = proc.stdout.strip()
            best[k] = min(best[k], dt)
    return list(zip(best, outs))


def in_process_table(size: str, only, rounds: int = 5) -> None:
    """The watchdog alone, without process noise: each kernel runs in this
    process with the guard installed (SIGALRM ticks, output accounting) and
    uninstalled, alternating, and the best round of each is compared."""
    from ilo import api, runtime_guard
    from ilo.cli.args import parse_cli_arg

    print()
    print(f"{'in-process':<9} {'arg':>7} {'watchdog':>10} {'none':>10} {'ratio':>7}")
    ratios = []
    for name, func, arg in kernels(size, only):
        program = api.load_program((BENCH / f"{name}.ilo").read_text())
        engine = api.make_engine(program, "tree")
        value = parse_cli_arg(arg)
        best = {True: float("inf"), False: float("inf")}
        for _ in range(rounds):
            for guarded in (True, False):
                if guarded:
                    runtime_guard.install(runtime_guard.GuardLimits(max_runtime=600), "json", "tree")
                t = time.perf_counter()
                engine.run(func, [value])
                best[guarded] = min(best[guarded], time.perf_counter() - t)
                if guarded:
                    runtime_guard.uninstall()
        ratio = best[True] / best[False]
        ratios.append(ratio)
        print(f"{name:<9} {arg:>7} {best[True] * 1e3:>8.1f}ms {best[False] * 1e3:>8.1f}ms {ratio:>7.3f}", flush=True)
    geo = 1.0
    for r in ratios:
        geo *= r
    print(f"geometric mean ratio (watchdog / none, in-process): {geo ** (1 / len(ratios)):.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default=None, help="passed as --engine ENGINE")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", choices=("paper", "whole"), default="whole")
    ap.add_argument("--kernels", default="", help="comma-separated subset")
    ap.add_argument("--ilo", default=None,
                    help="command to run instead of `python -m ilo` (split on spaces)")
    ap.add_argument("--no-bare-column", action="store_true",
                    help="skip the bare column (guards off and ILO_NO_FORK=1)")
    opts = ap.parse_args(argv)
    only = {k for k in opts.kernels.split(",") if k} or None
    base = opts.ilo.split() if opts.ilo else [sys.executable, "-m", "ilo"]
    if opts.engine:
        base += ["--engine", opts.engine]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("ILO_NO_FORK", None)
    env_nofork = dict(env, ILO_NO_FORK="1")

    bare_col = not opts.no_bare_column
    head = f"{'kernel':<9} {'arg':>7} {'guards on':>10} {'guards off':>10} {'on/off':>7}"
    if bare_col:
        head += f" {'bare':>10} {'on/bare':>7}"
    print(head)
    print("-" * len(head))
    ratios = []
    for name, func, arg in kernels(opts.size, only):
        file = str(BENCH / f"{name}.ilo")
        configs = [(base + [file, func, arg], env), (base + OFF + [file, func, arg], env)]
        if bare_col:
            configs.append((base + OFF + [file, func, arg], env_nofork))
        results = time_runs(configs, opts.runs)
        (on, out_on), (off, out_off) = results[0], results[1]
        line = f"{name:<9} {arg:>7} {on * 1e3:>8.1f}ms {off * 1e3:>8.1f}ms {on / off:>7.3f}"
        if bare_col:
            bare = results[2][0]
            line += f" {bare * 1e3:>8.1f}ms {on / bare:>7.3f}"
        if out_on != out_off:
            line += f"  OUTPUT DIFFERS: {out_on[:40]!r} vs {out_off[:40]!r}"
        if on != on:
            line += f"  FAILED: {out_on}"
        print(line, flush=True)
        if on == on and off == off:
            ratios.append(on / off)
    if ratios:
        geo = 1.0
        for r in ratios:
            geo *= r
        print(f"geometric mean ratio (guards on / off): {geo ** (1 / len(ratios)):.3f}")
    if not opts.ilo:
        in_process_table(opts.size, only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
