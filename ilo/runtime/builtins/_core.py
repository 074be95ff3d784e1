"""Shared plumbing for builtin modules: registration, argument checks, errors.

Builtins register themselves with :func:`builtin`; ``__init__`` imports every
themed module so the registry is complete once the package is imported.
Upstream reports every bad builtin argument as ``ILO-R009``; the helpers here
keep that uniform so each builtin body stays short.
"""

from __future__ import annotations

import math

from ilo.plain import plain
from ilo.diagnostics.errors import IloRuntimeError
from ilo.runtime.values import (
    Err, FnVal, IloMap, Ok, Record, format_number,
)

BAD_ARG = "ILO-R009"


@plain(frozen=True)
class BuiltinSpec:
    """What engines, parser and verifier need to know about one builtin.

    ``arities`` lists accepted argument counts (None: variadic, ``fmt``);
    ``parse_arity`` is upstream's parser table entry used for arity-directed
    call parsing (None where upstream has none); ``fn_slots`` are argument
    positions holding a function value; ``ret``/``params`` are ilo type text;
    ``unary`` (see :func:`unary`) is a one-argument fast entry, or None.
    """

    name: str
    fn: Callable
    arities: tuple[int, ...] | None
    parse_arity: int | None
    fn_slots: tuple[int, ...]
    ret: str
    params: tuple[str, ...] = ()
    unary: Callable | None = None


REGISTRY: dict[str, BuiltinSpec] = {}


def builtin(name: str, arities, *, ret: str, params: tuple[str, ...] = (),
            parse: int | None = None, fn_slots: tuple[int, ...] = ()):
    """Register ``fn(ctx, args)`` as builtin ``name``.

    ``params`` describe the longest accepted form; positions whose type
    differs between forms are ``_``. ``parse`` mirrors upstream's parser
    arity table (None where upstream leaves the builtin out)."""
    if isinstance(arities, int):
        arities = (arities,)

    def deco(fn):
        if name in REGISTRY:
            raise RuntimeError(f"builtin {name} registered twice")
        REGISTRY[name] = BuiltinSpec(name, fn, arities, parse, tuple(fn_slots), ret, tuple(params))
        return fn

    return deco


def unary(name: str):
    """Register ``f(value)`` as builtin ``name``'s one-argument fast entry.

    It must give the builtin's result and errors for every value, needs no
    context and calls no ilo function; the VM calls it directly (no argument
    list, no context) on the hot path of `str i` in a loop."""
    def deco(f):
        REGISTRY[name] = REGISTRY[name].replace(unary=f)
        return f

    return deco


# ── errors and value descriptions ──────────────────────────────────────────

def fail(message: str, code: str = BAD_ARG, hint: str | None = None):
    raise IloRuntimeError(code, message, hint=hint)


def debug(v) -> str:
    """Rust-``Debug``-like description of a value, as upstream error texts show it."""
    if v is None:
        return "Nil"
    if isinstance(v, bool):
        return f"Bool({'true' if v else 'false'})"
    if isinstance(v, float):
        from .jsonfmt import ryu  # Rust's Debug float layout is ryu's

        return f"Number({ryu(v) if math.isfinite(v) else format_number(v)})"
    if isinstance(v, str):
        return f"Text({quote(v)})"
    if isinstance(v, IloMap):
        return "Map({" + ", ".join(f"{debug_key(k)}: {debug(x)}" for k, x in v.items()) + "})"
    if isinstance(v, list):
        return "List([" + ", ".join(debug(x) for x in v) + "])"
    if isinstance(v, Record):
        inner = ", ".join(f"{quote(k)}: {debug(x)}" for k, x in v.fields.items())
        return f"Record {{ type_name: {quote(v.type_name)}, fields: {{{inner}}} }}"
    if isinstance(v, Ok):
        return f"Ok({debug(v.value)})"
    if isinstance(v, Err):
        return f"Err({debug(v.value)})"
    if isinstance(v, FnVal):
        if v.captures:
            caps = ", ".join(debug(c) for c in v.captures)
            return f"Closure {{ fn_name: {quote(v.name)}, captures: [{caps}] }}"
        return f"FnRef({quote(v.name)})"
    return repr(v)


def debug_key(k) -> str:
    return f"Int({k})" if isinstance(k, int) else f"Text({quote(k)})"


def quote(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# ── argument checks ─────────────────────────────────────────────────────────

def is_num(v) -> bool:
    return isinstance(v, float) and not isinstance(v, bool)


def want_list(v, message: str) -> list:
    if not isinstance(v, list):
        fail(message)
    return v


def is_integral(x: float) -> bool:
    """Rust's ``x.fract() == 0.0``: false for NaN and infinities."""
    return math.isfinite(x) and x == math.floor(x)


I64_MIN = -(2 ** 63)
I64_MAX = 2 ** 63 - 1


def as_i64(x: float) -> int:
    """Rust ``x as i64``: truncate toward zero, saturate, NaN becomes 0."""
    if x != x:
        return 0
    if x >= 9.223372036854775807e18:
        return I64_MAX
    if x <= -9.223372036854775808e18:
        return I64_MIN
    return int(x)


def floor_i64(x: float) -> int:
    """Rust ``x.floor() as i64`` (float index flooring used by ``at``)."""
    if not math.isfinite(x):
        return as_i64(x)
    return as_i64(float(math.floor(x)))


def rs_min(a: float, b: float) -> float:
    """Rust ``f64::min``: a NaN operand yields the other operand."""
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b


def rs_max(a: float, b: float) -> float:
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


def fsum_seq(xs) -> float:
    """Left-to-right float sum (``sum()`` is compensated on newer Pythons)."""
    total = 0.0
    for x in xs:
        total += x
    return total


# ── function values ─────────────────────────────────────────────────────────

def as_fn(v, op: str, what: str = "first arg must be a function reference"):
    """Accept a function value, or a text naming a function (CLI-passed names)."""
    if isinstance(v, FnVal):
        return v
    if isinstance(v, str):
        return FnVal(v)
    fail(f"{op}: {what}, got {debug(v)}")


WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def rust_lines(text: str) -> list[str]:
    """Rust ``str::lines``: split on ``\\n``, drop one trailing ``\\r`` per line,
    no empty final line for a trailing newline."""
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


def utf8_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


def value_key(v):
    """Hashable key that is equal exactly when ``values_equal`` holds (NaN never equal)."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, float):
        return ("n", v) if v == v else ("nan", object())
    if isinstance(v, str):
        return ("t", v)
    if v is None:
        return ("nil",)
    if isinstance(v, IloMap):
        return ("M", frozenset((k, value_key(x)) for k, x in v.items()))
    if isinstance(v, list):
        return ("L", tuple(value_key(x) for x in v))
    if isinstance(v, Record):
        return ("R", v.type_name, frozenset((k, value_key(x)) for k, x in v.fields.items()))
    if isinstance(v, Ok):
        return ("ok", value_key(v.value))
    if isinstance(v, Err):
        return ("err", value_key(v.value))
    if isinstance(v, FnVal):
        return ("F", v.name, tuple(value_key(c) for c in v.captures))
    return ("?", id(v))


def scalar_key(v, message_for):
    """Type-tagged text key for t/n/b values (uniqby and set ops); others fail."""
    if isinstance(v, bool):
        return "b:" + ("true" if v else "false")
    if isinstance(v, float):
        return "n:" + format_number(v)
    if isinstance(v, str):
        return "t:" + v
    fail(message_for(v))
