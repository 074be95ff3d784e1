"""Checks on declared types: aliases (T030, T031) and unknown type names (T003).

Runs before the function bodies are looked at, so a signature naming a type
that does not exist is reported where it is written. A single lowercase
letter other than n, t, b is a type variable and always allowed.
"""

from __future__ import annotations


from ilo.checks.tys import BUILTIN_TYPE_NAMES, UNK, resolve
from ilo.diagnostics.errors import IloCheckError
from ilo.diagnostics.suggest import with_suggestion
from ilo.syntax import ast as A


def resolve_aliases(program: A.Program) -> dict:
    """Alias name -> the type it stands for, every alias inside expanded."""
    raw: dict = {}
    for d in (d for d in program.decls if isinstance(d, A.AliasDecl)):
        if d.name in raw or d.name in program.types:
            what = "another alias" if d.name in raw else "a type"
            raise IloCheckError("ILO-T001", f"alias '{d.name}' has the name of {what}", span=d.span,
                                hint="rename one of them; a type name means one thing")
        raw[d.name] = d
    for d in raw.values():
        if d.name in BUILTIN_TYPE_NAMES:
            raise IloCheckError("ILO-T031", f"alias '{d.name}' shadows the builtin type '{d.name}'", span=d.span,
                                hint="pick another name, e.g. `alias my-" + d.name + " ...`")
    done: dict = {}

    def expand(name, path):
        if name in done:
            return done[name]
        if name in path:
            cycle = " -> ".join(path[path.index(name):] + (name,))
            raise IloCheckError("ILO-T030", f"circular type alias: {cycle}", span=raw[name].span,
                                hint="make one of the aliases name a concrete type")
        deps = {n: expand(n, path + (name,)) for n in _named(raw[name].target) if n in raw}
        done[name] = resolve(raw[name].target, deps, program.types)
        return done[name]

    for name in raw:
        expand(name, ())
    return done


# Upstream reports unknown names at the top of a type and inside L and R; a
# name inside O, M or F is left alone there, so it is here too.
CHECKED_INSIDE = ("L", "R")


def check_type_names(program: A.Program, aliases: dict) -> None:
    """T003: every type named in a signature or field is declared."""
    known = set(program.types) | set(aliases)
    for d in program.decls:
        if isinstance(d, (A.FnDecl, A.ToolDecl)):
            sigs = [p.type for p in d.params] + [d.ret]
            where = f"in the signature of '{d.name}'"
        elif isinstance(d, A.TypeDecl):
            sigs = [f.type for f in d.fields]
            where = f"in the fields of type '{d.name}'"
        else:
            continue
        for t in sigs:
            for name in _named(t, CHECKED_INSIDE):
                if name not in known and not _type_variable(name):
                    raise with_suggestion(IloCheckError(
                        "ILO-T003", f"undefined type '{name}' {where}", span=d.span,
                        hint=f"declare it: type {name}{{field:type}}"), name, sorted(known))


def _type_variable(name: str) -> bool:
    return len(name) == 1 and name.islower() and name not in ("n", "t", "b")


def _named(t, inside=("L", "O", "R", "M", "F")):
    """Type names used in ``t``, looking only inside the given constructors."""
    if not t or t == UNK:
        return
    k = t[0]
    if k == "named":
        yield t[1]
    elif k not in inside:
        return
    elif k in ("L", "O"):
        yield from _named(t[1], inside)
    elif k in ("R", "M"):
        yield from _named(t[1], inside)
        yield from _named(t[2], inside)
    elif k == "F":
        for p in t[1]:
            yield from _named(p, inside)
        yield from _named(t[2], inside)
