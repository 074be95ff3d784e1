"""JSON builtins: ``jpar`` (parse), ``jdmp`` (compact dump), ``jpth`` (path lookup).

Objects parse into ``Record("json", ...)`` with fields in sorted key order
(upstream's map type is ordered by key); ``jdmp`` writes keys sorted too.
Integral numbers below 1e15 dump without ``.0``; NaN/inf dump as ``null``.
"""

from __future__ import annotations

import math
import re
from operator import attrgetter, itemgetter

from ilo.runtime.values import Err, FnVal, IloMap, Ok, Record

from . import jsonfmt
from ._core import builtin, debug, fail


def to_ilo(v):
    """Parsed JSON tree → ilo value (numbers become float, objects records)."""
    if isinstance(v, dict):
        return Record("json", {k: to_ilo(v[k]) for k in sorted(v)})
    if isinstance(v, list):
        return [to_ilo(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def from_ilo(v):
    """ilo value → JSON tree for dumping (mirrors upstream's conversion)."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, float):
        if math.isfinite(v) and v == math.floor(v) and abs(v) < 1e15:
            return int(v)
        return v if math.isfinite(v) else None
    if isinstance(v, IloMap):
        return {str(k): from_ilo(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_ilo(x) for x in v]
    if isinstance(v, Record):
        return {k: from_ilo(x) for k, x in v.fields.items()}
    if isinstance(v, (Ok, Err)):
        return from_ilo(v.value)
    if isinstance(v, FnVal):
        return f"<closure:{v.name}>" if v.captures else f"<fn:{v.name}>"
    return str(v)


class _NeedsRyu(Exception):
    """A float whose ryu text differs from ``repr`` (tiny, huge or not finite)."""


def _plain(v):
    """``from_ilo`` for the C encoder: floats kept only where ``repr`` and ryu agree.

    Python's ``repr`` and ryu both give the shortest round-trip digits, and
    both write them positionally for 1e-4 <= |x| < 1e16, so there the text
    is the same; any other non-integral float raises ``_NeedsRyu``."""
    t = type(v)
    if t is float:
        if -1e15 < v < 1e15 and v.is_integer():
            return int(v)
        if 1e-4 <= abs(v) < 1e16:
            return v
        raise _NeedsRyu
    if t is str or v is None or t is bool:
        return v
    if t is list:
        return [_plain(x) for x in v]
    if t is Record:
        out = {}
        for k, x in v.fields.items():      # text and whole numbers inline: records are hot
            t = type(x)
            if t is str:
                out[k] = x
            elif t is float and -1e15 < x < 1e15 and x.is_integer():
                out[k] = int(x)
            else:
                out[k] = _plain(x)
        return out
    if t is IloMap:
        return {str(k): _plain(x) for k, x in v.items()}
    if t is Ok or t is Err:
        return _plain(v.value)
    return from_ilo(v)     # closures and anything else: text, as from_ilo writes it


_encode = None


def dump(v) -> str:
    """Compact JSON with sorted keys.

    A record, or a list of records (the usual agent report), is written with
    its type's template (:func:`_record_text`); the rest goes to CPython's C
    encoder when every float prints the same in ``repr`` as in ryu's layout,
    and to :mod:`jsonfmt` otherwise."""
    t = type(v)
    if t is list and v and type(v[0]) is Record:
        text = _table_text(v)
        return text if text is not None else "[" + ",".join(map(_record_text, v)) + "]"
    if t is Record:
        return _record_text(v)
    return _dump_tree(v)


def _dump_tree(v) -> str:
    global _encode
    try:
        tree = _plain(v)
    except _NeedsRyu:
        return jsonfmt.dumps(from_ilo(v))
    if _encode is None:
        import json
        _encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                                   check_circular=False, allow_nan=False).encode
    return _encode(tree)


#: declared record type -> (its field names in sorted order, a %-template of
#: the record's JSON text with one ``%s`` per field value)
_TEMPLATES: dict = {}


def _layout(r: Record) -> tuple:
    fields = r.fields
    layout = _TEMPLATES.get(r.type_name)
    if layout is None or len(layout[0]) != len(fields):
        keys = sorted(fields)
        layout = (keys, "{" + ",".join(jsonfmt.quote_json(k).replace("%", "%%") + ":%s" for k in keys) + "}")
        _TEMPLATES[r.type_name] = layout
    return layout


_FIELDS = attrgetter("fields")
#: what ``quote_json`` changes in a text: quotes, backslashes, control characters
_ESCAPED = re.compile(r'["\\\x00-\x1f]')


def _table_text(rows: list) -> str | None:
    """A list of records with the same field names, every field text or a
    whole number, written column by column (each column converted by one
    C-level ``map``); None when the list is anything else.

    The records' type names are not compared: JSON does not show them, and
    rows with the same keys give the same text whatever their type."""
    try:
        fields = list(map(_FIELDS, rows))
    except AttributeError:                        # not every element is a record
        return None
    keys = sorted(fields[0])
    if not keys or set(map(len, fields)) != {len(keys)}:
        return None
    columns, parts = [], []
    try:
        for k in keys:
            column = list(map(itemgetter(k), fields))
            kinds = set(map(type, column))
            if kinds == {str}:
                if _ESCAPED.search("".join(column)):
                    columns.append(list(map(jsonfmt.quote_json, column)))
                    parts.append("%s")
                else:                             # nothing to escape: the quotes go in the template
                    columns.append(column)
                    parts.append('"%s"')
            elif kinds == {float} and all(map(float.is_integer, column)) \
                    and -1e15 < min(column) and max(column) < 1e15:
                columns.append(column)            # `%d` writes a whole float as its integer
                parts.append("%d")
            else:
                return None
    except KeyError:                              # a record with other field names
        return None
    template = "{" + ",".join(jsonfmt.quote_json(k).replace("%", "%%") + ":" + part
                              for k, part in zip(keys, parts)) + "}"
    # the row values in one flat tuple (slice assignment interleaves the
    # columns in C), then one `%` over the whole list
    width = len(columns)
    flat = [None] * (width * len(rows))
    for i, column in enumerate(columns):
        flat[i::width] = column
    return "[" + ",".join([template] * len(rows)) % tuple(flat) + "]"


def _record_text(r) -> str:
    """A record whose fields are text and whole numbers, through its type's
    template; anything else through :func:`_dump_tree`."""
    if type(r) is not Record or r.type_name == "json":     # jpar objects vary in their keys
        return _dump_tree(r)
    fields = r.fields
    layout = _layout(r)
    values = []
    try:
        for k in layout[0]:
            x = fields[k]
            t = type(x)
            if t is str:
                values.append(jsonfmt.quote_json(x))
            elif t is float and -1e15 < x < 1e15 and x.is_integer():
                values.append(str(int(x)))
            else:
                return _dump_tree(r)
    except KeyError:                              # as many fields as the template, other names
        return _dump_tree(r)
    return layout[1] % tuple(values)


def parse_result(text: str):
    """``Ok(value)`` or ``Err(serde-style message)``."""
    try:
        return Ok(to_ilo(jsonfmt.parse(text)))
    except jsonfmt.JsonError as e:
        return Err(str(e))


@builtin("jpar", 1, ret="R _ t", params=("t",), parse=1)
def jpar(ctx, args):
    if not isinstance(args[0], str):
        fail(f"jpar requires text, got {debug(args[0])}")
    return parse_result(args[0])


@builtin("jdmp", 1, ret="t", params=("_",), parse=1)
def jdmp(ctx, args):
    return dump(args[0])


_INDEX = re.compile(r"\+?[0-9]+\Z")


@builtin("jpth", 2, ret="R t t", params=("t", "t"), parse=2)
def jpth(ctx, args):
    text, path = args
    if not (isinstance(text, str) and isinstance(path, str)):
        fail("jpth requires two text args")
    try:
        cur = jsonfmt.parse(text)
    except jsonfmt.JsonError as e:
        return Err(str(e))
    for key in path.split("."):
        if _INDEX.match(key) and int(key) < 2 ** 64:
            idx = int(key)
            found = isinstance(cur, list) and idx < len(cur)
            cur = cur[idx] if found else None
        else:
            found = isinstance(cur, dict) and key in cur
            cur = cur[key] if found else None
        if not found:
            return Err(f"key not found: {key}")
    return Ok(cur if isinstance(cur, str) else jsonfmt.dumps(cur))
