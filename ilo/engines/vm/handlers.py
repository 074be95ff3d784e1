"""Handlers of the ``EXT`` instruction: the operations too rare to earn an
opcode of their own in the dispatch loop.

Each is ``handler(vm, R, operand) -> value``; ``operand`` was fixed at
compile time (register numbers, names). Semantics come from the shared
runtime (``ilo.runtime``) and match the tree engine's, message for message.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloRuntimeError
from ilo.runtime import builtins as B
from ilo.runtime import ops
from ilo.runtime.values import Err, FnVal, IloMap, Ok, Record, truthy, type_name


def binop(vm, R, operand):
    op, left, right = operand
    return ops.binop(op, R[left], R[right])


def not_(vm, R, r):
    return not truthy(R[r])


def neg(vm, R, r):
    v = R[r]
    if isinstance(v, float):
        return -v
    raise IloRuntimeError("ILO-R004", f"cannot negate {type_name(v)}")


def ok(vm, R, r):
    return Ok(R[r])


def err(vm, R, r):
    return Err(R[r])


def with_(vm, R, operand):
    obj, names, regs = operand
    rec = R[obj]
    if not isinstance(rec, Record):
        raise IloRuntimeError("ILO-R008", f"'with' requires a record, got {type_name(rec)}")
    fields = dict(rec.fields)
    for n, i in zip(names, regs):
        fields[n] = R[i]
    return Record(rec.type_name, fields)


def closure(vm, R, operand):
    name, regs = operand
    return FnVal(name, tuple(R[i] for i in regs))


def field(vm, R, operand):
    obj_reg, name, safe, local = operand
    obj = R[obj_reg]
    if isinstance(obj, Record):
        try:
            return obj.fields[name]
        except KeyError:
            if safe:
                return None
            raise ops.missing_field(name, obj) from None
    if obj is None and safe:
        return None
    if isinstance(obj, list) and local >= 0 and R[local] is not vm.unbound \
            and name not in vm.field_names():
        return B.lookup("at").fn(vm, [obj, R[local]])
    if isinstance(obj, IloMap) and name in obj:
        return obj[name]
    if safe:
        return None
    raise IloRuntimeError("ILO-R005", f"cannot access field '{name}' on {type_name(obj)}")


def index(vm, R, operand):
    obj_reg, i, safe = operand
    obj = R[obj_reg]
    if isinstance(obj, list):
        if i < len(obj):
            return obj[i]
        if safe:
            return None
        raise IloRuntimeError("ILO-R006", f"list index {i} out of bounds (len {len(obj)})")
    if safe:
        return None
    raise IloRuntimeError("ILO-R006", f"index access on {type_name(obj)}, expected a list")


def unwrap_panic(vm, R, r):
    return ops.unwrap(R[r], "!!")


def iterate(vm, R, r):
    """The iterator an `@x coll{..}` walks."""
    coll = R[r]
    if isinstance(coll, str):
        return iter(list(coll))
    if isinstance(coll, IloMap):
        return iter([float(k) if isinstance(k, int) else k for k in sorted(coll, key=ops.key_order)])
    if not isinstance(coll, list):
        raise IloRuntimeError("ILO-R007", f"foreach requires a list, got {type_name(coll)}")
    return iter(coll)


def count(vm, R, operand):
    """The iterator an `@i a b{..}` walks."""
    a, b = R[operand[0]], R[operand[1]]
    if not isinstance(a, float) or isinstance(a, bool):
        raise IloRuntimeError("ILO-R007", "range start must be a number")
    if not isinstance(b, float) or isinstance(b, bool):
        raise IloRuntimeError("ILO-R007", "range end must be a number")
    return map(float, range(int(a), int(b)))


def destructure(vm, R, operand):
    rec_reg, names, slots = operand
    rec = R[rec_reg]
    if not isinstance(rec, Record):
        raise IloRuntimeError("ILO-R005", "destructure requires a record")
    for name, slot in zip(names, slots):
        if name not in rec.fields:
            raise IloRuntimeError("ILO-R005", f"no field '{name}' on record")
        R[slot] = rec.fields[name]
    return None


def undefined(vm, R, name):
    raise IloRuntimeError("ILO-R001", f"undefined variable '{name}'")


def load_checked(vm, R, operand):
    """A local that may not be bound yet (first bound in a `wh` body)."""
    slot, name, global_value = operand
    v = R[slot]
    if v is not vm.unbound:
        return v
    if global_value is None:
        undefined(vm, R, name)
    return global_value


def call_named(vm, R, operand):
    name, regs = operand
    return vm.call_named(name, [R[i] for i in regs])


def call_local(vm, R, operand):
    """`f args` where a local named f is in scope (a function value, or a value)."""
    slot, name, regs, unwrap = operand
    target = R[slot]
    args = [R[i] for i in regs]
    if target is vm.unbound:
        return vm.call_named(name, args)
    if isinstance(target, FnVal):
        return vm.call_named(target.name, args + list(target.captures))
    if isinstance(target, str) and target in vm.functions:
        return vm.call_named(target, args)
    if args:
        return vm.call_named(name, args)
    if unwrap:
        raise ops.unwrap_on_value_error(name, target, unwrap)
    return target
