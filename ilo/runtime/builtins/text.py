"""Text builtins: conversion, splitting/joining, formatting, case and padding.

Semantics follow upstream's Rust string methods: ``num`` accepts exactly
Rust's float grammar (no surrounding whitespace, no ``_``), ``trm`` trims
Unicode White_Space, ``spl`` with an empty separator yields the Rust shape
(leading and trailing empty strings), and widths count code points.
"""

from __future__ import annotations

import math
import re

from ilo.runtime.values import Err, Ok, display, format_number

from ._core import (
    WHITESPACE, builtin, debug, fail, is_integral, is_num, quote, unary,
)

_RUST_FLOAT = re.compile(
    r"[+-]?(?:inf|infinity|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\Z",
    re.IGNORECASE | re.ASCII,
)


def parse_rust_float(s: str) -> float | None:
    """``s.parse::<f64>()``: the whole text must be a float literal."""
    if not _RUST_FLOAT.match(s):
        return None
    return float(s)


@builtin("str", 1, ret="t", params=("n",), parse=1)
def str_(ctx, args):
    v = args[0]
    if type(v) is not float and not is_num(v):
        fail(f"str requires a number, got {debug(v)}")
    return format_number(v)


@unary("str")
def str1(v):
    if type(v) is float and -9.3e18 < v < 9.3e18 and v.is_integer():   # format_number's first case, inline
        return "%d" % v
    return str_(None, [v])


@builtin("num", 1, ret="R n t", params=("t",), parse=1)
def num(ctx, args):
    v = args[0]
    if not isinstance(v, str):
        fail(f"num requires text, got {debug(v)}")
    n = parse_rust_float(v)
    return Err(v) if n is None else Ok(n)


@builtin("trm", 1, ret="t", params=("t",), parse=1)
def trm(ctx, args):
    v = args[0]
    if not isinstance(v, str):
        fail(f"trm requires text, got {debug(v)}")
    return v.strip(WHITESPACE)


def rust_split(s: str, sep: str) -> list[str]:
    if sep:
        return s.split(sep)
    # An empty separator matches at every char boundary, both ends included.
    return [""] + list(s) + [""]


@builtin("spl", 2, ret="L t", params=("t", "t"), parse=2)
def spl(ctx, args):
    s, sep = args
    if not (isinstance(s, str) and isinstance(sep, str)):
        fail("spl requires two text args")
    return rust_split(s, sep)


@builtin("cat", 2, ret="t", params=("L t", "t"), parse=2)
def cat(ctx, args):
    items, sep = args
    if not (isinstance(items, list) and isinstance(sep, str)):
        fail("cat requires a list and text separator")
    for item in items:
        if not isinstance(item, str):
            fail(f"cat: list items must be text, got {debug(item)}")
    return sep.join(items)


@builtin("fmt", None, ret="t", params=("t",))
def fmt(ctx, args):
    if not args:
        fail("fmt: expected a template")
    template = args[0]
    if not isinstance(template, str):
        fail(f"fmt first arg must be text template, got {debug(template)}")
    out = []
    nxt = 1
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == "{" and i + 1 < n and template[i + 1] == "}":
            if nxt < len(args):
                out.append(display(args[nxt]))
                nxt += 1
            else:
                out.append("{}")
            i += 2
            continue
        if c == "{" and i + 1 < n and template[i + 1] == ":":
            close = template.find("}", i)
            spec = template[i:] if close < 0 else template[i:close + 1]
            fail(
                f"fmt only supports bare `{{}}` placeholders, got `{spec}`. "
                "For decimal precision use `fmt \"...{}\" (fmt2 v 2)`; "
                "for width / padding use `padl (str n) 6` (space-pad)."
            )
        out.append(c)
        i += 1
    return "".join(out)


def fixed(x: float, digits: int) -> str:
    """Rust ``format!("{:.N}", x)``: correctly rounded, ties to even."""
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return format(x, f".{digits}f")


@builtin("fmt2", 2, ret="t", params=("n", "n"))
def fmt2(ctx, args):
    x, d = args
    if not (is_num(x) and is_num(d)):
        fail("fmt2 requires two numbers (x, digits)")
    digits = 0 if (not math.isfinite(d) or d <= 0) else min(int(d), 20)
    return fixed(x, digits)


@builtin("chars", 1, ret="L t", params=("t",), parse=1)
def chars(ctx, args):
    s = args[0]
    if not isinstance(s, str):
        fail(f"chars requires text, got {debug(s)}")
    return list(s)


@builtin("ord", 1, ret="n", params=("t",), parse=1)
def ord_(ctx, args):
    s = args[0]
    if not isinstance(s, str):
        fail(f"ord requires text, got {debug(s)}")
    if not s:
        fail("ord requires a non-empty string")
    return float(ord(s[0]))


@builtin("chr", 1, ret="t", params=("n",), parse=1)
def chr_(ctx, args):
    n = args[0]
    if not is_num(n):
        fail(f"chr requires number, got {debug(n)}")
    if not is_integral(n) or n < 0 or n > 4294967295:
        fail(f"chr requires a non-negative integer codepoint, got {format_number(n)}")
    cp = int(n)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        fail(f"chr: {cp} is not a valid Unicode codepoint")
    return chr(cp)


def _case(name: str, op):
    def impl(ctx, args):
        s = args[0]
        if not isinstance(s, str):
            fail(f"{name} requires text, got {debug(s)}")
        return op(s)

    builtin(name, 1, ret="t", params=("t",), parse=1)(impl)


_case("upr", str.upper)
_case("lwr", str.lower)
_case("cap", lambda s: s[:1].upper() + s[1:])


def _pad(name: str, left: bool):
    def impl(ctx, args):
        s, w = args[0], args[1]
        if not isinstance(s, str):
            fail(f"{name} arg 1 requires text, got {debug(s)}")
        if not is_num(w):
            fail(f"{name} arg 2 requires number, got {debug(w)}")
        if not is_integral(w):
            fail(f"{name} width must be a non-negative integer, got {format_number(w)}")
        if w < 0:
            fail(f"{name} width must be non-negative, got {format_number(w)}")
        pad = " "
        if len(args) == 3:
            pc = args[2]
            if not isinstance(pc, str):
                fail(f"{name} pad char must be a 1-character string, got {debug(pc)}")
            if len(pc) != 1:
                fail(f"{name} pad char must be a 1-character string, got {quote(pc)}")
            pad = pc
        missing = int(w) - len(s)
        if missing <= 0:
            return s
        return pad * missing + s if left else s + pad * missing

    builtin(name, (2, 3), ret="t", params=("t", "n", "t"))(impl)


_pad("padl", True)
_pad("padr", False)
