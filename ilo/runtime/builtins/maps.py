"""Map builtins. Maps are persistent: ``mset``/``mdel`` return new maps.

Keys are text or integers (number keys floor; non-finite keys fail), and
``mkeys``/``mvals`` follow key order: integer keys first, then text.
"""

from __future__ import annotations

from ilo.runtime.values import IloMap, key_to_value, map_sorted_items, to_map_key

from ._core import builtin, fail


def _map(v, message: str) -> IloMap:
    if not isinstance(v, IloMap):
        fail(message)
    return v


@builtin("mmap", 0, ret="M t _")
def mmap(ctx, args):
    return IloMap()


@builtin("mget", 2, ret="O _", params=("M _ _", "_"), parse=2)
def mget(ctx, args):
    m = _map(args[0], "mget: expects map and key")
    return m.get(to_map_key(args[1], "mget"))


@builtin("mset", 3, ret="M _ _", params=("M _ _", "_", "_"), parse=3)
def mset(ctx, args):
    m = _map(args[0], "mset: expects map, key, and value")
    out = IloMap(m)
    out[to_map_key(args[1], "mset")] = args[2]
    return out


@builtin("mhas", 2, ret="b", params=("M _ _", "_"), parse=2)
def mhas(ctx, args):
    m = _map(args[0], "mhas: expects map and key")
    return to_map_key(args[1], "mhas") in m


@builtin("mkeys", 1, ret="L _", params=("M _ _",), parse=1)
def mkeys(ctx, args):
    m = _map(args[0], "mkeys: expects a map")
    return [key_to_value(k) for k, _ in map_sorted_items(m)]


@builtin("mvals", 1, ret="L _", params=("M _ _",), parse=1)
def mvals(ctx, args):
    m = _map(args[0], "mvals: expects a map")
    return [v for _, v in map_sorted_items(m)]


@builtin("mdel", 2, ret="M _ _", params=("M _ _", "_"), parse=2)
def mdel(ctx, args):
    m = _map(args[0], "mdel: expects map and key")
    key = to_map_key(args[1], "mdel")
    out = IloMap(m)
    out.pop(key, None)
    return out
