"""``ilo test`` speed and safety: forked workers vs one process per case.

Runs the whole shared conformance corpus on one engine twice, in one go:
with the worker pool (``-j 2``) and with one ``python -m ilo`` process per case
(``--process-per-case -j 2``), and prints both times, the ratio and whether
every case got the same verdict both ways.  Then it adds three runaway cases
(an infinite loop, an output flood, a long C-level sort that holds the GIL)
and runs corpus + runaways on every engine (``--engine all``), printing when
each runaway was reported against its window.

    python bench/test_runner.py [--engine tree] [--corpus DIR] [--skip-slow]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "conformance" / "upstream"

RUNAWAYS = {
    "loop.ilo": "main>n;i=0;wh true{i=+i 1};i\n-- run: main\n-- out: 1\n",
    "flood.ilo": 'main>n;wh true{prnt "flood"};0\n-- run: main\n-- out: 1\n',
    "csort.ilo": 'main>n;s="bca";@i 0..22{s=+s s};xs=chars s;wh true{ys=srt xs};0\n'
                 "-- run: main\n-- out: 1\n",
}


def ilo_test(*args: str, timeout: float = 3600) -> tuple[float, list[dict], str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "ilo", "test", "--json", *args], env=env,
                       capture_output=True, text=True, timeout=timeout)
    wall = time.monotonic() - t
    rows = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    return wall, rows, p.stderr


def verdicts(rows: list[dict]) -> dict:
    return {(r["id"], r["engine"]): r["status"] for r in rows if r.get("type") == "case"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engine", default="tree")
    ap.add_argument("--corpus", default=str(CORPUS))
    ap.add_argument("--skip-slow", action="store_true", help="skip the process-per-case run")
    ap.add_argument("--case-timeout", default="2", help="for the runaway run")
    opts = ap.parse_args()

    pool_wall, pool_rows, _ = ilo_test("-j", "2", "--engine", opts.engine, opts.corpus)
    pv = verdicts(pool_rows)
    sys.stdout.write(f"corpus, {len(pv)} cases on {opts.engine}, 2 workers\n")
    sys.stdout.write(f"  forked worker pool      {pool_wall:7.1f} s  "
                     f"{len(pv) / pool_wall:6.1f} cases/s\n")
    if not opts.skip_slow:
        proc_wall, proc_rows, _ = ilo_test("-j", "2", "--process-per-case", "--engine",
                                           opts.engine, opts.corpus)
        qv = verdicts(proc_rows)
        same = sum(pv.get(k) == v for k, v in qv.items())
        sys.stdout.write(f"  one process per case    {proc_wall:7.1f} s  "
                         f"{len(qv) / proc_wall:6.1f} cases/s\n")
        sys.stdout.write(f"  speed-up                {proc_wall / pool_wall:7.1f} x\n")
        sys.stdout.write(f"  same verdict            {same}/{len(qv)}\n")

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in RUNAWAYS.items():
            Path(tmp, name).write_text(text)
        wall, rows, _ = ilo_test("-j", "2", "--engine", "all", "--case-timeout",
                                 opts.case_timeout, opts.corpus, tmp)
        cases = [r for r in rows if r.get("type") == "case"]
        summary = rows[-1] if rows else {}
        sys.stdout.write(f"corpus + 3 runaways, --engine all, --case-timeout "
                         f"{opts.case_timeout}: {len(cases)} results in {wall:.1f} s, "
                         f"{summary.get('passed')} passed, {summary.get('failed')} failed\n")
        window = float(opts.case_timeout)
        for r in cases:
            if r["file"].endswith(tuple(RUNAWAYS)) and tmp in str(Path(r["file"]).resolve()):
                code = next((json.loads(x)["error"]["code"] for x in r["stderr"].splitlines()
                             if x.startswith("{")), "?") if r["stderr"] else "?"
                ok = r["ms"] / 1000 <= window * 8 + 1
                sys.stdout.write(f"  {Path(r['file']).name:<10} [{r['engine']}] {r['status']:<5}"
                                 f" {code}  reported after {r['ms'] / 1000:.1f} s "
                                 f"({'within' if ok else 'PAST'} its window + 1 s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
