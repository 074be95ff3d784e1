"""Stamp run context onto runtime diagnostics.

A harness reading any ILO-R diagnostic needs to know which engine ran and
how long it ran before failing, the same as the guard's own diagnostics
(which set both themselves; existing keys are never overwritten).
"""

from __future__ import annotations

import functools
import time

from ilo.diagnostics.errors import IloError


def stamp_runtime(err: IloError, engine: str, elapsed_s: float) -> IloError:
    """Add ``engine`` and ``elapsed_ms`` to an ILO-R diagnostic; others pass unchanged."""
    if str(err.code).startswith("ILO-R"):
        err.extra.setdefault("engine", engine)
        err.extra.setdefault("elapsed_ms", int(elapsed_s * 1000))
    return err


def stamped_runs(engine_obj, engine: str):
    """Wrap ``engine_obj.run`` so every runtime error leaving it carries engine and elapsed time."""
    inner = engine_obj.run

    @functools.wraps(inner)
    def run(name, args):
        started = time.monotonic()
        try:
            return inner(name, args)
        except IloError as err:
            raise stamp_runtime(err, engine, time.monotonic() - started)

    engine_obj.run = run
    return engine_obj
