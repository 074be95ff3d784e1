"""Aggregates over numeric lists, plus ``frq``.

Sums run strictly left to right (no compensated summation) so results match
upstream bit for bit. ``median``/``quantile``/``stdev``/``variance`` return
NaN when any input is NaN; ``stdev``/``variance`` are sample statistics
(N-1) and need two samples.
"""

from __future__ import annotations

import math

from ilo.runtime.values import IloMap

from ._core import builtin, debug, fail, fsum_seq, is_num, want_list
from .hof import group_key


def _nums(name: str, v, *, arg: str = "arg", empty: str | None = None) -> list[float]:
    items = want_list(v, f"{name}: {arg} must be a list, got {debug(v)}")
    if empty is not None and not items:
        fail(f"{name}: {empty}")
    for item in items:
        if not is_num(item):
            fail(f"{name}: list elements must be numbers, got {debug(item)}")
    return items


@builtin("sum", 1, ret="n", params=("L n",), parse=1)
def sum_(ctx, args):
    return fsum_seq(_nums("sum", args[0]))


@builtin("avg", 1, ret="n", params=("L n",), parse=1)
def avg(ctx, args):
    xs = _nums("avg", args[0], empty="cannot average an empty list")
    return fsum_seq(xs) / len(xs)


@builtin("cumsum", 1, ret="L n", params=("L n",))
def cumsum(ctx, args):
    out, total = [], 0.0
    for x in _nums("cumsum", args[0]):
        total += x
        out.append(total)
    return out


@builtin("median", 1, ret="n", params=("L n",))
def median(ctx, args):
    xs = _nums("median", args[0], empty="cannot take median of an empty list")
    if any(x != x for x in xs):
        return math.nan
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2.0


@builtin("quantile", 2, ret="n", params=("L n", "n"))
def quantile(ctx, args):
    v, p = args
    want_list(v, f"quantile: first arg must be a list, got {debug(v)}")
    if not is_num(p):
        fail(f"quantile: second arg p must be a number, got {debug(p)}")
    xs = _nums("quantile", v, arg="first arg", empty="cannot take quantile of an empty list")
    if any(x != x for x in xs):
        return math.nan
    s = sorted(xs)
    # Rust f64::clamp leaves NaN as NaN.
    p = p if p != p else min(max(p, 0.0), 1.0)
    n = len(s)
    if n == 1:
        return s[0]
    pos = p * (n - 1)
    if pos != pos:
        lo = hi = 0
        frac = pos
    else:
        lo, hi = math.floor(pos), math.ceil(pos)
        frac = pos - lo
    return s[lo] + frac * (s[hi] - s[lo])


def _sse(name: str, v) -> tuple[float, int]:
    xs = _nums(name, v, empty=f"cannot take {name} of an empty list")
    n = len(xs)
    if n == 1:
        fail(f"{name}: at least 2 samples required")
    if any(x != x for x in xs):
        return math.nan, n
    mean = fsum_seq(xs) / n
    return fsum_seq((x - mean) * (x - mean) for x in xs), n


@builtin("variance", 1, ret="n", params=("L n",))
def variance(ctx, args):
    sse, n = _sse("variance", args[0])
    return sse / (n - 1)


@builtin("stdev", 1, ret="n", params=("L n",))
def stdev(ctx, args):
    sse, n = _sse("stdev", args[0])
    v = sse / (n - 1)
    return math.sqrt(v) if v == v and v >= 0 else math.nan


@builtin("frq", 1, ret="M _ n", params=("L _",), parse=1)
def frq(ctx, args):
    items = want_list(args[0], f"frq: arg must be a list, got {debug(args[0])}")
    counts = IloMap()
    for item in items:
        key = group_key("frq", item, "element")
        if key is None:
            fail(f"frq: list elements must be text, number, or bool, got {debug(item)}")
        counts[key] = counts.get(key, 0.0) + 1.0
    return counts
