"""Typed values, merges and primitive operations shared by the function codegen.

A :class:`Val` pairs an LLVM value with the set of ilo kinds it may hold at
run time (``n``, ``b``, ``nil``, ``t`` for a text literal). A single kind is
kept unboxed (``double`` for ``n``, ``i1`` for ``b``); a mix lives in one
NaN-boxed ``double`` (see :mod:`boxing`). Merges go through a stack slot
(:class:`Slot`) that LLVM's mem2reg turns back into phis, so box/unbox pairs
on a path of one kind fold away.
"""

from __future__ import annotations

from llvmlite import ir

from ilo.engines.jit import boxing

DOUBLE = ir.DoubleType()
I1 = ir.IntType(1)
I32 = ir.IntType(32)
I64 = ir.IntType(64)

N = frozenset({"n"})
B = frozenset({"b"})
NIL = frozenset({"nil"})
T = frozenset({"t"})
L = frozenset({"L"})          # a list of numbers: {buffer, length} (see lists.py)
PTR = ir.PointerType()
LIST = ir.LiteralStructType([PTR, I64])


class Unsupported(Exception):
    """The function uses something native code does not do; it runs on the fallback engine."""


def kinds_text(kinds) -> str:
    return "|".join(sorted(kinds)) or "nothing"


class Val:
    __slots__ = ("kinds", "v")

    def __init__(self, kinds: frozenset, v):
        self.kinds = kinds
        self.v = v


def dconst(x: float):
    return ir.Constant(DOUBLE, x)


TRUE_D = dconst(boxing.TRUE)
FALSE_D = dconst(boxing.FALSE)
NIL_D = dconst(boxing.NIL)


class Ops:
    """Boxing, truthiness, equality on one IR builder (mixed into the codegen)."""

    b: ir.IRBuilder

    def box(self, val: Val):
        k = val.kinds
        if "L" in k:
            raise Unsupported("a list where a single-word value is needed")
        if k == B:
            return self.b.select(val.v, TRUE_D, FALSE_D)
        if k == NIL:
            return NIL_D
        return val.v

    def from_box(self, kinds: frozenset, d) -> Val:
        if "L" in kinds:
            raise Unsupported("a value that may be a list or something else")
        if kinds == B:
            return Val(B, self.b.icmp_unsigned("==", self.bits(d), ir.Constant(I64, boxing.TRUE_BITS)))
        if kinds == NIL:
            return Val(NIL, None)
        return Val(kinds, d)

    def bits(self, d):
        return self.b.bitcast(d, I64)

    def is_box(self, d):
        masked = self.b.and_(self.bits(d), ir.Constant(I64, boxing.MASK))
        return self.b.icmp_unsigned("==", masked, ir.Constant(I64, boxing.BASE))

    def truthy(self, val: Val):
        k = val.kinds
        if k == N:
            return self.b.fcmp_unordered("!=", val.v, dconst(0.0))
        if k == B:
            return val.v
        if k == NIL:
            return ir.Constant(I1, 0)
        if k == L:
            return self.b.icmp_signed("!=", self.b.extract_value(val.v, 1), ir.Constant(I64, 0))
        if "L" in k:
            raise Unsupported("truthiness of a value that may be a list or something else")
        if "t" in k:
            raise Unsupported("truthiness of text")
        d = val.v
        as_num = self.b.fcmp_unordered("!=", d, dconst(0.0))
        as_box = self.b.icmp_unsigned("==", self.bits(d), ir.Constant(I64, boxing.TRUE_BITS))
        return self.b.select(self.is_box(d), as_box, as_num)

    def equal(self, a: Val, c: Val):
        """``values_equal``: numbers by value, everything else by identity of its box."""
        if "L" in a.kinds or "L" in c.kinds:
            raise Unsupported("comparing lists")
        if a.kinds == N and c.kinds == N:
            return self.b.fcmp_ordered("==", a.v, c.v)
        if a.kinds == B and c.kinds == B:
            return self.b.icmp_unsigned("==", a.v, c.v)
        if not (a.kinds & c.kinds):
            return ir.Constant(I1, 0)
        da, dc = self.box(a), self.box(c)
        if isinstance(da, ir.Constant) and isinstance(dc, ir.Constant) and a.kinds == c.kinds == NIL:
            return ir.Constant(I1, 1)
        either_box = self.b.or_(self.is_box(da), self.is_box(dc))
        same_bits = self.b.icmp_unsigned("==", self.bits(da), self.bits(dc))
        same_num = self.b.fcmp_ordered("==", da, dc)
        return self.b.select(either_box, same_bits, same_num)

    def num(self, val: Val, what: str):
        if val.kinds != N:
            raise Unsupported(f"{what} on a value that may be {kinds_text(val.kinds - N) or 'not a number'}")
        return val.v

    def kind_test(self, letter: str, val: Val):
        """The ``n``/``b``/``t``/``l`` type pattern: a constant when the kinds decide it."""
        want = {"n": "n", "b": "b", "t": "t", "l": "L"}.get(letter)
        if want is None or want not in val.kinds:
            return ir.Constant(I1, 0)
        if val.kinds == frozenset({want}):
            return ir.Constant(I1, 1)
        if "L" in val.kinds:
            raise Unsupported("a type pattern on a value that may be a list or something else")
        d = val.v
        if want == "n":
            return self.b.not_(self.is_box(d))
        low = self.b.and_(self.bits(d), ir.Constant(I64, 0xFFFF_FFFF))
        if want == "t":
            kind_ok = self.b.icmp_unsigned(">=", low, ir.Constant(I64, 0x1_0000))
        else:
            kind_ok = self.b.icmp_unsigned("<", self.b.sub(low, ir.Constant(I64, 2)), ir.Constant(I64, 2))
        return self.b.and_(self.is_box(d), kind_ok)


class Slot:
    """A merge point: stores values from several paths; reads back with their union.

    Single-word values are stored boxed; a list (two words) has its own cell."""

    def __init__(self, gen, kinds=frozenset(), init: Val | None = None, block=None):
        self.gen = gen
        self.ptr = gen.alloca()
        self.lptr = None
        self.kinds = kinds
        self.block = block
        if init is not None:
            self.store(init)

    def store(self, val: Val):
        if val.v is None and "L" in val.kinds:
            return                        # list-or-other: kinds say so; any read of it is refused
        if val.kinds == L:
            if self.lptr is None:
                self.lptr = self.gen.alloca(LIST)
            self.gen.b.store(val.v, self.lptr)
        else:
            self.gen.b.store(self.gen.box(val), self.ptr)

    def put(self, val: Val):
        """Store and jump to this slot's block (a ``ret``/``brk`` target or a merge)."""
        self.store(val)
        self.kinds = self.kinds | val.kinds
        self.gen.b.branch(self.block)

    def read(self) -> Val:
        if self.kinds == L:
            return Val(L, self.gen.b.load(self.lptr))
        if "L" in self.kinds:
            return Val(self.kinds, None)  # list-or-other: fine unless used (box/truthy/num refuse)
        return self.gen.from_box(self.kinds, self.gen.b.load(self.ptr))
