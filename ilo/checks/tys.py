"""The verifier's view of types: AST type tuples plus "unknown" and "nil".

Types are the tuples of ``ilo.syntax.ast`` (``("n",)``, ``("L", T)``,
``("R", OK, ERR)``...). ``UNK`` (written ``_``) is what inference could not
decide; it is compatible with everything, which is what keeps the verifier
from rejecting programs it does not understand. ``NIL`` is the type of the
literal ``nil``.
"""

from __future__ import annotations

from functools import lru_cache

from ilo.syntax import ast as A

UNK = ("_",)
NIL = ("nil",)
NUM, TEXT, BOOL = ("n",), ("t",), ("b",)
BUILTIN_TYPE_NAMES = ("n", "t", "b", "L", "R", "O", "M", "S", "F", "_")


def show(t) -> str:
    return "nil" if t == NIL else A.type_str(t)


def resolve(t, aliases: dict, types: dict):
    """A declared type with aliases expanded and type variables made unknown."""
    if t is None:
        return UNK
    k = t[0]
    if k == "named":
        name = t[1]
        if name in aliases:
            return aliases[name]
        if name in types:
            return t
        return UNK  # a type variable (or an unknown name, reported as T003 elsewhere)
    if k in ("L", "O"):
        return (k, resolve(t[1], aliases, types))
    if k in ("R", "M"):
        return (k, resolve(t[1], aliases, types), resolve(t[2], aliases, types))
    if k == "F":
        return ("F", tuple(resolve(p, aliases, types) for p in t[1]), resolve(t[2], aliases, types))
    return t


def compatible(a, b) -> bool:
    """Could a value of type ``b`` be used where ``a`` is expected (or vice versa)?"""
    if a == UNK or b == UNK:
        return True
    ka, kb = a[0], b[0]
    if ka == "O" or kb == "O":
        if NIL in (a, b):
            return True
        return compatible(a[1] if ka == "O" else a, b[1] if kb == "O" else b)
    if "S" in (ka, kb):
        return {ka, kb} <= {"S", "t"} and (ka != kb or a == b)
    if ka != kb:
        return False
    if ka in ("L", "R", "M"):
        return all(compatible(x, y) for x, y in zip(a[1:], b[1:]))
    if ka == "F":
        return len(a[1]) == len(b[1]) and all(compatible(x, y) for x, y in zip(a[1], b[1])) \
            and compatible(a[2], b[2])
    return a == b


def kind(t) -> str | None:
    """The definite outer shape of a type, or None when it could be several.

    Optionals and unknowns are None: the value may still turn out to fit.
    Sum types are text at run time."""
    if t == UNK or t[0] == "O":
        return None
    if t[0] == "S":
        return "t"
    if t[0] == "named":
        return "record"
    return t[0]


def join(a, b):
    """The one type two bindings of a name share, else unknown."""
    return a if a == b else UNK


@lru_cache(maxsize=None)
def parse_type_text(text: str):
    """Type tuple for the signature text a builtin registers (``"L (L n)"``, ``"F _ b"``)."""
    tokens = text.replace("(", " ( ").replace(")", " ) ").split()
    t, rest = _parse(tokens)
    return t if not rest else UNK


def _parse(tokens):
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        t, rest = _parse(rest)
        return t, rest[1:]
    if head in ("n", "t", "b"):
        return (head,), rest
    if head in ("L", "O"):
        inner, rest = _parse(rest)
        return (head, inner), rest
    if head in ("R", "M"):
        a, rest = _parse(rest)
        b, rest = _parse(rest)
        return (head, a, b), rest
    if head == "F":
        parts = []
        while rest and rest[0] != ")":
            p, rest = _parse(rest)
            parts.append(p)
        return ("F", tuple(parts[:-1]), parts[-1]), rest
    return UNK, rest
