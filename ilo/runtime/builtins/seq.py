"""Builtins shared by lists and text: length, membership, indexing, slicing.

Text is indexed by code point (``at``/``hd``/``slc``/``take``) but ``len``
counts UTF-8 bytes, as upstream does. Negative indices count from the end;
``at`` floors a float index while ``slc``/``take``/``drop`` reject
non-integral counts. Inputs are never mutated.
"""

from __future__ import annotations

from ilo.runtime.values import IloMap, format_number, values_equal

from ._core import (
    as_i64, builtin, debug, fail, floor_i64, is_integral, is_num,
    scalar_key, utf8_len, value_key, want_list,
)


@builtin("len", 1, ret="n", params=("_",), parse=1)
def len_(ctx, args):
    v = args[0]
    if isinstance(v, str):
        return float(utf8_len(v))
    if isinstance(v, (list, IloMap)):
        return float(len(v))
    fail(f"len requires string, list, or map, got {debug(v)}")


@builtin("has", 2, ret="b", params=("_", "_"), parse=2)
def has(ctx, args):
    hay, needle = args
    if isinstance(hay, list):
        return any(values_equal(x, needle) for x in hay)
    if isinstance(hay, str):
        if not isinstance(needle, str):
            fail(f"has: text search requires text needle, got {debug(needle)}")
        return needle in hay
    fail(f"has requires a list or text, got {debug(hay)}")


@builtin("hd", 1, ret="_", params=("_",), parse=1)
def hd(ctx, args):
    v = args[0]
    if isinstance(v, list):
        if not v:
            fail("hd: empty list")
        return v[0]
    if isinstance(v, str):
        if not v:
            fail("hd: empty text")
        return v[0]
    fail(f"hd requires a list or text, got {debug(v)}")


@builtin("tl", 1, ret="_", params=("_",), parse=1)
def tl(ctx, args):
    v = args[0]
    if isinstance(v, list):
        if not v:
            fail("tl: empty list")
        return v[1:]
    if isinstance(v, str):
        if not v:
            fail("tl: empty text")
        return v[1:]
    fail(f"tl requires a list or text, got {debug(v)}")


@builtin("rev", 1, ret="_", params=("_",), parse=1)
def rev(ctx, args):
    v = args[0]
    if isinstance(v, (list, str)):
        return v[::-1]
    fail(f"rev requires a list or text, got {debug(v)}")


@builtin("unq", 1, ret="_", params=("_",), parse=1)
def unq(ctx, args):
    v = args[0]
    if isinstance(v, str):
        return "".join(dict.fromkeys(v))
    if isinstance(v, list):
        seen, out = set(), []
        for item in v:
            k = value_key(item)
            if k not in seen:
                seen.add(k)
                out.append(item)
        return out
    fail(f"unq requires a list or text, got {debug(v)}")


@builtin("at", 2, ret="_", params=("_", "n"), parse=2)
def at(ctx, args):
    xs, raw = args
    if not is_num(raw):
        fail(f"at: index must be a number, got {debug(raw)}")
    i = floor_i64(raw)
    if isinstance(xs, (list, str)):
        n = len(xs)
        j = i + n if i < 0 else i
        if 0 <= j < n:
            return xs[j]
        kind = "text" if isinstance(xs, str) else "list"
        fail(f"at: index {i} out of range for {kind} of length {n}")
    fail(f"at requires a list or text, got {debug(xs)}")


@builtin("lst", 3, ret="L _", params=("L _", "n", "_"))
def lst(ctx, args):
    xs, raw, v = args
    if not is_num(raw):
        fail(f"lst: index must be a number, got {debug(raw)}")
    if raw < 0 or not is_integral(raw):
        fail("lst: index must be a non-negative integer")
    if not isinstance(xs, list):
        fail(f"lst requires a list, got {debug(xs)}")
    idx = int(raw)
    if idx >= len(xs):
        fail(f"lst: index {idx} out of range for list of length {len(xs)}")
    out = list(xs)
    out[idx] = v
    return out


def _int_arg(v, op: str, what: str) -> int:
    if not is_num(v):
        fail(f"{op}: {what} must be a number, got {debug(v)}")
    if not is_integral(v):
        fail(f"{op}: {what} must be an integer")
    return as_i64(v)


def _bound(raw: int, n: int) -> int:
    """Python-style signed slice bound clamped into ``[0, n]``."""
    j = raw + n if raw < 0 else raw
    return max(0, min(j, n))


@builtin("slc", 3, ret="_", params=("_", "n", "n"), parse=3)
def slc(ctx, args):
    xs = args[0]
    a = _int_arg(args[1], "slc", "start index")
    b = _int_arg(args[2], "slc", "end index")
    if not isinstance(xs, (list, str)):
        fail(f"slc requires a list or text, got {debug(xs)}")
    end = _bound(b, len(xs))
    start = min(_bound(a, len(xs)), end)
    return xs[start:end]


def _count(n: int, size: int) -> int:
    return min(n, size) if n >= 0 else max(size + n, 0)


@builtin("take", 2, ret="_", params=("n", "_"))
def take(ctx, args):
    n = _int_arg(args[0], "take", "count")
    xs = args[1]
    if not isinstance(xs, (list, str)):
        fail(f"take requires a list or text, got {debug(xs)}")
    return xs[:_count(n, len(xs))]


@builtin("drop", 2, ret="_", params=("n", "_"))
def drop(ctx, args):
    n = _int_arg(args[0], "drop", "count")
    xs = args[1]
    if not isinstance(xs, (list, str)):
        fail(f"drop requires a list or text, got {debug(xs)}")
    return xs[_count(n, len(xs)):]


@builtin("flat", 1, ret="L _", params=("L _",), parse=1)
def flat(ctx, args):
    items = want_list(args[0], f"flat: arg must be a list, got {debug(args[0])}")
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(item)
        else:
            out.append(item)
    return out


@builtin("zip", 2, ret="L (L _)", params=("L _", "L _"))
def zip_(ctx, args):
    xs = want_list(args[0], f"zip arg 1 requires a list, got {debug(args[0])}")
    ys = want_list(args[1], f"zip arg 2 requires a list, got {debug(args[1])}")
    return [[x, y] for x, y in zip(xs, ys)]


@builtin("enumerate", 1, ret="L (L _)", params=("L _",))
def enumerate_(ctx, args):
    xs = want_list(args[0], f"enumerate requires a list, got {debug(args[0])}")
    return [[float(i), x] for i, x in enumerate(xs)]


@builtin("range", 2, ret="L n", params=("n", "n"))
def range_(ctx, args):
    a, b = args
    if not (is_num(a) and is_num(b)):
        fail("range requires two numbers")
    if not (is_integral(a) and is_integral(b)):
        fail("range: bounds must be integers")
    start, end = int(a), int(b)
    if start >= end:
        return []
    if end - start > 1_000_000:
        fail(f"range too large: {end - start} elements (max 1000000)")
    return [float(i) for i in range(start, end)]


@builtin("chunks", 2, ret="L (L _)", params=("n", "L _"))
def chunks(ctx, args):
    n = args[0]
    if not is_num(n):
        fail(f"chunks: size must be a number, got {debug(n)}")
    if not is_integral(n) or n <= 0:
        fail(f"chunks: size must be a positive integer, got {format_number(n)}")
    xs = want_list(args[1], f"chunks: requires a list, got {debug(args[1])}")
    k = int(n)
    return [xs[i:i + k] for i in range(0, len(xs), k)]


@builtin("window", 2, ret="L (L _)", params=("n", "L _"))
def window(ctx, args):
    n = args[0]
    if not is_num(n):
        fail(f"window: size must be a number, got {debug(n)}")
    if not is_integral(n) or n <= 0:
        fail(f"window: size must be a positive integer, got {format_number(n)}")
    xs = want_list(args[1], f"window arg 2 requires a list, got {debug(args[1])}")
    k = int(n)
    if k > len(xs):
        return []
    return [xs[i:i + k] for i in range(len(xs) - k + 1)]


def _set_op(name: str, combine):
    def impl(ctx, args):
        xs = want_list(args[0], f"{name} arg 1 requires a list, got {debug(args[0])}")
        ys = want_list(args[1], f"{name} arg 2 requires a list, got {debug(args[1])}")

        def first_by_key(items):
            out = {}
            for v in items:
                k = scalar_key(v, lambda o: f"{name}: elements must be text, number, or bool, got {debug(o)}")
                out.setdefault(k, v)
            return out

        a, b = first_by_key(xs), first_by_key(ys)
        merged = dict(b)
        merged.update(a)  # values from the first list win on shared keys
        # Keys sort as text ("n:10" < "n:2"), giving a deterministic order.
        return [merged[k] for k in sorted(combine(a.keys(), b.keys()))]

    builtin(name, 2, ret="L _", params=("L _", "L _"))(impl)


_set_op("setunion", lambda a, b: set(a) | set(b))
_set_op("setinter", lambda a, b: set(a) & set(b))
_set_op("setdiff", lambda a, b: set(a) - set(b))
