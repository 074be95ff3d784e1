"""Expressions and calls of the function codegen (a mixin of FunctionCodegen).

Same rules as :mod:`ilo.engines.tree`: arguments are evaluated before the
callee is looked up, a local shadows a function, ``&``/``|`` return an
operand (not a boolean), a match expression catches ``ret``/``brk``.
"""

from __future__ import annotations

from llvmlite import ir

from ilo.engines.jit import boxing
from ilo.engines.jit.lowering import B, DOUBLE, I1, I32, I64, L, LIST, N, NIL, T, Slot, Unsupported, Val, dconst
from ilo.engines.jit.module import declared_kinds
from ilo.runtime import builtins as BI
from ilo.syntax import ast as A

PARAM_KINDS = {"n": N, "b": B}
INLINE_LEVELS = 2                  # self-recursive calls compiled in place this deep
INLINE_MAX_STATEMENTS = 8


class Expressions:
    # ---- expressions ----
    def literal(self, value) -> Val:
        if type(value) is float:
            return Val(N, dconst(value))
        if type(value) is bool:
            return Val(B, ir.Constant(I1, int(value)))
        if value is None:
            return Val(NIL, None)
        if type(value) is str:
            bits = boxing.TEXT_BITS | self.ctx.text_id(value)
            return Val(T, dconst(boxing.bits_to_float(bits)))
        raise Unsupported(f"{type(value).__name__} literals")

    def expr(self, e) -> Val:
        kind = type(e)
        if kind is A.Lit:
            return self.literal(e.value)
        if kind is A.Ref:
            var = self.lookup(e.name)
            if var is None:
                raise Unsupported(f"'{e.name}' used as a value (function value or undefined)")
            if var.maybe_unbound:
                raise Unsupported(f"'{e.name}' may be unbound after the loop that binds it")
            if var.kinds == L:
                return Val(L, self.b.load(var.ptr, typ=LIST))
            return self.from_box(var.kinds, self.b.load(var.ptr, typ=DOUBLE))
        if kind is A.ListE:
            return self.list_literal(e.items)
        if kind is A.Index:
            return self.list_index(e)
        if kind is A.Field:
            return self.list_field(e)
        if kind is A.BinOp:
            return self.binop(e)
        if kind is A.Call:
            return self.call(e)
        if kind is A.Not:
            return Val(B, self.b.not_(self.truthy(self.expr(e.operand))))
        if kind is A.Neg:
            return Val(N, self.b.fneg(self.num(self.expr(e.operand), "negation")))
        if kind is A.Ternary:
            return self.choose(self.truthy(self.expr(e.cond)), lambda: self.expr(e.then),
                               lambda: self.expr(e.other))
        if kind is A.Coalesce:
            return self.coalesce(e)
        if kind is A.MatchE:
            return self.match_expression(e)
        raise Unsupported(f"{kind.__name__} expressions")

    def choose(self, cond, then_fn, else_fn) -> Val:
        """Evaluate one of two branches; merge their values through a slot."""
        merged = Slot(self, block=self.block("merge"))
        yes, no = self.block("pick.then"), self.block("pick.else")
        self.b.cbranch(cond, yes, no)
        for bb, fn in ((yes, then_fn), (no, else_fn)):
            self.b.position_at_end(bb)
            merged.put(fn())
        self.b.position_at_end(merged.block)
        return merged.read()

    def binop(self, e) -> Val:
        op = e.op
        if op in ("&", "|"):
            left = self.expr(e.left)
            test = self.truthy(left)
            if op == "|":
                return self.choose(test, lambda: left, lambda: self.expr(e.right))
            return self.choose(test, lambda: self.expr(e.right), lambda: left)
        left, right = self.expr(e.left), self.expr(e.right)
        if op == "+=" and left.kinds == L:
            return self.list_append(left, right)
        if op == "+" and left.kinds == L and right.kinds == L:
            return self.list_concat(left, right)
        if op == "=":
            return Val(B, self.equal(left, right))
        if op == "!=":
            return Val(B, self.b.not_(self.equal(left, right)))
        a, c = self.num(left, op), self.num(right, op)
        if op == "+":
            return Val(N, self.b.fadd(a, c))
        if op == "-":
            return Val(N, self.b.fsub(a, c))
        if op == "*":
            return Val(N, self.b.fmul(a, c))
        if op == "/":
            self.fail_if(self.b.fcmp_ordered("==", c, dconst(0.0)), "ILO-R003", "division by zero",
                         "guard the divisor first: `=d 0 0` before `/n d`")
            return Val(N, self.b.fdiv(a, c))
        if op in (">", "<", ">=", "<="):
            return Val(B, self.b.fcmp_ordered(op, a, c))
        raise Unsupported(f"operator {op}")

    def coalesce(self, e) -> Val:
        value = self.expr(e.value)
        if "nil" not in value.kinds:
            return value
        if value.kinds == NIL:
            return self.expr(e.default)
        d = self.box(value)
        is_nil = self.b.icmp_unsigned("==", self.bits(d), ir.Constant(I64, boxing.NIL_BITS))
        rest = value.kinds - NIL
        return self.choose(is_nil, lambda: self.expr(e.default), lambda: self.from_box(rest, d))

    def match_expression(self, e) -> Val:
        subject = self.expr(e.subject) if e.subject is not None else Val(NIL, None)
        result = Slot(self, block=self.block("matche.end"))
        self.rets.append(result)
        self.brks.append(result)
        self.cnts.append(result)
        try:
            if not self.arms(e.arms, subject, result.put):
                result.put(Val(NIL, None))
        finally:
            self.rets.pop()
            self.brks.pop()
            self.cnts.pop()
        self.b.position_at_end(result.block)
        if not result.kinds:
            self.b.unreachable()
            raise Unsupported("a match expression with no reachable result")
        return result.read()

    # ---- calls ----
    def list_field(self, e) -> Val:
        """``xs.i`` with a variable ``i`` on a list is ``at xs i`` (as in the tree engine)."""
        obj = self.expr(e.obj)
        fields = {f.name for t in self.ctx.program.types.values() for f in t.fields}
        var = self.lookup(e.name)
        if obj.kinds != L or var is None or e.name in fields or e.safe:
            raise Unsupported("record fields")
        return self.list_at(obj, self.expr(A.Ref(e.name)))

    def call(self, e) -> Val:
        if e.unwrap:
            raise Unsupported(f"'{e.unwrap}' on a call")
        if self.lookup(e.name) is not None:
            raise Unsupported(f"calling the local '{e.name}'")
        args = [self.expr(a) for a in e.args]
        decl = self.ctx.program.functions.get(e.name)
        if decl is not None:
            if len(args) != len(decl.params):
                raise Unsupported(f"'{e.name}' called with {len(args)} args")
            if e.name in self.ctx.native:
                return self.call_native(decl, args)
            return self.call_fallback(decl, args)
        if e.name in self.ctx.program.tools:
            raise Unsupported(f"tool call '{e.name}'")
        name = BI.canonical(e.name)
        if name is None:
            raise Unsupported(f"unknown function '{e.name}'")
        return self.builtin(name, args)

    def call_native(self, decl, args) -> Val:
        for p, a in zip(decl.params, args):
            want = declared_kinds(p.type)
            if want is None or not a.kinds <= want:
                raise Unsupported(f"passes {'|'.join(sorted(a.kinds))} to {decl.name}'s {p.name}")
        boxed = [a.v if a.kinds == L else self.box(a) for a in args]
        depth = self.b.load(self.ctx.depth)
        self.fail_if(self.b.icmp_signed(">=", depth, ir.Constant(I32, self.ctx.max_depth)), "ILO-R604",
                     f"call depth exceeded {self.ctx.max_depth} (runaway recursion in '{decl.name}')",
                     "check that the recursion has a base case that is reached, "
                     "or rewrite deep recursion as a loop")
        self.b.store(self.b.add(depth, ir.Constant(I32, 1)), self.ctx.depth)
        if decl is self.decl and self.inline_budget > 0 and len(decl.body) <= INLINE_MAX_STATEMENTS:
            value = self.inline_self(args)
            self.b.store(depth, self.ctx.depth)
            return value
        result = self.b.call(self.ctx.functions[decl.name], boxed)
        self.b.store(depth, self.ctx.depth)
        self.propagate()
        kinds = self.ctx.result_kinds[decl.name]
        return Val(L, result) if kinds == L else self.from_box(kinds, result)

    def inline_self(self, args) -> Val:
        """A self-recursive call compiled in place, a few levels deep (as C compilers do):
        the frame counts in ``ilo_depth`` as a real call; an error inside returns from here."""
        saved = self.scopes, self.rets, self.brks, self.cnts
        self.inline_budget -= 1
        done = Slot(self, block=self.block("inline.ret"))
        self.scopes, self.rets, self.brks, self.cnts = [{}], [done], [done], [done]
        try:
            for p, a in zip(self.decl.params, args):
                self.new_var(p.name, a)
            value = self.body(self.decl.body)
            if value is not None:
                done.put(value)
        finally:
            self.scopes, self.rets, self.brks, self.cnts = saved
            self.inline_budget += 1
        self.b.position_at_end(done.block)
        if not done.kinds:
            self.b.unreachable()
            raise Unsupported("a recursive call that never returns")
        return done.read()

    def call_fallback(self, decl, args) -> Val:
        kinds = PARAM_KINDS.get(decl.ret[0] if decl.ret else "_")
        if kinds is None:
            raise Unsupported(f"calls '{decl.name}' (fallback) returning {A.type_str(decl.ret)}")
        return self.call_python(decl.name, args, kinds)

    def call_python(self, key, args, kinds) -> Val:
        """Call a fallback function or a builtin through the bridge (boxed args in a stack array)."""
        argv = self.alloca(DOUBLE, ir.Constant(I32, max(len(args), 1)))
        for i, a in enumerate(args):
            self.b.store(self.box(a), self.b.gep(argv, [ir.Constant(I32, i)]))
        result = self.b.call(self.ctx.call_fn, [ir.Constant(I32, self.ctx.callee_id(key)),
                                                ir.Constant(I32, self.ctx.stmt_id(self.span())), argv])
        self.propagate()
        return self.from_box(kinds, result)
