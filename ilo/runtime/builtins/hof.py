"""Higher-order builtins over lists.

``map``/``flt``/``ct`` accept an optional ctx value (``map fn ctx xs`` calls
``fn item ctx``); ``fld`` likewise (``fld fn ctx xs init`` calls
``fn acc item ctx``). The other HOFs take exactly ``fn xs``. Predicates must
return a real bool (truthiness is not enough), matching upstream.
"""

from __future__ import annotations

import math

from ilo.runtime.values import Err, IloMap, Ok, format_number

from ._core import as_fn, builtin, debug, fail, is_num, scalar_key


def _list(name: str, v, which: str = "list arg must be a list"):
    if not isinstance(v, list):
        fail(f"{name}: {which}, got {debug(v)}")
    return v


def _setup(name: str, args, base: int, which: str = "list arg must be a list"):
    """Return (fn, extra-args tuple, list) for ``fn [ctx] xs`` shapes."""
    fn = as_fn(args[0], name)
    if len(args) > base:
        return fn, (args[1],), _list(name, args[2], which)
    return fn, (), _list(name, args[1], which)


def _pred(name: str, result) -> bool:
    if result is True or result is False:
        return result
    fail(f"{name}: predicate must return bool, got {debug(result)}")


HOF = dict(fn_slots=(0,))


@builtin("map", (2, 3), ret="L _", params=("F _ _", "_", "L _"), parse=2, **HOF)
def map_(ctx, args):
    fn, extra, items = _setup("map", args, 2)
    return [ctx.call(fn, [item, *extra]) for item in items]


@builtin("flt", (2, 3), ret="L _", params=("F _ b", "_", "L _"), parse=2, **HOF)
def flt(ctx, args):
    fn, extra, items = _setup("flt", args, 2)
    return [item for item in items if _pred("flt", ctx.call(fn, [item, *extra]))]


@builtin("ct", (2, 3), ret="n", params=("F _ b", "_", "L _"), parse=2, **HOF)
def ct(ctx, args):
    fn, extra, items = _setup("ct", args, 2)
    return float(sum(1 for item in items if _pred("ct", ctx.call(fn, [item, *extra]))))


@builtin("fld", (3, 4), ret="_", params=("F _ _ _", "_", "L _", "_"), parse=3, **HOF)
def fld(ctx, args):
    fn = as_fn(args[0], "fld")
    if len(args) == 4:
        extra, items, acc = (args[1],), args[2], args[3]
    else:
        extra, items, acc = (), args[1], args[2]
    _list("fld", items)
    for item in items:
        acc = ctx.call(fn, [acc, item, *extra])
    return acc


@builtin("partition", 2, ret="L (L _)", params=("F _ b", "L _"), parse=2, **HOF)
def partition(ctx, args):
    fn, _, items = _setup("partition", args, 2, "second arg must be a list")
    yes, no = [], []
    for item in items:
        (yes if _pred("partition", ctx.call(fn, [item])) else no).append(item)
    return [yes, no]


@builtin("flatmap", 2, ret="L _", params=("F _ (L _)", "L _"), parse=2, **HOF)
def flatmap(ctx, args):
    fn, _, items = _setup("flatmap", args, 2, "second arg must be a list")
    out = []
    for item in items:
        got = ctx.call(fn, [item])
        if not isinstance(got, list):
            fail(f"flatmap: function must return a list, got {debug(got)}")
        out.extend(got)
    return out


@builtin("mapr", 2, ret="R (L _) _", params=("F _ (R _ _)", "L _"), parse=2, **HOF)
def mapr(ctx, args):
    fn, _, items = _setup("mapr", args, 2)
    out = []
    for item in items:
        got = ctx.call(fn, [item])
        if isinstance(got, Ok):
            out.append(got.value)
        elif isinstance(got, Err):
            return got
        else:
            fail(f"mapr: fn must return a Result (~v or ^e), got {debug(got)}")
    return Ok(out)


@builtin("uniqby", 2, ret="L _", params=("F _ _", "L _"), parse=2, **HOF)
def uniqby(ctx, args):
    fn, _, items = _setup("uniqby", args, 2, "second arg must be a list")
    seen, out = set(), []
    for item in items:
        key = scalar_key(
            ctx.call(fn, [item]),
            lambda o: f"uniqby: key function must return a string, number, or bool, got {debug(o)}",
        )
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def group_key(op: str, v, what: str):
    """Map key for ``grp``/``frq``: text stays, numbers floor to int, bools become text."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if is_num(v):
        if not math.isfinite(v):
            fail(f"{op}: numeric {what} must be finite, got {format_number(v)}")
        return math.floor(v)
    if isinstance(v, str):
        return v
    return None


@builtin("grp", 2, ret="M _ (L _)", params=("F _ _", "L _"), parse=2, **HOF)
def grp(ctx, args):
    fn, _, items = _setup("grp", args, 2, "second arg must be a list")
    groups = IloMap()
    for item in items:
        got = ctx.call(fn, [item])
        key = group_key("grp", got, "key")
        if key is None:
            fail(f"grp: key function must return a string, number, or bool, got {debug(got)}")
        groups.setdefault(key, []).append(item)
    return groups
