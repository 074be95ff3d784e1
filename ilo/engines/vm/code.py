"""What the compiler produces and tracks: Code objects, jump targets, UNBOUND."""

from __future__ import annotations

from ilo.syntax import ast as A


class Unbound:
    """Register value of a local that no statement has bound yet."""

    __slots__ = ()

    def __repr__(self):
        return "<unbound>"


UNBOUND = Unbound()


class Arg:
    """Stands for a one-parameter function's argument in ``Code.leaf_guard``."""

    __slots__ = ()

    def __repr__(self):
        return "<arg>"


ARG = Arg()


class Code:
    """One function's bytecode.

    ``tail`` is the register file after the parameters (constants in place,
    locals unset); a call's frame is ``[args..., *tail]``. ``sites[pc]`` is
    ``(statement span, innermost loop span, call span)`` for error spans and
    for the guard's "where was it stopped"."""

    __slots__ = ("name", "decl", "instrs", "sites", "tail", "nparams", "slot_names", "leaf_guard")

    def __init__(self, name: str, decl: A.FnDecl):
        self.name = name
        self.decl = decl
        self.nparams = len(decl.params)
        self.instrs: list | None = None
        self.sites: list = []
        self.tail: list = []
        self.slot_names: dict = {}
        #: (test, number, value) when the body starts with a guard that returns,
        #: ``test(arg, number)``, value a constant or ARG; see ``Compiler.leaf_guard``
        self.leaf_guard: tuple | None = None

    def __repr__(self):
        return f"<code {self.name}>"


class Target:
    """Where ``ret``/``brk``/``cnt`` go: kind is fn, guard, match or loop."""

    __slots__ = ("kind", "dst", "ends", "conts")

    def __init__(self, kind, dst=None):
        self.kind = kind
        self.dst = dst
        self.ends: list[int] = []    # jumps to patch with the construct's end
        self.conts: list[int] = []   # loops: jumps to patch with the continue point
