"""Builtin calls as the verifier sees them: the runtime registry's signatures.

The parameter and return types come from each builtin's registration
(``BuiltinSpec.params`` / ``.ret`` in ``ilo.runtime.builtins``), the same
table the engines call through, so the two cannot drift; a test feeds the
runtime every argument kind the verifier rejects and expects ILO-R009.
``params`` describe the longest form. A shorter form of a builtin without
function arguments is a prefix of it (``padl s w`` of ``padl s w c``); a
higher-order builtin's shorter form leaves out the context argument at
position 1 (``map f xs`` of ``map f ctx xs``); a one-argument ``srt`` is
not checked.

Where the registry says ``_`` for a result that follows an argument (``hd``
of a list of numbers is a number), ``SHAPES`` says how; where it says ``_``
for an argument that takes one of a few kinds (``hd`` takes a list or a
text), ``ACCEPTS`` lists them. The same test holds both to the runtime.
"""

from __future__ import annotations

from ilo.checks.tys import UNK, compatible, kind, parse_type_text, show
from ilo.runtime import builtins as B

FUNCTION_KINDS = (None, "F", "t")  # a text argument names a function (as the CLI passes them)


def _elem(t):
    k = kind(t)
    return t[1] if k == "L" else (t if k == "t" else UNK)


def _same(t):
    return t if kind(t) in ("L", "t") else UNK


def _map_part(i, wrap=None):
    def f(t):
        if kind(t) != "M":
            return UNK
        return (wrap, t[i]) if wrap else t[i]
    return f


def _fn_result(wrap=None):
    def f(t):
        ret = t[2] if t[0] == "F" else UNK
        return (wrap, ret) if wrap else ret
    return f


# result type from (builtin, argument index) -> function of that argument's type
SHAPES = {
    "map": (0, _fn_result("L")), "fld": (0, _fn_result()),
    "hd": (0, _elem), "at": (0, _elem), "tl": (0, _same), "rev": (0, _same), "unq": (0, _same),
    "slc": (0, _same), "take": (1, _same), "drop": (1, _same),
    "srt": (-1, _same), "rsrt": (-1, _same), "flt": (-1, _same),
    "mget": (0, _map_part(2, "O")), "mkeys": (0, _map_part(1, "L")), "mvals": (0, _map_part(2, "L")),
    "mset": (0, lambda t: t if kind(t) == "M" else UNK), "mdel": (0, lambda t: t if kind(t) == "M" else UNK),
}


LIST_OR_TEXT = ("L _", "t")
# (builtin, argument count, argument index) -> the types that argument may have
ACCEPTS = {
    ("len", 1, 0): ("L _", "t", "M _ _"),
    ("hd", 1, 0): LIST_OR_TEXT, ("tl", 1, 0): LIST_OR_TEXT, ("rev", 1, 0): LIST_OR_TEXT,
    ("unq", 1, 0): LIST_OR_TEXT, ("srt", 1, 0): LIST_OR_TEXT, ("rsrt", 1, 0): LIST_OR_TEXT,
    ("slc", 3, 0): LIST_OR_TEXT, ("take", 2, 1): LIST_OR_TEXT, ("drop", 2, 1): LIST_OR_TEXT,
    ("at", 2, 0): LIST_OR_TEXT, ("min", 1, 0): ("L n",), ("max", 1, 0): ("L n",),
}


def accepts(name: str, nargs: int, index: int, got) -> bool:
    allowed = ACCEPTS.get((name, nargs, index))
    return allowed is None or any(compatible(parse_type_text(a), got) for a in allowed)


def positions(spec, nargs: int) -> list[int]:
    """Which registered parameter each of ``nargs`` arguments corresponds to."""
    full = len(spec.params)
    if nargs >= full:
        return list(range(full)) + [-1] * (nargs - full)
    if not spec.fn_slots:
        return list(range(nargs))
    if nargs == full - 1:
        return [0] + list(range(2, full))
    return []  # `srt xs`: a list or a text, nothing certain to check


def check_call(fn, e, args: list, sp):
    """T013 for arguments that cannot fit; returns the call's result type."""
    spec = B.lookup(e.name)
    if spec.arities is not None and len(args) not in spec.arities:
        return UNK  # reported as T006 by the name checker
    for j, (node, a) in enumerate(zip(e.args, args)):
        if not accepts(spec.name, len(args), j, a):
            fn.err("ILO-T013", f"'{spec.name}' takes {' or '.join(ACCEPTS[spec.name, len(args), j])} "
                   f"for argument {j + 1}, got {show(a)}", node, sp, _hint(spec))
    for j, (node, a, i) in enumerate(zip(e.args, args, positions(spec, len(args)))):
        if i < 0:
            continue
        want = parse_type_text(spec.params[i])
        if i in spec.fn_slots:
            ok = kind(a) in FUNCTION_KINDS
        else:
            ok = compatible(want, a)
        if not ok:
            fn.err("ILO-T013", f"'{spec.name}' expects {show(want)} for argument {j + 1}, "
                   f"got {show(a)}", node, sp, _hint(spec))
    return result(spec, args)


def result(spec, args):
    shape = SHAPES.get(spec.name)
    if shape is not None and args:
        i, f = shape
        return f(args[i])
    return parse_type_text(spec.ret)


def as_value(name: str):
    """The F type of a builtin passed as a value (``fld max xs 0``), when it has one form."""
    spec = B.lookup(name)
    if spec is None or spec.fn_slots or spec.arities is None or len(spec.arities) != 1 \
            or spec.arities[0] != len(spec.params) or spec.name in SHAPES:
        return UNK
    return ("F", tuple(parse_type_text(p) for p in spec.params), parse_type_text(spec.ret))


def _hint(spec) -> str:
    return f"{spec.name} takes " + " ".join(spec.params) + f" and returns {spec.ret}"
