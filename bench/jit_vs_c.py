"""JIT vs CPython vs C (``cc -O2``): cost per unit of work, start-up cancelled.

Usage (from the project root)::

    .venv/bin/python bench/jit_vs_c.py [--kernels numeric,while,guards,recurse,pipe] [--rounds 3]

Every runner is a whole process (``ilo --engine jit``, ``python3`` on the
CPython twin in ``../shared/bench``, the C twin in ``bench/c`` built with
``cc -O2``) run at two sizes; (t_big - t_small) / (units_big - units_small)
is the cost of one unit (one loop iteration; one call for ``recurse``) with
process start-up, imports and JIT compile time cancelled out. Rounds are
interleaved and the fastest time of each is kept (the machine is shared).
The JIT's whole small run (start-up and compile included) is shown
too, and every runner's printed result is checked against the others.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("ILO_BENCH_DIR", ROOT.parent / "shared" / "bench"))
C_DIR = ROOT / "bench" / "c"
ILO = [str(ROOT / ".venv" / "bin" / "python"), "-m", "ilo", "--engine", "jit"]


def fib_calls(n: int) -> int:
    a, b = 1, 1                     # calls(0) = calls(1) = 1; calls(n) = calls(n-1) + calls(n-2) + 1
    for _ in range(n - 1):
        a, b = b, a + b + 1
    return b if n > 0 else 1


# kernel -> (entry function, unit count for an argument, (small, big) sizes per runner)
KERNELS = {
    "numeric": ("f", lambda n: n, {"cpython": (10**5, 3 * 10**6), "native": (10**6, 2 * 10**8)}),
    "while": ("f", lambda n: n, {"cpython": (10**5, 3 * 10**6), "native": (10**6, 2 * 10**8)}),
    "guards": ("f", lambda n: n, {"cpython": (10**5, 2 * 10**6), "native": (10**6, 10**8)}),
    "pipe": ("f", lambda n: n, {"cpython": (10**5, 10**6), "native": (10**6, 10**8)}),
    "recurse": ("fib", fib_calls, {"cpython": (18, 27), "native": (20, 35)}),
}


def build_c(tmp: Path, kernel: str) -> str:
    exe = tmp / kernel
    subprocess.run(["cc", "-O2", "-o", str(exe), str(C_DIR / f"{kernel}.c")], check=True)
    return str(exe)


def commands(kernel: str, exe: str):
    func = KERNELS[kernel][0]
    py = (f"import importlib.util as u,sys;s=u.spec_from_file_location('k',{str(BENCH / (kernel + '.py'))!r});"
          f"m=u.module_from_spec(s);s.loader.exec_module(m);print(m.{func}(int(sys.argv[1])))")
    return {
        "jit": lambda n: ILO + [str(BENCH / f"{kernel}.ilo"), func, str(n)],
        "cpython": lambda n: [sys.executable, "-c", py, str(n)],
        "c": lambda n: [exe, str(n)],
    }


def timed(cmd) -> tuple[float, float]:
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, float(p.stdout.split()[-1])


def measure(kernel: str, exe: str, rounds: int) -> dict:
    func, units, sizes = KERNELS[kernel]
    cmds = commands(kernel, exe)
    best: dict = {}
    results: dict = {}
    for _ in range(rounds):
        for runner, make in cmds.items():
            small, big = sizes["cpython" if runner == "cpython" else "native"]
            for n in (small, big):
                dt, value = timed(make(n))
                key = (runner, n)
                best[key] = min(best.get(key, dt), dt)
                results.setdefault(n, set()).add(value)
    for n, values in results.items():
        if len(values) != 1:
            raise SystemExit(f"{kernel}: runners disagree at size {n}: {sorted(values)}")
    out = {}
    for runner in cmds:
        small, big = sizes["cpython" if runner == "cpython" else "native"]
        per_unit = (best[(runner, big)] - best[(runner, small)]) / (units(big) - units(small))
        out[runner] = (per_unit * 1e9, best[(runner, small)])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--rounds", type=int, default=3)
    opts = ap.parse_args(argv)
    if shutil.which("cc") is None:
        raise SystemExit("cc not found: the C twins need a C compiler")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kernel in opts.kernels.split(","):
            exe = build_c(Path(tmp), kernel)
            r = measure(kernel, exe, opts.rounds)
            jit, py, c = r["jit"][0], r["cpython"][0], r["c"][0]
            rows.append(f"| {kernel:8} | {py:9.2f} | {jit:8.3f} | {c:8.3f} | {py / jit:10.1f}x | "
                        f"{jit / c:8.2f}x | {r['jit'][1] * 1e3:9.0f} |")
            sys.stderr.write(rows[-1] + "\n")
    head = ("| kernel   | CPython ns/unit | jit ns/unit | C -O2 ns/unit | jit speed-up vs CPython | "
            "jit / C | jit small run ms (start-up + small size) |\n|---|---:|---:|---:|---:|---:|---:|")
    sys.stdout.write(head + "\n" + "\n".join(rows) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
