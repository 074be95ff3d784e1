"""The builtin library: one registry every engine and the verifier consult.

``BUILTINS`` maps canonical names to :class:`BuiltinSpec`; ``ALIASES`` maps
the long forms (``floor``, ``length``, ``filter`` …) to canonical names.
Implementations live in short themed modules that register themselves when
imported below. Each ``fn(ctx, args)`` receives already-evaluated arguments;
``ctx`` supplies ``call(fnval, args)`` for callbacks and ``write_stdout``.
"""

from __future__ import annotations

from . import (  # noqa: F401  (imported for their registrations)
    hof, http, io, json_, linalg, maps, math_, regex, seq, sorting, stats, text, time_,
)
from ._core import REGISTRY, BuiltinSpec

BUILTINS: dict[str, BuiltinSpec] = REGISTRY

ALIASES: dict[str, str] = {
    "floor": "flr", "ceil": "cel", "round": "rou", "random": "rnd",
    "string": "str", "number": "num",
    "length": "len", "head": "hd", "tail": "tl", "reverse": "rev", "sort": "srt",
    "slice": "slc", "lset": "lst", "unique": "unq", "filter": "flt", "fold": "fld",
    "flatten": "flat", "concat": "cat", "contains": "has", "group": "grp",
    "average": "avg", "print": "prnt", "trim": "trm", "split": "spl",
    "format": "fmt", "regex": "rgx", "regex_all": "rgxall", "regex_sub": "rgxsub",
    "read": "rd", "readlines": "rdl", "readbuf": "rdb", "write": "wr", "writelines": "wrl",
}


def canonical(name: str) -> str | None:
    """Canonical builtin name for ``name`` (resolving aliases), or None."""
    name = ALIASES.get(name, name)
    return name if name in BUILTINS else None


def lookup(name: str) -> BuiltinSpec | None:
    """The spec for a builtin name or long-form alias; None for anything else."""
    canon = canonical(name)
    return BUILTINS[canon] if canon else None


def is_builtin(name: str) -> bool:
    return canonical(name) is not None


def call(name: str, ctx, args: list):
    """Invoke a builtin by (possibly aliased) name after checking the arity."""
    spec = lookup(name)
    if spec is None:
        raise KeyError(name)
    if spec.arities is not None and len(args) not in spec.arities:
        from ilo.diagnostics.errors import IloRuntimeError

        raise IloRuntimeError(
            "ILO-R009",
            f"{spec.name}: expected {_arity_text(spec.arities)} args, got {len(args)}",
        )
    return spec.fn(ctx, list(args))


def _arity_text(arities: tuple[int, ...]) -> str:
    return " or ".join(str(a) for a in arities)


__all__ = ["ALIASES", "BUILTINS", "BuiltinSpec", "call", "canonical", "is_builtin", "lookup"]
