"""What the sandbox costs: applying the Landlock ruleset at start-up, and the
Python layer's race-free open on each file read.

Usage: ``.venv/bin/python bench/sandbox_cost.py [--runs 40]``

The ruleset cannot be removed once applied, so each sample forks a child
that times ``kernel.apply`` (ruleset, one rule per allowed path, restrict)
and reports it through a pipe.  The file-read rows compare ``open_read``
with and without a restricting policy in this process (no kernel layer).
Prints the lower quartile, median and 90th percentile of each.  The
start-up target is under 5 ms.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ilo import sandbox  # noqa: E402
from ilo.sandbox import files, kernel  # noqa: E402


def apply_once(policy) -> float:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        t = time.perf_counter()
        kernel.apply(policy)
        os.write(w, struct.pack("d", time.perf_counter() - t))
        os._exit(0)
    os.close(w)
    data = os.read(r, 8)
    os.close(r)
    os.waitpid(pid, 0)
    return struct.unpack("d", data)[0]


def read_once(path: str) -> float:
    t = time.perf_counter()
    os.close(files.open_read("rd", path))
    return time.perf_counter() - t


def quartiles(xs: list[float]) -> str:
    xs = sorted(xs)
    pick = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))] * 1000  # noqa: E731
    return f"{pick(0.25):8.3f} {pick(0.5):8.3f} {pick(0.9):8.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    n = ap.parse_args().runs
    print(f"{'ms (p25 median p90)':32} {'p25':>8} {'median':>8} {'p90':>8}")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.txt")
        Path(path).write_text("x")
        closed = sandbox.from_flags({"--allow-read": d, "--allow-write": d})
        if kernel.available():
            apply_once(closed)
            print(f"{'Landlock ruleset applied':32} {quartiles([apply_once(closed) for _ in range(n)])}"
                  f"   (ABI {kernel.abi()}, target < 5 ms)")
        else:
            print(f"Landlock unavailable: {kernel.why_unavailable()}")
        plain, checked = [], []
        for _ in range(n):                       # interleaved rounds: same machine noise
            sandbox.enter(sandbox.Policy(), forked=False)
            plain.append(read_once(path))
            sandbox.enter(closed, forked=False)
            checked.append(read_once(path))
        sandbox.enter(sandbox.Policy(), forked=False)
        print(f"{'open for rd, no policy':32} {quartiles(plain)}")
        print(f"{'open for rd, --allow-read':32} {quartiles(checked)}   "
              f"(x{sorted(checked)[n // 2] / sorted(plain)[n // 2]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
