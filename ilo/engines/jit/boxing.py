"""One double per value at the native boundary: numbers raw, the rest NaN-boxed.

Native functions take and return ``double`` only. A number is itself; nil,
false, true and text literals are quiet NaNs with a payload that no
arithmetic produces (hardware and Python make 0x7FF8.. / 0xFFF8.. only), so
one ``double`` carries every kind a native function can hold and the
boundary needs no tag word. Codegen knows most kinds statically and boxes
only where kinds mix (ternaries, body values, nil results).
"""

from __future__ import annotations

import struct

BASE = 0x7FFC_1100_0000_0000
MASK = 0xFFFF_FFFF_0000_0000
NIL_BITS = BASE | 0
FALSE_BITS = BASE | 2
TRUE_BITS = BASE | 3
TEXT_BITS = BASE | 0x1_0000      # | literal id

_pack = struct.Struct("<q").pack
_unpack_d = struct.Struct("<d").unpack
_pack_d = struct.Struct("<d").pack
_unpack = struct.Struct("<q").unpack


def bits_to_float(bits: int) -> float:
    return _unpack_d(_pack(bits - (1 << 64) if bits >= 1 << 63 else bits))[0]


def float_to_bits(x: float) -> int:
    return _unpack(_pack_d(x))[0] & 0xFFFF_FFFF_FFFF_FFFF


NIL = bits_to_float(NIL_BITS)
FALSE = bits_to_float(FALSE_BITS)
TRUE = bits_to_float(TRUE_BITS)


class Unboxable(Exception):
    """A value native code cannot hold (text built at run time, lists, ...)."""


def box(v, texts: dict[str, int]) -> float:
    if type(v) is float:
        return v
    if v is True:
        return TRUE
    if v is False:
        return FALSE
    if v is None:
        return NIL
    if type(v) is str and v in texts:
        return bits_to_float(TEXT_BITS | texts[v])
    raise Unboxable(v)


def unbox(x: float, texts: list[str]):
    if x == x:
        return x
    bits = float_to_bits(x)
    if bits & MASK != BASE:
        return x                      # a genuine NaN
    low = bits & 0xFFFF_FFFF
    if low >= 0x1_0000:
        return texts[low - 0x1_0000]
    return (None, None, False, True)[low]
