"""Expressions, conditions and inlining for the compiler (a mixin of
:class:`~ilo.engines.vm.compiler.Compiler`): every method leaves a value in a
register, or jumps on one."""

from __future__ import annotations

from ilo.engines.vm import builders
from ilo.engines.vm import handlers as H
from ilo.engines.vm.code import Target
from ilo.engines.vm.opcodes import ARITH, BRANCH
from ilo.runtime import builtins as B
from ilo.runtime.values import FnVal, truthy
from ilo.syntax import ast as A


class ExpressionCompiler:
    # ---- inlining ----
    def can_inline(self, name) -> bool:
        """Small functions that call no user function are compiled into their
        callers: no call, no frame, and no endless expansion."""
        ok = self.engine.inlinable.get(name)
        if ok is None:
            decl = self.engine.functions[name]
            nodes = list(_walk(decl.body))
            ok = len(nodes) <= INLINE_NODES and not any(
                type(n) is A.Call and n.name in self.engine.functions for n in nodes)
            self.engine.inlinable[name] = ok
        return ok and name not in self.engine.native_functions

    def inline(self, decl, args, out) -> None:
        """The callee's body in the caller's registers, in a scope of its own;
        `ret` (and `brk`/`cnt` outside loops) jump to its end with the value."""
        assigned = {n.name for n in _walk(decl.body) if type(n) is A.Let} | \
            {name for n in _walk(decl.body) if type(n) is A.Destructure for name in n.names}
        params = {}
        for p, a in zip(decl.params, args):
            if p.name in assigned:
                r = params[p.name] = self.new_reg(None, p.name)
                self.emit("MOVE", r, a)
            else:
                params[p.name] = a
        dst = out if out not in args else self.temp()
        saved = self.scopes, self.maybe, self.loop_span, self.scalar_names, self.scalars
        self.scopes, self.maybe, self.scalar_names, self.scalars = [params], set(), set(), {}
        target = Target("inline", dst)
        self.targets.append(target)
        self.body(decl.body, dst)
        self.targets.pop()
        self.land(target.ends)
        self.scopes, self.maybe, self.loop_span, self.scalar_names, self.scalars = saved
        if dst != out:
            self.emit("MOVE", out, dst)

    # ---- conditions ----
    def branch(self, e, when: bool, target=None):
        """Jump (to target, or to a returned placeholder list) when truthy(e) == when."""
        jumps: list[int] = []
        self._branch(e, when, jumps)
        if target is not None:
            for j in jumps:
                self.patch(j, target)
            return None
        return jumps

    def _branch(self, e, when, jumps) -> None:
        t = type(e)
        if t is A.BinOp and e.op in BRANCH:
            left, right = self.operand(e.left), self.operand(e.right)
            jumps.append(self.emit(BRANCH[e.op][1 if when else 0], left, right))
        elif t is A.Not:
            self._branch(e.operand, not when, jumps)
        elif t is A.BinOp and e.op in ("&", "|"):
            if (e.op == "&") != when:       # & jumping when false, | jumping when true: either side
                self._branch(e.left, when, jumps)
                self._branch(e.right, when, jumps)
            else:                           # both sides must agree
                skip: list[int] = []
                self._branch(e.left, not when, skip)
                self._branch(e.right, when, jumps)
                self.land(skip)
        elif t is A.Lit:
            if truthy(e.value) == when:
                jumps.append(self.emit("JUMP"))
        else:
            jumps.append(self.emit("JT" if when else "JF", self.operand(e)))

    # ---- expressions ----
    def operand(self, e) -> int:
        """A register holding e's value (a local's or constant's own, or a new temp)."""
        t = type(e)
        if t is A.Lit:
            return self.const(e.value)
        if t is A.Ref:
            r = self.lookup(e.name)
            if r is not None and r not in self.maybe:
                return r
        if t is A.Field and type(e.obj) is A.Ref and e.obj.name in self.scalars:
            return self.scalars[e.obj.name][e.name]
        r = self.temp()
        self.into(e, r)
        return r

    def into(self, e, dst) -> None:
        """Emit code leaving e's value in dst (dst is written last, once per path)."""
        getattr(self, "e_" + type(e).__name__)(e, dst)

    def e_Lit(self, e, dst):
        self.emit("MOVE", dst, self.const(e.value))

    def e_Ref(self, e, dst):
        name = e.name
        r = self.lookup(name)
        if r is not None:
            if r in self.maybe:
                self.ext(dst, H.load_checked, (r, name, self.global_ref(name)))
            else:
                self.emit("MOVE", dst, r)
            return
        g = self.global_ref(name)
        if g is None:
            self.ext(dst, H.undefined, name)
        else:
            self.emit("MOVE", dst, self.const(g))

    def global_ref(self, name):
        """What a name means when no local holds it: a function value or None."""
        eng = self.engine
        if name in eng.functions or name in eng.tool_decls:
            return FnVal(name)
        spec = B.lookup(name)
        return FnVal(spec.name) if spec is not None else None

    def e_BinOp(self, e, dst):
        op = e.op
        if op in ("&", "|"):
            left = self.operand(e.left)
            short = self.emit("JF" if op == "&" else "JT", left)
            self.into(e.right, dst)
            done = self.emit("JUMP")
            self.land(short)
            self.emit("MOVE", dst, left)
            self.land(done)
            return
        left, right = self.operand(e.left), self.operand(e.right)
        if op in ARITH:
            self.emit(ARITH[op], dst, left, right)
        else:
            self.ext(dst, H.binop, (op, left, right))

    def e_Call(self, e, dst):
        name = e.name
        args = tuple(self.operand(a) for a in e.args)
        local = self.lookup(name)
        out = dst if not e.unwrap else self.temp()
        eng = self.engine
        if local is not None:
            self.ext(out, H.call_local, (local, name, args, e.unwrap), span=e.span)
        elif name in eng.functions and len(args) == len(eng.functions[name].params):
            code = eng.codes[name]
            if name in eng.native_functions:
                self.ext(out, H.call_named, (name, args), span=e.span)
            elif self.can_inline(name):
                self.inline(code.decl, args, out)
            else:
                self.emit_call("CALL", out, code, args, e.span)
        elif name not in eng.functions and name not in eng.tool_decls and _fixed_builtin(name, len(args)):
            spec = B.lookup(name)
            if len(args) == 1 and spec.unary is not None:
                self.emit("UNARY", out, spec.unary, args[0], span=e.span)
            else:
                self.emit_call("BUILTIN", out, spec.fn, args, e.span)
        else:
            self.ext(out, H.call_named, (name, args), span=e.span)
        if e.unwrap == "!":
            ok = self.emit("UNWRAP", dst, out)
            self.do_return(out)
            self.land(ok)
        elif e.unwrap:
            self.ext(dst, H.unwrap_panic, out)

    def emit_call(self, kind, out, target, args, span) -> None:
        """CALL1/CALL2/CALLN (or BUILTIN...): one and two arguments skip the list."""
        if len(args) == 1:
            self.emit(kind + "1", out, target, args[0], span=span)
        else:
            self.emit(kind + ("2" if len(args) == 2 else "N"), out, target, args, span=span)

    def e_Field(self, e, dst):
        if type(e.obj) is A.Ref and e.obj.name in self.scalars:
            self.emit("MOVE", dst, self.scalars[e.obj.name][e.name])
            return
        obj = self.operand(e.obj)
        local = self.lookup(e.name)
        self.emit("FIELD", dst, obj, (e.name, e.safe, -1 if local is None else local))

    def e_Index(self, e, dst):
        self.ext(dst, H.index, (self.operand(e.obj), e.index, e.safe))

    def e_Not(self, e, dst):
        self.ext(dst, H.not_, self.operand(e.operand))

    def e_Neg(self, e, dst):
        self.ext(dst, H.neg, self.operand(e.operand))

    def e_OkE(self, e, dst):
        self.ext(dst, H.ok, self.operand(e.inner))

    def e_ErrE(self, e, dst):
        self.ext(dst, H.err, self.operand(e.inner))

    def e_ListE(self, e, dst):
        regs = tuple(self.operand(x) for x in e.items)
        self.ext(dst, builders.list_builder(regs), regs)

    def e_RecordE(self, e, dst):
        regs = tuple(self.operand(x) for _, x in e.fields)
        names = tuple(n for n, _ in e.fields)
        self.ext(dst, builders.record_builder(e.type_name, names, regs), (e.type_name, names, regs))

    def e_With(self, e, dst):
        obj = self.operand(e.obj)
        regs = tuple(self.operand(x) for _, x in e.updates)
        self.ext(dst, H.with_, (obj, tuple(n for n, _ in e.updates), regs))

    def e_MakeClosure(self, e, dst):
        self.ext(dst, H.closure, (e.fn_name, tuple(self.operand(c) for c in e.captures)))

    def e_Coalesce(self, e, dst):
        value = self.operand(e.value)
        has = self.emit("JNOTNIL", value)
        self.into(e.default, dst)
        done = self.emit("JUMP")
        self.land(has)
        self.emit("MOVE", dst, value)
        self.land(done)

    def e_Ternary(self, e, dst):
        other = self.branch(e.cond, False)
        self.into(e.then, dst)
        done = self.emit("JUMP")
        self.land(other)
        self.into(e.other, dst)
        self.land(done)

    def e_MatchE(self, e, dst):
        # arms write their running value, so work in a fresh register
        t = self.temp()
        subject = self.operand(e.subject) if e.subject is not None else self.nil
        self.emit("MOVE", t, self.nil)
        target = Target("match", t)
        self.targets.append(target)
        ends = self.arms(e.arms, subject, t)
        self.targets.pop()
        self.land(ends + target.ends)
        self.emit("MOVE", dst, t)


#: AST nodes a function may have and still be inlined
INLINE_NODES = 60


def _walk(node):
    """Every AST node under node (lists and tuples included)."""
    if isinstance(node, (list, tuple)):
        for x in node:
            yield from _walk(x)
    elif isinstance(node, A.Node):
        yield node
        for f in node._fields:
            yield from _walk(getattr(node, f))


def _fixed_builtin(name, nargs) -> bool:
    spec = B.lookup(name)
    return spec is not None and (spec.arities is None or nargs in spec.arities)
