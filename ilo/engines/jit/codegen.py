"""One ilo function -> one LLVM function, by walking its AST.

The walk mirrors :mod:`ilo.engines.tree` statement by statement so the
native code has the same semantics: a body's value is its last
value-producing statement, ``ret`` inside a guard-with-else or a match
expression ends only that construct, ``wh`` bodies share the enclosing
scope while range loops and guard bodies get their own. Anything the walk
cannot lower raises :class:`Unsupported`, and the whole function stays on
the fallback engine.

Errors: a failing operation stores its error-site id in ``ilo_err`` and
returns; every caller checks ``ilo_err`` after a call and returns too, so
the error reaches the Python bridge, which raises the IloRuntimeError.
"""

from __future__ import annotations

from llvmlite import ir

from ilo.engines.jit.expressions import INLINE_LEVELS, Expressions
from ilo.engines.jit.lists import NativeLists
from ilo.engines.jit.lowering import (
    DOUBLE, I1, I32, I64, L, LIST, N, NIL, Ops, Slot, Unsupported, Val, dconst,
)
from ilo.engines.jit.module import declared_kinds
from ilo.engines.jit.natives import NativeBuiltins
from ilo.syntax import ast as A

POLL_INTERVAL = 1 << 20


class Var:
    __slots__ = ("ptr", "kinds", "maybe_unbound")

    def __init__(self, ptr, kinds):
        self.ptr = ptr
        self.kinds = kinds
        self.maybe_unbound = False   # first bound in a `wh` body: unbound if it never ran


class Jump:
    """A ``cnt`` target that carries no value (a loop's latch)."""

    def __init__(self, gen, block):
        self.gen = gen
        self.block = block

    def put(self, val):
        self.gen.b.branch(self.block)


class FunctionCodegen(Ops, Expressions, NativeBuiltins, NativeLists):
    def __init__(self, ctx, decl):
        self.ctx = ctx
        self.decl = decl
        self.fn = ctx.functions[decl.name]
        self.dummy = ir.Constant(self.fn.function_type.return_type, None)   # returned on error
        self.inline_budget = INLINE_LEVELS
        entry = self.fn.append_basic_block("entry")
        self.allocas = ir.IRBuilder(entry)
        start = self.fn.append_basic_block("start")
        self.b = ir.IRBuilder(start)
        self.scopes: list[dict] = [{}]
        self.stmts: list = []
        self.rets: list = []
        self.brks: list = []
        self.cnts: list = []

    # ---- helpers ----
    def alloca(self, ty=DOUBLE, count=None):
        return self.allocas.alloca(ty, size=count)

    def block(self, name):
        return self.fn.append_basic_block(name)

    def span(self):
        return self.stmts[-1].span if self.stmts else self.decl.span

    def fail_if(self, cond, code, message, hint=None, python_error=None, args=()):
        site = self.ctx.site(code, message, hint, self.span(), python_error)
        bad, ok = self.block("fail"), self.block("ok")
        self.b.cbranch(cond, bad, ok)
        self.b.position_at_end(bad)
        for value, cell in zip(args, (self.ctx.err_a, self.ctx.err_b)):
            self.b.store(value, cell)
        self.b.store(ir.Constant(I32, site), self.ctx.err)
        self.b.ret(self.dummy)
        self.b.position_at_end(ok)

    def propagate(self):
        """After a call: an error set below returns from here too."""
        failed = self.b.icmp_signed("!=", self.b.load(self.ctx.err), ir.Constant(I32, 0))
        bad, ok = self.block("unwind"), self.block("ok")
        self.b.cbranch(failed, bad, ok)
        self.b.position_at_end(bad)
        self.b.ret(self.dummy)
        self.b.position_at_end(ok)

    def poll(self, fuel_ptr):
        """On a loop's back-edge: every POLL_INTERVAL turns call into Python once,
        so the guard's pending signal handler runs (a native loop never reaches a
        bytecode). The counter is a local, so it lives in a register."""
        fuel = self.b.sub(self.b.load(fuel_ptr), ir.Constant(I64, 1))
        self.b.store(fuel, fuel_ptr)
        empty, ok = self.block("poll"), self.block("fueled")
        self.b.cbranch(self.b.icmp_signed("<=", fuel, ir.Constant(I64, 0)), empty, ok)
        self.b.position_at_end(empty)
        self.b.store(ir.Constant(I64, POLL_INTERVAL), fuel_ptr)
        self.b.call(self.ctx.poll_fn, [])
        self.propagate()
        self.b.branch(ok)
        self.b.position_at_end(ok)

    def terminated(self) -> bool:
        return self.b.block.is_terminated

    # ---- entry ----
    def build(self) -> frozenset:
        """Emit the function; return the kinds of value it may return."""
        for p, arg in zip(self.decl.params, self.fn.args):
            kinds = declared_kinds(p.type)
            if kinds is None:
                raise Unsupported(f"parameter {p.name} is {A.type_str(p.type)}, not n, b or L n")
            self.new_var(p.name, Val(kinds, arg) if kinds in (N, L) else self.from_box(kinds, arg))
        done = Slot(self, block=self.block("return"))
        self.rets.append(done)
        self.brks.append(done)
        self.cnts.append(done)
        value = self.body(self.decl.body)
        if value is not None:
            done.put(value)
        self.allocas.branch(self.fn.blocks[1])
        self.b.position_at_end(done.block)
        if not done.kinds:
            self.b.unreachable()
            return frozenset({"nil"})
        result = done.read()
        if (result.kinds == L) != (self.dummy.type == LIST):
            self.b.ret(self.dummy)        # guessed the wrong result type: the planner redoes the round
            return done.kinds
        self.b.ret(result.v if result.kinds == L else self.box(result))
        return done.kinds

    # ---- variables ----
    def lookup(self, name):
        for scope in reversed(self.scopes):
            var = scope.get(name)
            if var is not None:
                return var
        return None

    def new_var(self, name, val: Val):
        var = Var(self.alloca(LIST if val.kinds == L else DOUBLE), val.kinds)
        self.scopes[-1][name] = var
        self.b.store(val.v if val.kinds == L else self.box(val), var.ptr)

    def assign(self, name, val: Val):
        var = self.lookup(name)
        if var is None:
            self.new_var(name, val)
            return
        if not val.kinds <= var.kinds or (val.kinds == L) != (var.kinds == L):
            raise Unsupported(f"variable {name} changes kind")
        self.b.store(val.v if val.kinds == L else self.box(val), var.ptr)

    def scoped_body(self, stmts, bind=None):
        self.scopes.append({})
        try:
            if bind is not None:
                self.new_var(*bind)
            return self.body(stmts)
        finally:
            self.scopes.pop()

    # ---- statements ----
    def body(self, stmts) -> Val | None:
        """A statement list's value (``exec_body``); None when its end is unreachable."""
        last = Slot(self, NIL, init=Val(NIL, None))
        for st in stmts:
            if self.terminated():
                break
            self.stmts.append(st)
            try:
                self.statement(st, last)
            finally:
                self.stmts.pop()
        if self.terminated():
            return None
        return last.read()

    def statement(self, st, last: Slot):
        kind = type(st)
        if kind is A.Let:
            self.assign(st.name, self.expr(st.value))
        elif kind is A.ExprS:
            v = self.expr(st.expr)
            last.store(v)
            last.kinds = v.kinds
        elif kind is A.Guard:
            self.guard(st, last)
        elif kind is A.MatchS:
            subject = self.expr(st.subject) if st.subject is not None else last.read()
            self.match_statement(st.arms, subject, last)
        elif kind is A.While:
            self.set_last(last, self.while_loop(st))
        elif kind is A.ForRange:
            self.set_last(last, self.range_loop(st))
        elif kind is A.ForEach:
            self.set_last(last, self.foreach(st))
        elif kind is A.Return:
            self.rets[-1].put(self.expr(st.value))
        elif kind is A.Break:
            self.brks[-1].put(self.expr(st.value) if st.value is not None else Val(NIL, None))
        elif kind is A.Continue:
            self.cnts[-1].put(Val(NIL, None))
        else:
            raise Unsupported(f"{kind.__name__.lower()} statements")

    def set_last(self, last: Slot, val: Val | None):
        if val is not None:
            last.store(val)
            last.kinds = val.kinds

    def guard(self, st, last: Slot):
        hit = self.truthy(self.expr(st.cond))
        if st.negated:
            hit = self.b.not_(hit)
        yes, no = self.block("then"), self.block("else")
        self.b.cbranch(hit, yes, no)
        if st.else_body is not None:
            result = Slot(self, block=self.block("guard.end"))
            self.rets.append(result)
            try:
                for bb, stmts in ((yes, st.body), (no, st.else_body)):
                    self.b.position_at_end(bb)
                    v = self.scoped_body(stmts)
                    if v is not None:
                        result.put(v)
            finally:
                self.rets.pop()
            self.b.position_at_end(result.block)
            if not result.kinds:
                self.b.unreachable()
                return
            self.set_last(last, result.read())
            return
        before = last.kinds
        self.b.position_at_end(yes)
        v = self.scoped_body(st.body)
        if v is not None:
            if st.braceless:
                self.rets[-1].put(v)
            else:
                last.store(v)
                before = before | v.kinds
                self.b.branch(no)
        self.b.position_at_end(no)
        last.kinds = before

    def arms(self, arms, subject: Val, on_value):
        """Test arms in order; ``on_value(v)`` ends a matched arm. True when some arm always matches."""
        for arm in arms:
            test, bind = self.pattern(arm.pattern, subject)
            if isinstance(test, ir.Constant) and not test.constant:
                continue
            always = isinstance(test, ir.Constant)
            if not always:
                yes, nxt = self.block("arm"), self.block("next")
                self.b.cbranch(test, yes, nxt)
                self.b.position_at_end(yes)
            v = self.scoped_body(arm.body, bind)
            if v is not None:
                on_value(v)
            if always:
                return True
            self.b.position_at_end(nxt)
        return False

    def match_statement(self, arms, subject: Val, last: Slot):
        end = Slot(self, block=self.block("match.end"))
        before = last.kinds

        def arm_value(v):
            last.store(v)
            end.kinds = end.kinds | v.kinds
            self.b.branch(end.block)

        if not self.arms(arms, subject, arm_value):
            end.kinds = end.kinds | before
            self.b.branch(end.block)
        self.b.position_at_end(end.block)
        if not end.kinds:
            self.b.unreachable()
        last.kinds = end.kinds

    def pattern(self, pat, subject: Val):
        kind = pat.kind
        if kind == "wild":
            return ir.Constant(I1, 1), ("_", subject)
        if kind in ("ok", "err"):
            return ir.Constant(I1, 0), None
        if kind == "lit":
            return self.equal(self.literal(pat.value), subject), None
        if kind == "type":
            test = self.kind_test(pat.value, subject)
            narrowed = frozenset({pat.value}) & subject.kinds
            if narrowed and narrowed != subject.kinds and not isinstance(test, ir.Constant):
                subject = self.from_box(narrowed, self.box(subject))
            return test, (pat.binding, subject)
        raise Unsupported(f"{kind} patterns")

    def loop(self, head, body_fn, latch=None, always_runs=False):
        """Shared loop skeleton: value = last finished body, or the ``brk`` value, or nil."""
        result = Slot(self, NIL if not always_runs else frozenset(), init=Val(NIL, None),
                      block=self.block("loop.end"))
        fuel = self.alloca(I64)
        self.b.store(ir.Constant(I64, POLL_INTERVAL), fuel)
        cond_bb = self.block("loop.cond")
        self.b.branch(cond_bb)
        self.b.position_at_end(cond_bb)
        go = head()
        body_bb = self.block("loop.body")
        self.b.cbranch(go, body_bb, result.block)
        self.b.position_at_end(body_bb)
        latch_bb = self.block("loop.latch")
        self.brks.append(result)
        self.cnts.append(Jump(self, latch_bb))
        try:
            v = body_fn()
        finally:
            self.brks.pop()
            self.cnts.pop()
        if v is not None:
            result.store(v)
            result.kinds = result.kinds | v.kinds
            self.b.branch(latch_bb)
        self.b.position_at_end(latch_bb)
        self.poll(fuel)
        if latch:
            latch()
        self.b.branch(cond_bb)
        self.b.position_at_end(result.block)
        if not result.kinds:
            self.b.unreachable()
            return None
        return result.read()

    def while_loop(self, st):
        forever = type(st.cond) is A.Lit and st.cond.value is True
        scope = self.scopes[-1]
        before = set(scope)
        result = self.loop(lambda: self.truthy(self.expr(st.cond)), lambda: self.body(st.body),
                           always_runs=forever)
        for name in scope.keys() - before:
            # a `wh` body binds in the function's scope, but a body that ran zero
            # times (or left early) bound nothing: reading the name afterwards is
            # ILO-R001 on the other engines, so such reads stay off native code
            scope[name].maybe_unbound = True
        return result

    def range_loop(self, st):
        start = self.num(self.expr(st.start), "range start")
        stop = self.num(self.expr(st.stop), "range end")
        lo, hi = self.to_int(start), self.to_int(stop)
        counter = self.alloca(I64)
        self.b.store(lo, counter)

        def head():
            return self.b.icmp_signed("<", self.b.load(counter), hi)

        def body():
            item = Val(N, self.b.sitofp(self.b.load(counter), DOUBLE))
            return self.scoped_body(st.body, (st.name, item))

        def latch():
            self.b.store(self.b.add(self.b.load(counter), ir.Constant(I64, 1)), counter)

        return self.loop(head, body, latch)

    def to_int(self, x):
        """Python's ``int(x)`` for a range bound, with its errors for NaN and infinity."""
        self.fail_if(self.b.fcmp_unordered("uno", x, x), "ILO-R013",
                     "cannot convert float NaN to integer", python_error=ValueError)
        big = self.b.fcmp_ordered("==", self.fabs(x), dconst(float("inf")))
        self.fail_if(big, "ILO-R013", "cannot convert float infinity to integer",
                     python_error=OverflowError)
        return self.b.fptosi(x, I64)
