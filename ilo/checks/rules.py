"""Typing rules of operators and matches, shared by the inference in ``types``.

``binop`` types `+ - * / = != < > <= >= & | +=` and reports T009, T010 and
T011; ``pattern_type`` gives a match arm's binding its type; ``exhaustive``
reports T024. Each takes the function being inferred (``fn``) for ``err``.
"""

from __future__ import annotations

from ilo.checks.tys import BOOL, NIL, NUM, UNK, compatible, join, kind, show

ARITH = ("-", "*", "/")
ORDER = (">", "<", ">=", "<=")
CONVERT = {("n", "t"): "convert with `str x`", ("t", "n"): "convert with `num x` (it returns a Result)"}


def binop(fn, e, lt, rt, sp):
    op = e.op
    kl, kr = kind(lt), kind(rt)
    if op in ("=", "!=") + ORDER:
        if op in ORDER and kl and kr and not (kl == kr and kl in ("n", "t")):
            fn.err("ILO-T010", f"`{op}` compares two numbers or two texts, got {show(lt)} and {show(rt)}",
                   e, sp, convert_hint(lt, rt) or "convert so both sides have the same type")
        return BOOL
    if op in ARITH:
        if (kl or "n") != "n" or (kr or "n") != "n":
            fn.err("ILO-T009", f"`{op}` needs two numbers, got {show(lt)} and {show(rt)}", e, sp,
                   convert_hint(lt, rt) or "arithmetic works on n only")
        return NUM
    if op == "+":
        if kl and kr and not (kl == kr and kl in ("n", "t", "L")):
            fn.err("ILO-T009", f"`+` adds numbers, joins texts or lists; got {show(lt)} and {show(rt)}", e, sp,
                   convert_hint(lt, rt) or "both sides must be n, both t, or both lists")
        if kl == kr == "L":
            return ("L", join(lt[1], rt[1]))
        # One known side decides: `+` only succeeds when both sides match it.
        known = kl or kr
        return (known,) if known in ("n", "t") else (("L", UNK) if known == "L" else UNK)
    if op == "+=":
        if kl == "L":
            if not compatible(lt[1], rt):
                fn.err("ILO-T011", f"`+=` appends {show(rt)} to a list of {show(lt[1])}", e, sp,
                       f"append a {show(lt[1])}, or build a list of mixed values with `_` elements")
            return lt
        if kl is not None:
            fn.err("ILO-T011", f"`+=` appends to a list, got {show(lt)} on the left", e, sp,
                   "`+=xs v` needs a list xs; join texts with `+a b`")
        return UNK
    if op in ("&", "|"):
        return BOOL if lt == rt == BOOL else UNK
    return UNK


def pattern_type(p, subject):
    k = subject[0]
    if p.kind == "ok":
        return subject[1] if k == "R" else UNK
    if p.kind == "err":
        return subject[2] if k == "R" else UNK
    if p.kind == "type":
        letter = p.value
        if letter in ("n", "t", "b"):
            return (letter,)
        return ("L", UNK) if letter == "L" else UNK
    if p.kind == "wild":
        return subject
    return UNK


def exhaustive(fn, t, arms, sp):
    """T024: a match on a subject of known type must cover every value."""
    if not arms or any(a.pattern.kind in ("wild", "type") for a in arms):
        return
    k = kind(t)
    kinds = {a.pattern.kind for a in arms}
    lits = [a.pattern.value for a in arms if a.pattern.kind == "lit"]
    if k is None or t == NIL:
        return
    if k == "R":
        missing = [m for m, kd in (("~v", "ok"), ("^e", "err")) if kd not in kinds]
    elif k == "b":
        missing = [m for m, v in (("true", True), ("false", False)) if not any(x is v for x in lits)]
    elif t[0] == "S":
        missing = [f'"{v}"' for v in t[1] if v not in lits]
    else:
        missing = ["_"]
    if missing:
        fn.err("ILO-T024", f"match on {show(t)} does not cover every value: missing "
               + ", ".join(f"`{m}`" for m in missing), None, sp, "add the missing arms, or a final `_:...` arm")


def convert_hint(got, want):
    return CONVERT.get((kind(got), kind(want))) or CONVERT.get((kind(want), kind(got)))
