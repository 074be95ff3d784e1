"""Operator and pattern semantics shared by every engine.

The tree engine calls these directly; the bytecode VM and the JIT's
fallback paths call the same functions, so `+`, `=`, `!`, `!!` and match
arms behave identically everywhere.
"""

from __future__ import annotations

import operator
import sys

from ilo.diagnostics.errors import IloRuntimeError
from ilo.runtime.values import Err, IloMap, Ok, display, to_map_key, type_name, values_equal


ORDER = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le}


class Propagate(Exception):
    """`f! x` met an Err or nil: the enclosing function returns it as is."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def unwrap(result, mode: str):
    """`!` (propagate) and `!!` (abort) on a call's result; other values pass through."""
    if isinstance(result, Ok):
        return result.value
    if mode == "!":
        if isinstance(result, Err) or result is None:
            raise Propagate(result)
        return result
    if isinstance(result, Err):
        raise IloRuntimeError("ILO-R026", f"panic-unwrap: {display(result.value)}",
                              hint="`!!` aborts on Err; use `!` to propagate or `?{~v:..;^e:..}` to handle it")
    if result is None:
        raise IloRuntimeError("ILO-R026", "panic-unwrap: expected value, got nil",
                              hint="`!!` aborts on nil; use `??x default` to supply a fallback")
    return result


def unwrap_on_value_error(name: str, value, mode: str) -> IloRuntimeError:
    """`x!` on a local that holds a value: `!`/`!!` only unwrap what a call
    returns (upstream's verifier rejects it as ILO-T034)."""
    return IloRuntimeError(
        "ILO-R004",
        f"'{mode}' is the auto-unwrap operator and only applies to function "
        f"calls; '{name}' is a {type_name(value)} value",
        hint=f"match it instead: `?{name}{{~v:v;^e:^e}}`, or put the `!` on the "
             f"call that produced it")


def key_order(k):
    """Map keys in iteration order: numbers first, then text."""
    return (isinstance(k, str), k)


def missing_field(name, rec):
    """ILO-R005 for ``rec.name`` on every engine: the fields there are in the
    hint, the closest one as the diagnostic's ``suggestion``."""
    from ilo.diagnostics.suggest import with_suggestion

    return with_suggestion(IloRuntimeError(
        "ILO-R005", f"no field '{name}' on record {rec.type_name}",
        hint=f"fields are: {', '.join(rec.fields) or '(none)'}; use `.?{name}` for an optional "
             "field"), name, rec.fields)


def match_pattern(pat, value):
    """None when the arm does not match, else () or (name, value) to bind."""
    kind = pat.kind
    if kind == "wild":
        return ("_", value)
    if kind == "ok":
        return (pat.binding, value.value) if isinstance(value, Ok) else None
    if kind == "err":
        return (pat.binding, value.value) if isinstance(value, Err) else None
    if kind == "lit":
        return () if values_equal(pat.value, value) else None
    if kind == "type":
        letter = pat.value
        ok = (letter == "n" and isinstance(value, float) and not isinstance(value, bool)) or \
             (letter == "t" and isinstance(value, str)) or \
             (letter == "b" and isinstance(value, bool)) or \
             (letter == "l" and isinstance(value, list))
        return (pat.binding, value) if ok else None
    return None


def binop(op, a, b):
    """Arithmetic, concatenation, comparison and append: shared by every engine."""
    fa = type(a) is float
    fb = type(b) is float
    if fa and fb:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            if b == 0.0:
                raise IloRuntimeError("ILO-R003", "division by zero",
                                      hint="guard the divisor first: `=d 0 0` before `/n d`")
            return a / b
        cmp = ORDER.get(op)
        if cmp is not None:
            return cmp(a, b)
    if op == "=":
        return values_equal(a, b)
    if op == "!=":
        return not values_equal(a, b)
    ta, tb = type(a) is str, type(b) is str
    if ta and tb:
        if op == "+":
            return a + b
        cmp = ORDER.get(op)
        if cmp is not None:
            return cmp(a, b)
    if op == "+" and isinstance(a, list) and isinstance(b, list):
        return a + b
    if op == "+=" and isinstance(a, list):
        return a + [b]
    hint = None
    if op == "+" and (ta or tb):
        hint = "convert numbers to text with `str n` before joining"
    raise IloRuntimeError("ILO-R004", f"unsupported operation: {op} on {type_name(a)} and {type_name(b)}",
                          hint=hint)


# ---- updating a variable that is the only holder of its value ----
#
# `s=+s t`, `xs=+=xs v` and `m=mset m k v` rebinding the only reference may
# update in place: nothing else can observe the old value, so the result is
# the one a copy would give, in amortised O(appended) instead of O(n).  Each
# engine passes the container holding the variable (a frame dict, a register
# list) and its key; the refcount tells whether anything else shares it.

#: references a sole-owned value has inside these helpers: the holder's slot,
#: the local ``cur``, getrefcount's own argument
SOLE_OWNER = 3


def concat_into(holder, key, right) -> None:
    """``holder[key] = +holder[key] right``; text grows in place when sole-owned.

    CPython resizes a string in place for ``cur += right`` when the local is
    its only reference, so the slot is emptied first."""
    cur = holder[key]
    if type(cur) is str and type(right) is str:
        holder[key] = None
        cur += right
        holder[key] = cur
        return
    holder[key] = binop("+", cur, right)


def append_into(holder, key, item) -> None:
    """``holder[key] = +=holder[key] item``; the list grows in place when sole-owned."""
    cur = holder[key]
    if type(cur) is not list:
        holder[key] = binop("+=", cur, item)
    elif sys.getrefcount(cur) <= SOLE_OWNER:
        cur.append(item)
    else:
        holder[key] = cur + [item]


def mset_into(holder, key, k, v) -> bool:
    """``holder[key] = mset holder[key] k v`` for a map (False when it is not one)."""
    cur = holder[key]
    if type(cur) is not IloMap:
        return False
    mk = to_map_key(k, "mset")
    if sys.getrefcount(cur) <= SOLE_OWNER:
        cur[mk] = v
    else:
        new = IloMap(cur)
        new[mk] = v
        holder[key] = new
    return True
