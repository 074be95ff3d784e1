"""Numeric builtins with IEEE results where Python's ``math`` would raise.

Upstream computes with Rust ``f64`` methods, which return NaN/inf instead of
failing (``sqrt -1`` is NaN, ``log 0`` is -inf); the wrappers below restore
that so programs see the same values.
"""

from __future__ import annotations

import math

from ._core import (
    as_i64, builtin, debug, fail, is_num, rs_max, rs_min, want_list,
)


def _unary(name: str, op, parse: int | None = None):
    def impl(ctx, args):
        x = args[0]
        if not is_num(x):
            fail(f"{name} requires a number, got {debug(x)}")
        return op(x)

    builtin(name, 1, ret="n", params=("n",), parse=parse)(impl)


def _floor(x: float) -> float:
    return float(math.floor(x)) if math.isfinite(x) else x


def _ceil(x: float) -> float:
    return float(math.ceil(x)) if math.isfinite(x) else x


def round_half_away(x: float) -> float:
    """Rust ``f64::round``: ties go away from zero (not banker's rounding)."""
    if not math.isfinite(x):
        return x
    f = math.floor(x)
    diff = x - f
    if diff > 0.5 or (diff == 0.5 and x > 0):
        r = f + 1.0
    else:
        r = float(f)
    if r == 0.0 and math.copysign(1.0, x) < 0:
        return -0.0
    return float(r)


def _domain(fn, bad=math.nan):
    """Wrap a math function so domain errors give NaN (or ``bad``) like libm."""
    def wrapped(x):
        if x != x:
            return x
        try:
            return fn(x)
        except ValueError:
            return bad(x) if callable(bad) else bad
        except OverflowError:
            return math.inf
    return wrapped


def _log_edge(x):
    return -math.inf if x == 0 else math.nan


def _trig(fn):
    def wrapped(x):
        if not math.isfinite(x):
            return math.nan
        return fn(x)
    return wrapped


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


_unary("abs", abs, parse=1)
_unary("flr", _floor, parse=1)
_unary("cel", _ceil, parse=1)
_unary("rou", round_half_away, parse=1)
_unary("sqrt", _domain(math.sqrt), parse=1)
_unary("log", _domain(math.log, _log_edge), parse=1)
_unary("log10", _domain(math.log10, _log_edge))
_unary("log2", _domain(math.log2, _log_edge))
_unary("exp", _exp, parse=1)
_unary("sin", _trig(math.sin), parse=1)
_unary("cos", _trig(math.cos), parse=1)
_unary("tan", _trig(math.tan))
_unary("asin", _domain(math.asin))
_unary("acos", _domain(math.acos))
_unary("atan", math.atan)


def ieee_pow(a: float, b: float) -> float:
    """``powf`` semantics: NaN for negative base with fractional exponent, inf on overflow."""
    try:
        return math.pow(a, b)
    except ValueError:
        if a == 0.0:
            # 0 ** negative: +inf, or -inf for -0 with an odd integral exponent.
            odd = math.isfinite(b) and b == math.floor(b) and math.fmod(b, 2.0) != 0
            return -math.inf if (odd and math.copysign(1.0, a) < 0) else math.inf
        return math.nan
    except OverflowError:
        odd = b == math.floor(b) and math.fmod(b, 2.0) != 0
        return -math.inf if (a < 0 and odd) else math.inf


def _two_nums(name: str, args, message: str):
    a, b = args
    if not (is_num(a) and is_num(b)):
        fail(message)
    return a, b


@builtin("pow", 2, ret="n", params=("n", "n"), parse=2)
def pow_(ctx, args):
    a, b = _two_nums("pow", args, "pow requires two numbers")
    return ieee_pow(a, b)


@builtin("atan2", 2, ret="n", params=("n", "n"))
def atan2(ctx, args):
    y, x = _two_nums("atan2", args, "atan2 requires two numbers")
    return math.atan2(y, x)


@builtin("mod", 2, ret="n", params=("n", "n"), parse=2)
def mod(ctx, args):
    a, b = _two_nums("mod", args, "mod requires two numbers")
    if b == 0.0:
        fail("modulo by zero", code="ILO-R003")
    if math.isinf(a) or a != a or b != b:
        return math.nan
    return math.fmod(a, b)


@builtin("clamp", 3, ret="n", params=("n", "n", "n"))
def clamp(ctx, args):
    x, lo, hi = args
    if not (is_num(x) and is_num(lo) and is_num(hi)):
        fail("clamp requires three numbers")
    # Lower bound wins when lo > hi: max(lo, min(hi, x)).
    return rs_max(rs_min(x, hi), lo)


def _min_max(name: str, pick):
    def impl(ctx, args):
        if len(args) == 2:
            a, b = _two_nums(name, args, f"{name} requires two numbers")
            return pick(a, b)
        items = want_list(args[0], f"{name}: arg must be a list, got {debug(args[0])}")
        if not items:
            fail(f"{name}: cannot take {name} of an empty list")
        best = None
        for item in items:
            if not is_num(item):
                fail(f"{name}: list elements must be numbers, got {debug(item)}")
            if item != item:
                return math.nan
            best = item if best is None else pick(best, item)
        return best

    builtin(name, (1, 2), ret="n", params=("_", "_"), parse=2)(impl)


_min_max("min", rs_min)
_min_max("max", rs_max)


@builtin("rnd", (0, 2), ret="n", params=("n", "n"))
def rnd(ctx, args):
    import random

    if not args:
        return random.random()
    a, b = _two_nums("rnd", args, "rnd requires two numbers")
    lo, hi = as_i64(a), as_i64(b)
    if lo > hi:
        fail(f"rnd: lower bound {lo} > upper bound {hi}")
    return float(random.randint(lo, hi))


def box_muller(mu: float, sigma: float) -> float:
    import random

    if sigma == 0.0:
        return mu
    u1 = random.random()
    while u1 <= 2.2250738585072014e-308:
        u1 = random.random()
    u2 = random.random()
    z = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
    return mu + sigma * z


@builtin("rndn", 2, ret="n", params=("n", "n"))
def rndn(ctx, args):
    mu, sigma = _two_nums("rndn", args, "rndn requires two numbers")
    return box_muller(mu, sigma)
