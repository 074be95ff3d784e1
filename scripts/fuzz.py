#!/usr/bin/env python3
"""A long hostile-input run (ilo/tools/fuzz.py): `scripts/fuzz.py [N] [SEED]`
tries N mutated programs on every engine plus N mangled command lines and
prints how many inputs it tried and every problem found (exit 1 if any)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ilo.tools.fuzz import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
