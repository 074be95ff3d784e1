"""The instruction set.

Every instruction is a 4-tuple ``(op, a, b, c)``. Operands ``a``/``b``/``c``
are register numbers, jump targets (instruction indexes) or compile-time
objects (a callee's :class:`~ilo.engines.vm.code.Code`, a builtin's function,
a handler plus its operand tuple). Constants live in registers too (each
frame starts from a template holding them), so every value operand is a
register and no opcode needs a "constant" variant.

The numbers are the ones the dispatch loop in ``loop.py`` tests, hottest first;
``tests/test_vm.py`` checks that every ``op == N`` there carries this name.
"""

from __future__ import annotations

import operator

NAMES = (
    "ADD_SELF",    # R[a] = R[a] + R[b]; text is appended in place when R[a] is its only owner
    "ADD",         # R[a] = R[b] + R[c]
    "SUB",         # R[a] = R[b] - R[c]
    "MUL",         # R[a] = R[b] * R[c]
    "DIV",         # R[a] = R[b] / R[c]
    "JT_LT",       # if R[a] < R[b]: goto c          (compare and branch)
    "JT_LE",
    "JT_GT",
    "JT_GE",
    "JT_EQ",
    "JT_NE",
    "JF_LT",       # unless R[a] < R[b]: goto c
    "JF_LE",
    "JF_GT",
    "JF_GE",
    "JF_EQ",
    "JF_NE",
    "MOVE",        # R[a] = R[b]
    "JUMP",        # goto a
    "CALL1",       # R[a] = user function b (R[c])
    "CALL2",       # R[a] = user function b (R[c[0]], R[c[1]])
    "CALLN",       # R[a] = user function b (*R[c...])
    "BUILTIN1",    # R[a] = builtin function b (R[c])
    "BUILTIN2",
    "BUILTINN",
    "RET",         # return R[a]
    "EXT",         # R[a] = b(vm, R, c): every rarer operation, one handler each
    "FOR",         # R[a] = next item of iterator R[b] and goto c; fall through when done
    "JF",          # unless truthy(R[a]): goto b
    "JT",          # if truthy(R[a]): goto b
    "APPEND_SELF",  # R[a] = +=R[a] R[b]; the list grows in place when R[a] is its only owner
    "MSET_SELF",   # R[a] = mset R[a] R[b[0]] R[b[1]]; in place when R[a] is its only owner
    "UNWRAP",      # `!`: Ok v -> R[a] = v, goto c; Err/nil fall through (to the propagation code)
    "MATCH",       # c = (pattern, fail): unless R[b] fits pattern goto fail; bind to R[a] (a >= 0)
    "JNOTNIL",     # if R[a] is not nil: goto b
    "STEP_LT",     # superinstruction ADD_SELF a b + JT_LT c[0] c[1] -> c[2], the usual loop
    "STEP_LE",     # bottom (`i=+i 1` then `<i n`); the JT stays next for non-numbers and entry
    "FIELD",       # R[a] = R[b].name, c = (name, safe, local register or -1)
    "RET_IF",      # JF_<rel> a b -> pc+2 + RET r fused: if R[a] rel R[b]: return R[r]; c = (test, rel, r)
    "MOVE_IF",     # JF_<rel> a b -> pc+3 + MOVE + JUMP fused: if R[a] rel R[b]: R[d] = R[s], goto e;
                   # c = (test, rel, d, s, e); otherwise skip the two (a guard's arm, inlined)
    "ARITH_CALL1",  # ADD/SUB/MUL/DIV t + CALL1 (t) fused: R[a] = user function b (R[c[1]] op R[c[2]]),
                    # c[0] = the arith opcode; returns past the CALL1 it replaced (`fib -n 1`)
    "ARITH_RET",   # ADD/SUB/MUL/DIV t + RET t fused: return R[b] op R[c], a = the arith opcode (`+a b` last)
    "UNARY",       # R[a] = b(R[c]): a builtin's one-argument fast entry (BuiltinSpec.unary, `str i`)
    "ARITH_ACC",   # ADD/SUB/MUL/DIV t + ADD_SELF a t fused: R[a] += R[c[0]] op R[c[1]], b = the arith
                   # opcode (`s=+s *x y`); skips the ADD_SELF it replaced
    "EXT_APPEND",  # EXT t + APPEND_SELF a t fused (`it=item ...;xs=+=xs it`): R[a] = +=R[a] b(vm, R, c[1]),
                   # c = (skip, operand, t), t not written; skips the APPEND_SELF it replaced (and any
                   # fused producers, as EXT_SKIP does)
    "EXT_SKIP",    # R[a] = b(vm, R, c[1]), then skip c[0] instructions: an EXT whose producers
                   # (UNARY, arithmetic) its builder computes inline (builders.fused)
)

OP = {name: i for i, name in enumerate(NAMES)}

#: opcodes whose operand ``c`` (or ``a`` / ``b`` below) is a jump target
JUMP_C = {OP[n] for n in NAMES if n.startswith(("JF_", "JT_"))} | {OP["FOR"], OP["UNWRAP"]}
#: ADD_SELF + compare-and-branch pairs fused by the compiler's peephole pass
STEPS = {OP["JT_LT"]: OP["STEP_LT"], OP["JT_LE"]: OP["STEP_LE"]}
JUMP_B = {OP["JF"], OP["JT"], OP["JNOTNIL"]}
JUMP_A = {OP["JUMP"]}


def jump_target(ins):
    """The instruction index ``ins`` may jump to, or None."""
    op, a, b, c = ins
    if op in JUMP_A:
        return a
    if op in JUMP_B:
        return b
    if op in JUMP_C:
        return c
    if op == OP["MATCH"]:
        return c[1]
    if op in STEPS.values():
        return c[2]
    if op == OP["MOVE_IF"]:
        return c[4]
    return None


#: compare-and-branch pairs the peephole pass fuses with what follows them
GUARD_FUSIONS = ("RET_IF", "MOVE_IF")

#: source operator -> (jump-if-false op, jump-if-true op)
BRANCH = {"<": ("JF_LT", "JT_LT"), "<=": ("JF_LE", "JT_LE"), ">": ("JF_GT", "JT_GT"),
          ">=": ("JF_GE", "JT_GE"), "=": ("JF_EQ", "JT_EQ"), "!=": ("JF_NE", "JT_NE")}
#: the source operator of each compare-and-branch opcode, for the slow path
RELATION = {OP[ops[i]]: rel for rel, ops in BRANCH.items() for i in (0, 1)}
ARITH = {"+": "ADD", "-": "SUB", "*": "MUL", "/": "DIV"}
#: the test of each relation on two numbers, for the fused guard instructions
TESTS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
         "=": operator.eq, "!=": operator.ne}
