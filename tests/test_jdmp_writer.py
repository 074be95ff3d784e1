"""jdmp's fast paths (record templates, CPython's C encoder) write exactly
what the reference writer writes: ``jsonfmt.dumps(from_ilo(v))``."""

from __future__ import annotations

import math
import random

import pytest

from ilo.runtime.builtins import json_, jsonfmt
from ilo.runtime.values import Err, FnVal, IloMap, Ok, Record

FLOATS = (0.0, -0.0, math.nan, math.inf, -math.inf, 1e15, 1e16, 1e-4, 1e-5, 9.999e15, 0.0001, 1.23e16,
          0.1, 2.5, -7.0, 1e20, 123456789.125)
TEXTS = ("", 'a"b', "é\n\t\\", "\x01\x1f", "snow☃", "x", "%s", "100%")


def value(rng: random.Random, depth: int = 0):
    k = rng.randrange(10 if depth < 4 else 4)
    if k in (0, 3):
        return rng.choice((rng.choice(FLOATS), float(rng.randint(-10**6, 10**6)), rng.uniform(-1e6, 1e6),
                           10 ** rng.uniform(-12, 25) * rng.choice((1, -1))))
    if k == 1:
        return rng.choice(TEXTS)
    if k == 2:
        return rng.choice((True, False, None))
    if k == 4:
        return [value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if k == 5:   # one type name with differing field sets: the template cache must notice
        return Record(rng.choice(("t", "u", "json")),
                      {rng.choice(("b", "a", "z", "%")): value(rng, depth + 1) for _ in range(rng.randrange(4))})
    if k == 6:
        return IloMap({rng.choice(("k", "a", 3, 10, "3")): value(rng, depth + 1) for _ in range(rng.randrange(4))})
    if k == 7:
        return rng.choice((Ok, Err))(value(rng, depth + 1))
    if k == 8:   # a list of records of one type, as reports are (whole numbers: the columnar path)
        whole = rng.random() < 0.6
        rows = [Record("row", {"name": rng.choice(TEXTS),
                               "val": float(rng.choice((0, -0.0, 7, -3, 10**15 - 1, -10**15 + 1, 10**15)))
                               if whole else rng.choice(FLOATS)})
                for _ in range(rng.randrange(1, 5))]
        return rows + rng.choice(([], [], [1.0], [Record("row", {"x": 1.0, "y": "b"})],
                                  [Record("other", {"name": "a", "val": 1.0})], [Record("row", {"name": "a"})]))
    return FnVal("f", rng.choice(((), (1.0,))))


@pytest.mark.parametrize("seed", range(4))
def test_fast_paths_write_what_the_reference_writes(seed):
    rng = random.Random(seed)
    for _ in range(2000):
        v = value(rng)
        assert json_.dump(v) == jsonfmt.dumps(json_.from_ilo(v)), repr(v)
