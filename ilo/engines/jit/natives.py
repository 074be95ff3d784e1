"""Builtins lowered to native code, each matching ``ilo/runtime/builtins/math_.py``.

Only builtins over numbers (and ``prnt``, which calls back into the sink)
are here; a call to any other builtin keeps the function on the fallback
engine.
"""

from __future__ import annotations

from ilo.runtime import builtins as BI

from ilo.engines.jit.lowering import B, DOUBLE, L, N, Unsupported, Val, dconst


class NativeBuiltins:
    def intrinsic(self, name, *args):
        fn = self.b.module.declare_intrinsic(name, [DOUBLE])
        return self.b.call(fn, list(args))

    def fabs(self, x):
        return self.intrinsic("llvm.fabs", x)

    def builtin(self, name, args) -> Val:
        if name == "prnt" and len(args) == 1 and args[0].kinds == L:
            self.b.call(self.ctx.print_list_fn, list(self.parts(args[0])))
            self.propagate()
            return args[0]
        if name == "prnt" and len(args) == 1:
            self.b.call(self.ctx.print_fn, [self.box(args[0])])
            self.propagate()
            return args[0]
        if args and args[0].kinds == L:
            if name == "len" and len(args) == 1:
                return self.list_len(args[0])
            if name == "at" and len(args) == 2:
                return self.list_at(args[0], args[1])
            if name in ("sum", "avg") and len(args) == 1:
                return self.list_reduce(name, args[0])
            raise Unsupported(f"builtin '{name}' on a list")
        lower = _UNARY.get(name) if len(args) == 1 else _BINARY.get(name) if len(args) == 2 else None
        if lower is None:
            return self.builtin_callback(name, args)
        nums = [self.num(a, name) for a in args]
        return Val(N, lower(self, *nums))

    def builtin_callback(self, name, args) -> Val:
        """Any other builtin returning n or b runs in Python, called back with boxed args."""
        spec = BI.lookup(name)
        kinds = {"n": N, "b": B}.get(spec.ret)
        if kinds is None or spec.fn_slots or (spec.arities is not None and len(args) not in spec.arities):
            raise Unsupported(f"builtin '{name}' with {len(args)} args")
        return self.call_python(("builtin", name, len(args)), args, kinds)

    # Python's float(math.floor(x)) is +0.0 where C floor gives -0.0; adding +0.0 fixes the sign.
    def _floor(self, x):
        return self.b.fadd(self.intrinsic("llvm.floor", x), dconst(0.0))

    def _ceil(self, x):
        return self.b.fadd(self.intrinsic("llvm.ceil", x), dconst(0.0))

    def _mod(self, a, c):
        self.fail_if(self.b.fcmp_ordered("==", c, dconst(0.0)), "ILO-R003", "modulo by zero")
        return self.b.frem(a, c)

    def _pick(self, a, c, op):
        """Rust's f64::min/max: a NaN operand yields the other one; ties keep the first."""
        keep_a = self.b.fcmp_ordered(op, a, c)
        picked = self.b.select(keep_a, a, c)
        picked = self.b.select(self.b.fcmp_unordered("uno", c, c), a, picked)
        return self.b.select(self.b.fcmp_unordered("uno", a, a), c, picked)


_UNARY = {
    "abs": lambda g, x: g.fabs(x),
    "flr": NativeBuiltins._floor,
    "cel": NativeBuiltins._ceil,
    "rou": lambda g, x: g.intrinsic("llvm.round", x),
    "sqrt": lambda g, x: g.intrinsic("llvm.sqrt", x),
}
_BINARY = {
    "mod": NativeBuiltins._mod,
    "min": lambda g, a, c: g._pick(a, c, "<="),
    "max": lambda g, a, c: g._pick(a, c, ">="),
    "pow": lambda g, a, c: g.b.call(g.b.module.declare_intrinsic("llvm.pow", [DOUBLE]), [a, c]),
}
