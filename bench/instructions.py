"""Machine instructions per unit of a ../shared/bench kernel, per engine,
counted by valgrind (callgrind): a figure no other load on the machine
disturbs, for comparing two versions of an engine where wall-clock times
move by ±20%.

Usage (from the project root)::

    .venv/bin/python bench/instructions.py [--kernels mixed,string] [--n 1000]

Each engine runs the kernel in a fresh process at n and at 2n (hash seed
fixed, so dict and set layouts repeat); the count per unit is the
difference over n, so start-up and compilation cancel. Instructions are not
time (cache misses cost no instructions), so the ratio here runs higher
than the wall-clock one of ``bench/vm_speed.py`` on kernels that allocate.
Prints nothing but a note when valgrind is not installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("ILO_BENCH_DIR", ROOT.parent / "shared" / "bench"))

RUN = """
import sys
sys.path.insert(0, {root!r})
from ilo import api
engine = api.make_engine(api.load_program(open({path!r}).read(), {path!r}), {engine!r})
engine.run({func!r}, [float(sys.argv[1])])
"""


def count(script: str, n: int) -> int:
    """Instructions one process takes to run ``script`` at size n."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          sys.executable, script, str(n)],
                         capture_output=True, text=True, env=env, check=True)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError("valgrind printed no instruction count:\n" + out.stderr[-2000:])
    return int(found.group(1))


def per_unit(kernel: str, func: str, engine: str, n: int) -> float:
    path = BENCH / f"{kernel}.ilo"
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(RUN.format(root=str(ROOT), path=str(path), engine=engine, func=func))
    try:
        subprocess.run([sys.executable, f.name, "2"], check=True)   # bytecode caches warm
        return (count(f.name, 2 * n) - count(f.name, n)) / n
    finally:
        os.unlink(f.name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernels", default="mixed,string")
    ap.add_argument("--engines", default="tree,vm")
    ap.add_argument("--n", type=int, default=1000)
    opts = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("bench/instructions.py: valgrind is not installed; nothing measured")
        return 0
    funcs = dict(line.split()[:2] for line in (BENCH / "args.txt").read_text().splitlines()
                 if len(line.split()) == 3)
    engines = opts.engines.split(",")
    print(f"{'kernel':<9}" + "".join(f"{e + ' Ir':>12}" for e in engines)
          + (f"{'tree/vm':>9}" if {"tree", "vm"} <= set(engines) else ""))
    for kernel in opts.kernels.split(","):
        if kernel == "recurse":     # its unit count is not linear in n
            print(f"{kernel:<9}  (not linear in n: see bench/vm_speed.py)")
            continue
        ir = {e: per_unit(kernel, funcs[kernel], e, opts.n) for e in engines}
        ratio = f"{ir['tree'] / ir['vm']:>9.2f}" if "tree" in ir and "vm" in ir else ""
        print(f"{kernel:<9}" + "".join(f"{ir[e]:>12.0f}" for e in engines) + ratio, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
