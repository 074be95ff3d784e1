"""Runtime values shared by every engine.

One representation for all engines so output is byte-identical:

=========  =====================================================
ilo        Python
=========  =====================================================
``n``      ``float`` (always float, never int or bool)
``t``      ``str``
``b``      ``bool``
nil        ``None``
``L a``    ``list`` (treated as immutable by the language)
``M k v``  :class:`IloMap` (keys are ``int`` or ``str``)
record     :class:`Record`
``R``      :class:`Ok` / :class:`Err`
function   :class:`FnVal` (named function, optional captures)
=========  =====================================================
"""

from __future__ import annotations

import math


class Ok:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Ok) and values_equal(self.value, other.value)

    def __hash__(self):
        return hash(("ok", repr(self.value)))

    def __repr__(self):
        return f"Ok({self.value!r})"


class Err:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Err) and values_equal(self.value, other.value)

    def __hash__(self):
        return hash(("err", repr(self.value)))

    def __repr__(self):
        return f"Err({self.value!r})"


class Record:
    """A record value; ``type_name`` is the declared type (``json`` for jpar objects)."""

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: dict):
        self.type_name = type_name
        self.fields = fields

    def __eq__(self, other):
        return (
            isinstance(other, Record)
            and self.type_name == other.type_name
            and self.fields.keys() == other.fields.keys()
            and all(values_equal(v, other.fields[k]) for k, v in self.fields.items())
        )

    __hash__ = None

    def __repr__(self):
        return f"Record({self.type_name!r}, {self.fields!r})"


class IloMap(dict):
    """A map value. Keys are ``str`` (text) or ``int`` (numbers, floored)."""

    __slots__ = ()


class FnVal:
    """A function used as a value: a declared/lifted function name plus captures.

    Captured values are appended after the call's own arguments, so a lifted
    lambda's parameter list is ``[own params..., captured names...]``.
    """

    __slots__ = ("name", "captures")

    def __init__(self, name: str, captures: tuple = ()):
        self.name = name
        self.captures = tuple(captures)

    def __eq__(self, other):
        return isinstance(other, FnVal) and self.name == other.name and self.captures == other.captures

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"FnVal({self.name!r})"


def type_name(v) -> str:
    """Short ilo type name of a runtime value, for diagnostics."""
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "b"
    if isinstance(v, float):
        return "n"
    if isinstance(v, str):
        return "t"
    if isinstance(v, list):
        return "L"
    if isinstance(v, IloMap):
        return "M"
    if isinstance(v, Record):
        return v.type_name
    if isinstance(v, Ok):
        return "~ok"
    if isinstance(v, Err):
        return "^err"
    if isinstance(v, FnVal):
        return "F"
    return type(v).__name__


def values_equal(a, b) -> bool:
    """Structural equality that never confuses bool with number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, float) and isinstance(b, float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, IloMap):
        return a.keys() == b.keys() and all(values_equal(v, b[k]) for k, v in a.items())
    return a == b


def truthy(v) -> bool:
    """Truthiness for ``&``, ``|``, ``!`` and conditions: false, nil, 0, "" and [] are false.

    Maps, records, results and functions are always true."""
    if v is None or v is False:
        return False
    if v is True:
        return True
    if isinstance(v, float):
        return v != 0.0
    if isinstance(v, (str, list)) and not isinstance(v, IloMap):
        return len(v) > 0
    return True


def format_number(n: float) -> str:
    """Integral values print without ``.0``; others in shortest round-trip
    positional form (never exponent form)."""
    if type(n) is float and -9.3e18 < n < 9.3e18 and n.is_integer():   # the common case first
        return "%d" % n                 # the float's integer, without making an int first
    if n != n:
        return "NaN"
    if n == math.inf:
        return "inf"
    if n == -math.inf:
        return "-inf"
    if n == int(n) and abs(n) < 9.3e18:
        return str(int(n))
    from decimal import Decimal

    text = format(Decimal(repr(n)), "f")
    return text


def map_sorted_items(m: IloMap):
    """Items in key order: integer keys first (numerically), then text keys."""
    return sorted(m.items(), key=lambda kv: (isinstance(kv[0], str), kv[0]))


def display(v) -> str:
    """The text a value prints as (``prnt``, the final value, ``str`` of a list)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_number(v)
    if v is None:
        return "nil"
    if isinstance(v, list):
        return "[" + ", ".join(display(x) for x in v) + "]"
    if isinstance(v, IloMap):
        return "{" + "; ".join(f"{k}: {display(x)}" for k, x in map_sorted_items(v)) + "}"
    if isinstance(v, Record):
        inner = ", ".join(f"{k}: {display(x)}" for k, x in v.fields.items())
        return f"{v.type_name} {{{inner}}}"
    if isinstance(v, Ok):
        return "~" + display(v.value)
    if isinstance(v, Err):
        return "^" + display(v.value)
    if isinstance(v, FnVal):
        if v.captures:
            return f"<closure:{v.name}[" + ", ".join(display(c) for c in v.captures) + "]>"
        return f"<fn:{v.name}>"
    if isinstance(v, int):  # defensive: an int leaked from a builtin
        return format_number(float(v))
    return str(v)


def to_map_key(v, op: str):
    """Normalise a value into a map key (text stays text, numbers floor to int)."""
    from ilo.diagnostics.errors import IloRuntimeError

    if isinstance(v, str):
        return v
    if isinstance(v, float) and not isinstance(v, bool):
        if not math.isfinite(v):
            raise IloRuntimeError("ILO-R009", f"{op}: numeric key must be finite, got {format_number(v)}")
        return math.floor(v)
    raise IloRuntimeError("ILO-R009", f"{op}: key must be text or number, got {type_name(v)}")


def key_to_value(k):
    return float(k) if isinstance(k, int) else k
