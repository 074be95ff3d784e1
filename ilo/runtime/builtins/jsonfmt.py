"""A strict JSON reader/writer that reproduces upstream's observable output.

Upstream goes through serde_json, so parse errors read like ``expected value
at line 1 column 1`` (byte columns), integers and floats stay distinct until
they become ilo numbers (``jpth`` prints ``1`` vs ``1.0``), floats parse with
serde's default multiply/divide-by-power-of-ten method, object keys come out
sorted, and floats print in ryu style (``1e16``, ``1.5e-7``).

Parsed objects are plain ``dict``s here; callers convert to ilo values.
"""

from __future__ import annotations

import math
import re

_POW10 = [float(f"1e{i}") for i in range(309)]
_U64_MAX = 2 ** 64 - 1
_I32_MAX = 2 ** 31 - 1
_SPACES = re.compile(rb"[ \n\t\r]*")
_PLAIN = re.compile(rb'[^"\\\x00-\x1f]*')
_ESCAPES = {ord('"'): '"', ord("\\"): "\\", ord("/"): "/", ord("b"): "\b",
            ord("f"): "\f", ord("n"): "\n", ord("r"): "\r", ord("t"): "\t"}


class JsonError(Exception):
    pass


def _overflows(acc: int, digit: int, limit: int) -> bool:
    return acc >= limit // 10 and (acc > limit // 10 or digit > limit % 10)


class _Reader:
    def __init__(self, text: str):
        self.b = text.encode("utf-8", "surrogatepass")
        self.i = 0
        self.depth = 128

    # ── positions and errors ───────────────────────────────────────────
    def _at(self, idx: int, reason: str) -> JsonError:
        b = self.b
        start = b.rfind(b"\n", 0, idx) + 1
        line = 1 + b.count(b"\n", 0, start)
        return JsonError(f"{reason} at line {line} column {idx - start}")

    def error(self, reason: str) -> JsonError:
        return self._at(self.i, reason)

    def peek_error(self, reason: str) -> JsonError:
        return self._at(min(len(self.b), self.i + 1), reason)

    def peek(self):
        return self.b[self.i] if self.i < len(self.b) else None

    def next(self):
        c = self.peek()
        if c is not None:
            self.i += 1
        return c

    def skip_ws(self):
        self.i = _SPACES.match(self.b, self.i).end()
        return self.peek()

    # ── grammar ─────────────────────────────────────────────────────────
    def document(self):
        v = self.value()
        if self.skip_ws() is not None:
            raise self.peek_error("trailing characters")
        return v

    def value(self):
        c = self.skip_ws()
        if c is None:
            raise self.peek_error("EOF while parsing a value")
        if c == ord("n"):
            self.i += 1
            self.ident(b"ull")
            return None
        if c == ord("t"):
            self.i += 1
            self.ident(b"rue")
            return True
        if c == ord("f"):
            self.i += 1
            self.ident(b"alse")
            return False
        if c == ord("-"):
            self.i += 1
            return self.integer(False)
        if ord("0") <= c <= ord("9"):
            return self.integer(True)
        if c == ord('"'):
            self.i += 1
            return self.string()
        if c == ord("["):
            return self.nested(self.array)
        if c == ord("{"):
            return self.nested(self.obj)
        raise self.peek_error("expected value")

    def nested(self, parse):
        self.depth -= 1
        if self.depth == 0:
            raise self.peek_error("recursion limit exceeded")
        self.i += 1
        v = parse()
        self.depth += 1
        return v

    def ident(self, rest: bytes):
        for expected in rest:
            c = self.next()
            if c is None:
                raise self.error("EOF while parsing a value")
            if c != expected:
                raise self.error("expected ident")

    def next_item(self, first: bool, close: str, what: str):
        """Skip to the next element of a list or object: its first byte, or
        None when ``close`` ends the container."""
        c = self.skip_ws()
        if c is None:
            raise self.peek_error(f"EOF while parsing {what}")
        if c == ord(close):
            self.i += 1
            return None
        if first:
            return c
        if c != ord(","):
            raise self.peek_error(f"expected `,` or `{close}`")
        self.i += 1
        c = self.skip_ws()
        if c == ord(close):
            raise self.peek_error("trailing comma")
        if c is None:
            raise self.peek_error("EOF while parsing a value")
        return c

    def array(self):
        out = []
        while self.next_item(not out, "]", "a list") is not None:
            out.append(self.value())
        return out

    def obj(self):
        out, first = {}, True
        while True:
            c = self.next_item(first, "}", "an object")
            if c is None:
                return out
            first = False
            if c != ord('"'):
                raise self.peek_error("key must be a string")
            self.i += 1
            key = self.string()
            c = self.skip_ws()
            if c is None:
                raise self.peek_error("EOF while parsing an object")
            if c != ord(":"):
                raise self.peek_error("expected `:`")
            self.i += 1
            out[key] = self.value()

    def string(self) -> str:
        parts = []
        b, n = self.b, len(self.b)
        start = self.i
        while True:
            self.i = _PLAIN.match(b, self.i).end()
            if self.i >= n:
                raise self.error("EOF while parsing a string")
            c = b[self.i]
            if c == ord('"'):
                parts.append(b[start:self.i].decode("utf-8", "surrogatepass"))
                self.i += 1
                return "".join(parts)
            if c < 0x20:
                self.i += 1
                raise self.error("control character (\\u0000-\\u001F) found while parsing a string")
            if c == ord("\\"):
                parts.append(b[start:self.i].decode("utf-8", "surrogatepass"))
                self.i += 1
                parts.append(self.escape())
                start = self.i
                continue
            self.i += 1

    def hex4(self) -> int:
        if self.i + 4 > len(self.b):
            self.i = len(self.b)
            raise self.error("EOF while parsing a string")
        val = 0
        for _ in range(4):
            c = self.b[self.i]
            self.i += 1
            d = int(chr(c), 16) if chr(c) in "0123456789abcdefABCDEF" else None
            if d is None:
                raise self.error("invalid escape")
            val = val * 16 + d
        return val

    def escape(self) -> str:
        c = self.next()
        if c is None:
            raise self.error("EOF while parsing a string")
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c != ord("u"):
            raise self.error("invalid escape")
        cp = self.hex4()
        if 0xDC00 <= cp <= 0xDFFF:
            raise self.error("lone leading surrogate in hex escape")
        if 0xD800 <= cp <= 0xDBFF:
            if self.b[self.i:self.i + 2] != b"\\u":
                self.i = min(len(self.b), self.i + 1)
                raise self.error("unexpected end of hex escape")
            self.i += 2
            low = self.hex4()
            if not 0xDC00 <= low <= 0xDFFF:
                raise self.error("lone leading surrogate in hex escape")
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
        return chr(cp)

    # ── numbers (serde_json's default, non-roundtrip algorithm) ─────────
    def peek_digit(self):
        c = self.peek()
        return c - 48 if c is not None and 48 <= c <= 57 else None

    def integer(self, positive: bool):
        c = self.next()
        if c is None:
            raise self.error("EOF while parsing a value")
        if c == ord("0"):
            if self.peek_digit() is not None:
                raise self.peek_error("invalid number")
            return self.number(positive, 0)
        if not 49 <= c <= 57:
            raise self.error("invalid number")
        sig = c - 48
        while (d := self.peek_digit()) is not None:
            if _overflows(sig, d, _U64_MAX):
                return self.long_integer(positive, sig)
            self.i += 1
            sig = sig * 10 + d
        return self.number(positive, sig)

    def number(self, positive: bool, sig: int):
        c = self.peek()
        if c == ord("."):
            return self.decimal(positive, sig, 0)
        if c in (ord("e"), ord("E")):
            return self.exponent(positive, sig, 0)
        if positive:
            return sig
        if sig == 0:
            return -0.0
        return -sig if sig <= 2 ** 63 else -float(sig)

    def long_integer(self, positive: bool, sig: int):
        exp = 0
        while True:
            c = self.peek()
            if c is not None and 48 <= c <= 57:
                self.i += 1
                exp += 1
            elif c == ord("."):
                return self.decimal(positive, sig, exp)
            elif c in (ord("e"), ord("E")):
                return self.exponent(positive, sig, exp)
            else:
                return self.from_parts(positive, sig, exp)

    def decimal(self, positive: bool, sig: int, exp_before: int):
        self.i += 1
        after = 0
        while (d := self.peek_digit()) is not None:
            if _overflows(sig, d, _U64_MAX):
                while self.peek_digit() is not None:
                    self.i += 1
                return self.tail(positive, sig, exp_before + after)
            self.i += 1
            sig = sig * 10 + d
            after -= 1
        if after == 0:
            if self.peek() is None:
                raise self.peek_error("EOF while parsing a value")
            raise self.peek_error("invalid number")
        return self.tail(positive, sig, exp_before + after)

    def tail(self, positive, sig, exp):
        if self.peek() in (ord("e"), ord("E")):
            return self.exponent(positive, sig, exp)
        return self.from_parts(positive, sig, exp)

    def exponent(self, positive: bool, sig: int, start: int):
        self.i += 1
        pos_exp = True
        if self.peek() == ord("+"):
            self.i += 1
        elif self.peek() == ord("-"):
            self.i += 1
            pos_exp = False
        c = self.next()
        if c is None:
            raise self.error("EOF while parsing a value")
        if not 48 <= c <= 57:
            raise self.error("invalid number")
        exp = c - 48
        while (d := self.peek_digit()) is not None:
            self.i += 1
            if _overflows(exp, d, _I32_MAX):
                if sig != 0 and pos_exp:
                    raise self.error("number out of range")
                while self.peek_digit() is not None:
                    self.i += 1
                return 0.0 if positive else -0.0
            exp = exp * 10 + d
        final = start + exp if pos_exp else start - exp
        return self.from_parts(positive, sig, final)

    def from_parts(self, positive: bool, sig: int, exp: int) -> float:
        f = float(sig)
        while True:
            if abs(exp) < len(_POW10):
                if exp >= 0:
                    f *= _POW10[exp]
                    if math.isinf(f):
                        raise self.error("number out of range")
                else:
                    f /= _POW10[-exp]
                break
            if f == 0.0:
                break
            if exp >= 0:
                raise self.error("number out of range")
            f /= 1e308
            exp += 308
        return f if positive else -f


def parse(text: str):
    """Parse JSON text; raises :class:`JsonError` with serde_json's message."""
    return _Reader(text).document()


# ── writing ──────────────────────────────────────────────────────────────

def ryu(x: float) -> str:
    """Shortest round-trip float text in ryu's layout (``1.0``, ``1e16``, ``1.5e-7``)."""
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    mantissa, _, e = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    exp = (int(e) if e else 0) - len(frac)
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    digits = stripped
    n = len(digits)
    kk = n + exp
    if 0 <= exp and kk <= 16:
        body = digits + "0" * exp + ".0"
    elif 0 < kk <= 16:
        body = digits[:kk] + "." + digits[kk:]
    elif -5 < kk <= 0:
        body = "0." + "0" * (-kk) + digits
    elif n == 1:
        body = f"{digits}e{kk - 1}"
    else:
        body = f"{digits[0]}.{digits[1:]}e{kk - 1}"
    return sign + body


def _quote_json(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x20:
            short = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(o)
            out.append(short or f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


try:
    # CPython's C encoder escapes exactly the same characters the same way
    # (quote, backslash, the five short forms, other controls as \u00xx)
    from _json import encode_basestring as quote_json
except ImportError:  # pragma: no cover -- other Pythons
    quote_json = _quote_json


def dumps(v) -> str:
    """Compact serialisation of a parsed tree (dict/list/str/int/float/bool/None)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return ryu(v) if math.isfinite(v) else "null"
    if isinstance(v, str):
        return quote_json(v)
    if isinstance(v, list):
        return "[" + ",".join(dumps(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(f"{quote_json(k)}:{dumps(v[k])}" for k in sorted(v)) + "}"
    raise TypeError(f"cannot serialise {type(v).__name__}")
