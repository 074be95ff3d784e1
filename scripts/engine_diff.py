"""Differential check of the engines on mutated corpus programs.

Each corpus program is mutated in ways that keep it parseable more often
than not (a comparison or arithmetic operator swapped for another, a
number literal nudged), then every ``-- run:`` case of the file runs on
each engine through the real CLI. Stdout, stderr and the exit code must be
the same on every engine; a difference is printed with the mutant, so it
can be turned into a test. Usage::

    .venv/bin/python scripts/engine_diff.py [--mutants 3] [--seed 1] [--limit 0]

Exit status 1 when any difference was found.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ilo import api  # noqa: E402
from ilo.tools import annotations, fuzz  # noqa: E402

CORPUS = ROOT.parent / "shared" / "conformance" / "upstream"
ENGINES = api.available_engines()
GUARD = ["--max-runtime", "3", "--max-memory", "400", "--max-output-bytes", "100000"]
SWAPS = {"<": ["<=", ">", ">="], "<=": ["<", ">="], ">": [">=", "<"], ">=": [">", "<="],
         "+": ["-", "*"], "-": ["+"], "*": ["+", "/"], "/": ["*"], "=": ["!="], "!=": ["="]}
#: an operator in prefix position: at the start of a line or after ; { ( or space
OPERATOR = re.compile(r"(?<=[;{( \n])(<=|>=|!=|<|>|\+|-|\*|/|=)(?= ?[a-z0-9(\"])")
NUMBER = re.compile(r"(?<![a-z0-9.])([0-9]+)(?![0-9.a-z])")


def mutants(src: str, count: int, rng: random.Random) -> list[str]:
    """Up to ``count`` programs differing from ``src`` in one or two places."""
    code_lines = [i for i, line in enumerate(src.split("\n")) if not line.lstrip().startswith("--")]
    out = []
    for _ in range(count * 4):
        if len(out) >= count:
            break
        lines = src.split("\n")
        for _ in range(rng.choice((1, 1, 2))):
            i = rng.choice(code_lines) if code_lines else 0
            line = lines[i]
            sites = [("op", m) for m in OPERATOR.finditer(line)] + [("num", m) for m in NUMBER.finditer(line)]
            if not sites:
                continue
            kind, m = rng.choice(sites)
            if kind == "op":
                new = rng.choice(SWAPS[m.group(1)])
            else:
                new = str(max(0, int(m.group(1)) + rng.choice((-1, 1, 0))) if rng.random() < .8 else "0")
            lines[i] = line[:m.start(1)] + new + line[m.end(1):]
        text = "\n".join(lines)
        if text != src and text not in out:
            out.append(text)
    return out


#: guard stops: where the timer found the program differs from run to run
TIMED_STOP = re.compile(r'"code":"(ILO-R016|ILO-R601|ILO-R602)"')


def outcome(path: Path, engine: str, args: tuple[str, ...], cwd: str):
    o = fuzz.run_cli(["--engine", engine, *GUARD, str(path), *args], timeout=20, cwd=cwd)
    stop = TIMED_STOP.search(o.stderr)
    if stop:
        return o.code, b"", stop.group(1)       # the output before a timed stop depends on timing too
    err = re.sub(r'"(elapsed_ms|engine|rss_mb)":("[a-z]+"|[0-9.]+)', "", o.stderr)
    return o.code, o.stdout, err


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mutants", type=int, default=3, help="mutants per corpus file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="files to take (0: all)")
    ap.add_argument("--corpus", default=str(CORPUS))
    opts = ap.parse_args(argv)
    rng = random.Random(opts.seed)
    files = annotations.discover_files(opts.corpus)
    if opts.limit:
        files = rng.sample(files, min(opts.limit, len(files)))
    runs = diffs = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            parsed = annotations.parse_file(path)
            src = annotations.read_source(path)
            cases = [c for c in parsed.cases if not any(c.skipped_on(e) for e in ENGINES)]
            for k, text in enumerate(mutants(src, opts.mutants, rng)):
                try:
                    api.load_program(text, str(path))
                except Exception:  # noqa: BLE001 -- a mutant the checks refuse says nothing about engines
                    continue
                mutant = Path(tmp) / f"m{k}_{path.name}"
                mutant.write_text(text)
                for case in cases:
                    seen = {e: outcome(mutant, e, case.args, str(path.parent)) for e in ENGINES}
                    runs += 1
                    if len({v for v in seen.values()}) > 1:
                        diffs += 1
                        sys.stdout.write(f"DIFF {path.name} args={' '.join(case.args)!r}\n--- mutant:\n{text}\n")
                        for e, (code, out, err) in seen.items():
                            sys.stdout.write(f"  [{e}] exit {code} stdout {out[:200]!r} stderr {err[:300]!r}\n")
    sys.stdout.write(f"{runs} mutant runs on {', '.join(ENGINES)}: {diffs} with differing results\n")
    return 1 if diffs else 0


if __name__ == "__main__":
    raise SystemExit(main())
