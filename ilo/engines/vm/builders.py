"""Generated handlers for list and record literals.

A literal's registers are fixed at compile time, so its handler is Python
source made once per literal and compiled with ``exec``: ``[R[3], R[5]]`` or
a dict display, instead of a loop over the registers.

Producer fusion (:func:`fused`): in ``nm=str i;vl=*i 3;it=item name:nm
val:vl`` the values ``nm`` and ``vl`` are made only for the literal. The
compiler then hands their instructions (UNARY and the four arithmetic
opcodes) to the builder, which computes them inline, in the same order, and
the loop dispatches one instruction instead of three. Each inline producer
keeps its own error site: a failure gets the span its instruction had.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloRuntimeError
from ilo.runtime.ops import binop
from ilo.runtime.values import Record

#: literals with more parts than this use the generic handlers
SPECIALISE_MAX = 16

#: arithmetic opcode -> (its source operator, the Python operator of its fast path)
ARITH = {1: ("+", "+"), 2: ("-", "-"), 3: ("*", "*"), 4: ("/", "/")}


def make_list(vm, R, regs):
    return list(map(R.__getitem__, regs))


def record(vm, R, operand):
    type_name_, names, regs = operand
    return Record(type_name_, dict(zip(names, map(R.__getitem__, regs))))


def list_builder(regs: tuple):
    """``[R[3], R[5]]``: about three times cheaper than ``list(map(...))``
    on the short literals programs write."""
    if len(regs) > SPECIALISE_MAX:
        return make_list
    return _generate("make_list", ("list", regs), [], {})


def record_builder(type_name_: str, names: tuple, regs: tuple):
    """Same fields in the same order as :func:`record`. The record is made
    with ``object.__new__`` and its two slots set in place, which skips a
    Python-level ``Record.__init__`` frame (a fifth of a small record's cost)."""
    if len(regs) > SPECIALISE_MAX:
        return record
    return _generate("record", ("record", type_name_, names, regs), [], {})


def fused(builder, producers: list, numbers: dict):
    """``builder`` (made by this module) with ``producers`` computed inline.

    ``producers`` are ``(instruction, span)`` pairs in execution order, each
    an ``UNARY`` ``(op, t, fn, x)`` or an arithmetic ``(op, t, x, y)``
    whose result register ``t`` the literal reads once and nothing else
    reads; the literal reads the local ``v<t>`` instead. ``numbers`` maps
    the registers that hold a number constant to it: an arithmetic operand
    from there is written into the code and needs no type test."""
    lines, env = [], {}
    for i, ((op, t, x, y), span) in enumerate(producers):
        env[f"S{i}"] = span
        if op == 42:                                      # UNARY
            env[f"U{i}"] = x
            lines += _sited([f"v{t} = U{i}(R[{int(y)}])"], i)
            continue
        symbol, python = ARITH[op]
        tests = []
        for name, r in (("x", x), ("y", y)):
            if r in numbers:
                env[f"K{r}"] = numbers[r]
                lines.append(f"{name} = K{int(r)}")
            else:
                lines.append(f"{name} = R[{int(r)}]")
                tests.append(f"type({name}) is float")
        if op == 4 and numbers.get(y, 0.0) == 0.0:        # `/` by zero: the runtime's rule
            tests.append("y")
        lines += [f"if {' and '.join(tests) or 'True'}:", f"    v{t} = x {python} y", "else:"]
        lines += ["    " + s for s in _sited([f"v{t} = binop({symbol!r}, x, y)"], i)]
    fn = _generate(builder.__name__, builder.builds, lines, env, {p[0][1] for p in producers})
    fn.producers = producers
    return fn


def _sited(body: list, i: int) -> list:
    """``body`` with its error, if any, located at producer ``i``'s site."""
    return (["try:"] + ["    " + s for s in body]
            + ["except IloRuntimeError as e:", "    if e.span is None:",
               f"        e.span = S{i}", "    raise"])


def _generate(name: str, builds: tuple, lines: list, env: dict, inline=frozenset()):
    def value(r):
        return f"v{int(r)}" if r in inline else f"R[{int(r)}]"

    scope = {"Record": Record, "new": object.__new__, "binop": binop,
             "IloRuntimeError": IloRuntimeError, **env}
    if builds[0] == "list":
        lines = lines + ["return [" + ", ".join(map(value, builds[1])) + "]"]
    else:
        _, scope["T"], names, regs = builds
        pairs = ", ".join(f"{str(n)!r}: {value(r)}" for n, r in zip(names, regs))
        lines = lines + ["r = new(Record)", "r.type_name = T", f"r.fields = {{{pairs}}}", "return r"]
    exec(f"def {name}(vm, R, c):\n" + "".join(f"    {s}\n" for s in lines), scope)
    fn = scope[name]
    fn.builds = builds          # what fuse_producers reads
    fn.source = lines           # the generated body, for debugging
    return fn
