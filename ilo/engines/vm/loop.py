"""The dispatch loop: one Python function runs one ilo call's bytecode.

Opcodes are tested as literal numbers (``op == 17  # MOVE``): a constant is
the cheapest comparison CPython has. The chain is split into ranges and
ordered by how often kernels execute each opcode. ``tests/test_vm.py``
checks every ``# NAME`` comment against ``opcodes.NAMES``.

The frame-entry, frame-exit and leaf-guard sequences are spelled out in each
instruction that needs them (CALL1, ARITH_CALL1, RET, RET_IF) on purpose: a
shared helper would cost a Python call, as much as the instruction itself.

A call of a user function does not recurse in Python: the caller's state is
pushed on ``calls`` and the callee runs in the same loop (cheaper than a
Python call, and deep ilo recursion cannot exhaust Python's stack). ``pc``,
``code`` and ``calls`` are ordinary locals: the guard's locator reads them
from the interrupted Python frame, so the loop pays nothing for it.
"""

from __future__ import annotations

from sys import getrefcount

from ilo.diagnostics.errors import IloRuntimeError
from ilo.engines.vm.code import ARG
from ilo.engines.vm.handlers import field
from ilo.engines.vm.opcodes import RELATION
from ilo.runtime import builtins as B
from ilo.runtime.ops import SOLE_OWNER, append_into, binop, concat_into, match_pattern, mset_into
from ilo.runtime.values import Err, Ok, Record, truthy

MAX_DEPTH = 4000
ARITH_SYMBOL = {1: "+", 2: "-", 3: "*", 4: "/"}


def depth_error(name: str) -> IloRuntimeError:
    return IloRuntimeError(
        "ILO-R604", f"call depth exceeded {MAX_DEPTH} (runaway recursion in '{name}')",
        hint="check that the recursion has a base case that is reached, "
             "or rewrite deep recursion as a loop")


def execute(vm, code, R, depth):
    """Run ``code`` on the register file ``R`` (arguments first); return its value."""
    instrs = code.instrs
    limit = MAX_DEPTH
    calls = []      # the callers' (code, R, pc, result register)
    pc = 0
    try:
        while True:
            op, a, b, c = instrs[pc]
            pc += 1
            if op < 5:
                if op == 0:  # ADD_SELF
                    y = R[b]
                    x = R[a]
                    if type(x) is float and type(y) is float:
                        R[a] = x + y
                    elif type(x) is str and type(y) is str:
                        R[a] = None         # x is the text's only holder now: CPython grows it in place
                        x += y
                        R[a] = x
                    else:
                        x = None            # the slot must be the value's only owner
                        concat_into(R, a, y)
                    continue
                x = R[b]
                y = R[c]
                if type(x) is float and type(y) is float:
                    if op == 1:  # ADD
                        R[a] = x + y
                    elif op == 2:  # SUB
                        R[a] = x - y
                    elif op == 3:  # MUL
                        R[a] = x * y
                    elif y:  # DIV
                        R[a] = x / y
                    else:
                        R[a] = binop("/", x, y)
                else:
                    R[a] = binop(ARITH_SYMBOL[op], x, y)
            elif op > 34:
                if op > 36:
                    if op == 37:  # FIELD
                        x = R[b]
                        if type(x) is Record:
                            y = x.fields.get(c[0], x)
                            if y is not x:
                                R[a] = y
                                continue
                        R[a] = field(vm, R, (b, *c))
                        continue
                    if op == 44:  # EXT_APPEND
                        vm.depth = depth    # the handler may call back into ilo functions
                        y = b(vm, R, c[1])
                        pc += c[0]          # past the APPEND_SELF (and fused producers): its site
                        x = R[a]
                        if type(x) is list and getrefcount(x) <= SOLE_OWNER:
                            x.append(y)
                        else:
                            x = None
                            append_into(R, a, y)
                        continue
                    if op == 45:  # EXT_SKIP
                        vm.depth = depth
                        R[a] = b(vm, R, c[1])
                        pc += c[0]
                        continue
                    if op == 43:  # ARITH_ACC
                        k = b
                        x = R[c[0]]
                        y = R[c[1]]
                        if type(x) is float and type(y) is float and (k != 4 or y):
                            if k == 3:
                                y = x * y
                            elif k == 1:
                                y = x + y
                            elif k == 2:
                                y = x - y
                            else:
                                y = x / y
                        else:
                            y = binop(ARITH_SYMBOL[k], x, y)
                        pc += 1                     # past the ADD_SELF: its site for the sum's errors
                        x = R[a]
                        if type(x) is float and type(y) is float:
                            R[a] = x + y
                        else:
                            x = None
                            concat_into(R, a, y)
                        continue
                    if op == 42:  # UNARY
                        R[a] = b(R[c])
                        continue
                    if op == 41:  # ARITH_RET
                        x = R[b]
                        y = R[c]
                        if type(x) is float and type(y) is float and (a != 4 or y):
                            if a == 1:
                                x = x + y
                            elif a == 2:
                                x = x - y
                            elif a == 3:
                                x = x * y
                            else:
                                x = x / y
                        else:
                            x = binop(ARITH_SYMBOL[a], x, y)
                        if not calls:
                            return x
                        code, R, pc, a = calls.pop()
                        instrs = code.instrs
                        R[a] = x
                        depth -= 1
                        continue
                    if op == 40:  # ARITH_CALL1
                        k, x, y = c
                        x = R[x]
                        y = R[y]
                        if type(x) is float and type(y) is float and (k != 4 or y):
                            if k == 2:
                                x = x - y
                            elif k == 1:
                                x = x + y
                            elif k == 3:
                                x = x * y
                            else:
                                x = x / y
                        else:
                            x = binop(ARITH_SYMBOL[k], x, y)
                        pc += 1                 # the CALL1 it replaced: its site, and the return point
                        if depth >= limit:
                            raise depth_error(b.name)
                        y = b.leaf_guard
                        if y is not None and type(x) is float:
                            if y[0](x, y[1]):
                                R[a] = x if y[2] is ARG else y[2]
                                continue
                            k = 2                   # the callee's guard failed here: start past it
                        else:
                            k = 0
                        calls.append((code, R, pc, a))
                        code = b
                        instrs = b.instrs
                        R = [x, *b.tail]
                        pc = k
                        depth += 1
                        continue
                    x = R[a]
                    y = R[b]
                    if type(x) is float and type(y) is float:
                        y = c[0](x, y)
                    else:
                        y = bool(binop(c[1], x, y))
                    if op == 38:  # RET_IF
                        if not y:
                            pc += 1
                            continue
                        x = R[c[2]]
                        if not calls:
                            return x
                        code, R, pc, a = calls.pop()
                        instrs = code.instrs
                        R[a] = x
                        depth -= 1
                    elif y:  # MOVE_IF
                        R[c[2]] = R[c[3]]
                        pc = c[4]
                    else:
                        pc += 2
                    continue
                y = R[b]
                x = R[a]
                if type(x) is float and type(y) is float:
                    R[a] = x + y
                    x = R[c[0]]
                    y = R[c[1]]
                    if type(x) is float and type(y) is float:
                        if op == 35:  # STEP_LT
                            if x < y:
                                pc = c[2]
                            else:
                                pc += 1
                        elif x <= y:  # STEP_LE
                            pc = c[2]
                        else:
                            pc += 1
                else:
                    x = None
                    concat_into(R, a, y)
            elif op < 17:
                x = R[a]
                y = R[b]
                if type(x) is float and type(y) is float:
                    if op < 11:
                        if op == 5:  # JT_LT
                            if x < y:
                                pc = c
                        elif op == 8:  # JT_GE
                            if x >= y:
                                pc = c
                        elif op == 6:  # JT_LE
                            if x <= y:
                                pc = c
                        elif op == 7:  # JT_GT
                            if x > y:
                                pc = c
                        elif op == 9:  # JT_EQ
                            if x == y:
                                pc = c
                        elif x != y:  # JT_NE
                            pc = c
                    elif op == 11:  # JF_LT
                        if not x < y:
                            pc = c
                    elif op == 14:  # JF_GE
                        if not x >= y:
                            pc = c
                    elif op == 12:  # JF_LE
                        if not x <= y:
                            pc = c
                    elif op == 13:  # JF_GT
                        if not x > y:
                            pc = c
                    elif op == 15:  # JF_EQ
                        if x != y:
                            pc = c
                    elif x == y:  # JF_NE
                        pc = c
                elif bool(binop(RELATION[op], x, y)) is (op < 11):
                    pc = c
            elif op == 17:  # MOVE
                R[a] = R[b]
            elif op == 18:  # JUMP
                pc = a
            elif op == 25:  # RET
                x = R[a]
                if not calls:
                    return x
                code, R, pc, a = calls.pop()
                instrs = code.instrs
                R[a] = x
                depth -= 1
            elif op < 22:
                if depth >= limit:
                    raise depth_error(b.name)
                if op == 19:  # CALL1
                    x = R[c]
                    y = b.leaf_guard
                    if y is not None and type(x) is float:
                        if y[0](x, y[1]):
                            R[a] = x if y[2] is ARG else y[2]
                            continue
                        k = 2                       # the callee's guard failed here: start past it
                    else:
                        k = 0
                    x = [x, *b.tail]
                elif op == 20:  # CALL2
                    x, y = c
                    x = [R[x], R[y], *b.tail]
                    k = 0
                else:  # CALLN
                    x = [R[i] for i in c] + b.tail
                    k = 0
                # enter the callee in this same Python frame
                calls.append((code, R, pc, a))
                code = b
                instrs = b.instrs
                R = x
                pc = k
                depth += 1
            elif op < 25:
                vm.depth = depth
                if op == 22:  # BUILTIN1
                    R[a] = b(vm, [R[c]])
                elif op == 23:  # BUILTIN2
                    x, y = c
                    R[a] = b(vm, [R[x], R[y]])
                else:  # BUILTINN
                    R[a] = b(vm, [R[i] for i in c])
            elif op == 26:  # EXT
                vm.depth = depth        # a handler may call back into ilo functions
                R[a] = b(vm, R, c)
            elif op == 27:  # FOR
                for x in R[b]:
                    R[a] = x
                    pc = c
                    break
            elif op < 30:
                x = R[a]
                if x is True or x is False:
                    y = x
                else:
                    y = x is not None and truthy(x)
                if op == 28:  # JF
                    if not y:
                        pc = b
                elif y:  # JT
                    pc = b
            elif op == 30:  # APPEND_SELF
                y = None
                x = R[a]
                if type(x) is list and getrefcount(x) <= SOLE_OWNER:   # the slot, x, the argument
                    x.append(R[b])
                else:
                    x = None                # the slot must be the list's only owner
                    append_into(R, a, R[b])
            elif op == 31:  # MSET_SELF
                x = y = None
                k, v = b
                if not mset_into(R, a, R[k], R[v]):
                    R[a] = B.call("mset", vm, [R[a], R[k], R[v]])
            elif op == 32:  # UNWRAP
                x = R[b]
                if type(x) is Ok:
                    R[a] = x.value
                    pc = c
                elif x is not None and type(x) is not Err:
                    R[a] = x
                    pc = c
            elif op == 33:  # MATCH
                m = match_pattern(c[0], R[b])
                if m is None:
                    pc = c[1]
                elif a >= 0:
                    R[a] = m[1]
            elif op == 34:  # JNOTNIL
                if R[a] is not None:
                    pc = b
            else:
                raise AssertionError(f"bad opcode {op}")
    except IloRuntimeError as e:
        if e.span is None:
            e.span = code.sites[pc - 1][0]
        raise
    except RecursionError:
        raise IloRuntimeError(
            "ILO-R604", "call depth exceeded the interpreter stack (runaway recursion)",
            hint="check that the recursion has a base case, or use a loop",
            span=code.sites[pc - 1][0]) from None
