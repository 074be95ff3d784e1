"""``srt`` / ``rsrt``: natural order, by key function, and the ctx-arg form.

Forms: ``srt xs`` (all numbers or all text; text sorts its chars),
``srt fn xs`` and ``srt fn ctx xs`` (``fn item ctx`` gives the key). Sorts
are stable; NaN and mixed-type keys compare as equal, as upstream's
comparator treats them.
"""

from __future__ import annotations

from functools import cmp_to_key

from ._core import as_fn, builtin, debug, fail, is_num


def _cmp_keys(a, b) -> int:
    if is_num(a) and is_num(b):
        return -1 if a < b else (1 if a > b else 0)
    if isinstance(a, str) and isinstance(b, str):
        return -1 if a < b else (1 if a > b else 0)
    return 0


def _natural(name: str, v, descending: bool):
    if isinstance(v, str):
        return "".join(sorted(v, reverse=descending))
    if not isinstance(v, list):
        fail(f"{name} requires a list or text, got {debug(v)}")
    if not v:
        return []
    if all(is_num(x) for x in v):
        if any(x != x for x in v):
            key = cmp_to_key(_cmp_keys)
            return sorted(v, key=key, reverse=descending)
        return sorted(v, reverse=descending)
    if all(isinstance(x, str) for x in v):
        return sorted(v, reverse=descending)
    fail(f"{name}: list must contain all numbers or all text")


def _by_key(name: str, ctx, args, descending: bool):
    fn = as_fn(args[0], name, "key arg must be a function reference")
    extra = (args[1],) if len(args) == 3 else ()
    items = args[-1]
    if not isinstance(items, list):
        fail(f"{name}: list arg must be a list, got {debug(items)}")
    keyed = [(ctx.call(fn, [item, *extra]), item) for item in items]
    sign = -1 if descending else 1
    keyed.sort(key=cmp_to_key(lambda p, q: sign * _cmp_keys(p[0], q[0])))
    return [item for _, item in keyed]


def _register(name: str, descending: bool):
    def impl(ctx, args):
        if len(args) == 1:
            return _natural(name, args[0], descending)
        return _by_key(name, ctx, args, descending)

    builtin(name, (1, 2, 3), ret="_", params=("_", "_", "L _"), parse=2, fn_slots=(0,))(impl)


_register("srt", False)
_register("rsrt", True)
