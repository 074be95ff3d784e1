#!/usr/bin/env python3
"""Run the runtime guard's adversarial audit (ilo/tools/guard_audit.py)
against every engine that exists: one line per hole and engine."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from ilo.tools.guard_audit import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
