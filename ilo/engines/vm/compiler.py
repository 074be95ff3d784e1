"""Compile a checked function declaration into a :class:`Code` object.

Scopes are resolved here, once: every local gets a register, so the loop
never looks a name up. The tree engine's block scopes (a name first bound
inside a guard, arm or ``@`` body is gone after it; ``wh`` bodies bind in
the enclosing scope) are mirrored statically: a block's new names get fresh
registers that later code simply does not see. A name first bound inside a
``wh`` body may be unbound after the loop (zero iterations); its register
starts as :data:`UNBOUND` and reads after the loop go through a check.

Control signals of the tree engine become jumps: ``ret`` and ``!`` go to
the innermost function, guard-with-else or match expression; ``brk`` and
``cnt`` to the innermost loop, match expression or function.
"""

from __future__ import annotations

from ilo.engines.vm import handlers as H
from ilo.engines.vm.opcodes import ARITH, BRANCH, JUMP_A, JUMP_B, JUMP_C, OP, STEPS
from ilo.runtime import builtins as B
from ilo.runtime.values import FnVal, truthy
from ilo.syntax import ast as A


class Unbound:
    """Register value of a local that no statement has bound yet."""

    __slots__ = ()

    def __repr__(self):
        return "<unbound>"


UNBOUND = Unbound()

_LOOPS = (A.While, A.ForEach, A.ForRange)
#: statements that always leave a value (or leave the body): earlier values are dead
_DEFINITE = (A.ExprS, A.While, A.ForEach, A.ForRange, A.Return, A.Break, A.Continue)


class Code:
    """One function's bytecode.

    ``tail`` is the register file after the parameters (constants in place,
    locals unset); a call's frame is ``[args..., *tail]``. ``sites[pc]`` is
    ``(statement span, innermost loop span, call span)`` for error spans and
    for the guard's "where was it stopped"."""

    __slots__ = ("name", "decl", "instrs", "sites", "tail", "nparams", "slot_names")

    def __init__(self, name: str, decl: A.FnDecl):
        self.name = name
        self.decl = decl
        self.nparams = len(decl.params)
        self.instrs: list | None = None
        self.sites: list = []
        self.tail: list = []
        self.slot_names: dict = {}

    def __repr__(self):
        return f"<code {self.name}>"


class _Target:
    """Where ``ret``/``brk``/``cnt`` go: kind is fn, guard, match or loop."""

    __slots__ = ("kind", "dst", "ends", "conts")

    def __init__(self, kind, dst=None):
        self.kind = kind
        self.dst = dst
        self.ends: list[int] = []    # jumps to patch with the construct's end
        self.conts: list[int] = []   # loops: jumps to patch with the continue point


class Compiler:
    def __init__(self, engine, code: Code):
        self.engine = engine
        self.code = code
        self.instrs: list = []
        self.sites: list = []
        self.regs: list = []          # initial register values
        self.consts: dict = {}
        self.names: dict = {}
        self.scopes: list[dict] = [{}]
        self.maybe: set = set()       # registers whose local may be unbound here
        self.ever_maybe: set = set()  # ...anywhere: they start as UNBOUND
        self.targets: list[_Target] = [_Target("fn")]
        self.stmt_span = None
        self.loop_span = None
        for p in code.decl.params:
            self.scopes[0][p.name] = self.new_reg(None, p.name)
        self.nil = self.const(None)

    # ---- registers ----
    def new_reg(self, init=None, name=None) -> int:
        self.regs.append(init)
        r = len(self.regs) - 1
        if name is not None:
            self.names[r] = name
        return r

    def temp(self) -> int:
        return self.new_reg()

    def const(self, value) -> int:
        key = (type(value), repr(value))
        r = self.consts.get(key)
        if r is None:
            r = self.consts[key] = self.new_reg(value)
            self.names[r] = "=" + repr(value)
        return r

    def lookup(self, name):
        for scope in reversed(self.scopes):
            r = scope.get(name)
            if r is not None:
                return r
        return None

    def bind(self, name) -> int:
        """The register a `name=...` writes: the visible one, else a new one in this scope."""
        r = self.lookup(name)
        if r is None:
            r = self.scopes[-1][name] = self.new_reg(None, name)
        return r

    def define(self, name) -> int:
        """A loop variable or arm binding: always a new register (shadows)."""
        r = self.scopes[-1][name] = self.new_reg(None, name)
        return r

    # ---- emitting ----
    def emit(self, op: str, a=0, b=0, c=0, span=None) -> int:
        self.instrs.append((OP[op], a, b, c))
        self.sites.append((self.stmt_span, self.loop_span, span))
        return len(self.instrs) - 1

    def ext(self, dst, handler, operand, span=None) -> int:
        return self.emit("EXT", dst, handler, operand, span=span)

    def here(self) -> int:
        return len(self.instrs)

    def patch(self, at: int, target: int) -> None:
        op, a, b, c = self.instrs[at]
        if op in JUMP_A:
            a = target
        elif op in JUMP_B:
            b = target
        elif op in JUMP_C:
            c = target
        elif op == OP["MATCH"]:
            c = (c[0], target)
        else:
            raise AssertionError(f"patching a non-jump at {at}")
        self.instrs[at] = (op, a, b, c)

    # ---- entry ----
    def compile(self) -> Code:
        body = self.code.decl.body
        if body and type(body[-1]) is A.ExprS and not _has_bare_match(body):
            self.body(body[:-1], None)
            self.stmt_span = body[-1].span
            self.emit("RET", self.operand(body[-1].expr))
        else:
            dst = self.temp()
            self.body(body, dst)
            self.emit("RET", dst)
        self.fuse_steps()
        code = self.code
        code.instrs = self.instrs
        code.sites = self.sites
        self.regs = [UNBOUND if i in self.ever_maybe else v for i, v in enumerate(self.regs)]
        code.tail = self.regs[code.nparams:]
        code.slot_names = self.names
        return code

    def fuse_steps(self) -> None:
        """`i=+i 1` right before a loop's `<i n` test becomes one STEP instruction
        (the test stays after it, for the loop's entry and for non-numbers)."""
        instrs = self.instrs
        add_self = OP["ADD_SELF"]
        for i in range(len(instrs) - 1):
            op, a, b, _ = instrs[i]
            nxt = instrs[i + 1]
            if op == add_self and nxt[0] in STEPS:
                instrs[i] = (STEPS[nxt[0]], a, b, (nxt[1], nxt[2], nxt[3]))

    # ---- statements ----
    def body(self, stmts, dst) -> None:
        """exec_body: dst ends as the last value produced (None if none)."""
        bare = _has_bare_match(stmts)
        if bare and dst is None:
            dst = self.temp()
        if dst is not None and not (stmts and (isinstance(stmts[0], _DEFINITE) or (
                isinstance(stmts[-1], _DEFINITE) and not bare))):
            self.emit("MOVE", dst, self.nil)
        for i, st in enumerate(stmts):
            live = dst if (bare or not any(isinstance(s, _DEFINITE) for s in stmts[i + 1:])) else None
            saved = self.stmt_span
            self.stmt_span = st.span
            if type(st) is A.MatchS and st.subject is None:
                self.match_stmt(st, dst, dst)
            else:
                getattr(self, "s_" + type(st).__name__)(st, live)
            self.stmt_span = saved

    def scoped(self, stmts, dst) -> None:
        self.scopes.append({})
        self.body(stmts, dst)
        self.scopes.pop()

    def s_Let(self, st, dst):
        v, name = st.value, st.name
        cur = self.lookup(name)
        if cur is not None and type(v) is A.BinOp and type(v.left) is A.Ref and v.left.name == name \
                and v.op in ("+", "+=") and cur not in self.maybe:
            self.emit("ADD_SELF" if v.op == "+" else "APPEND_SELF", cur, self.operand(v.right))
            return
        if cur is not None and cur not in self.maybe and type(v) is A.Call and v.name == "mset" \
                and not v.unwrap and len(v.args) == 3 and type(v.args[0]) is A.Ref \
                and v.args[0].name == name:
            k, val = self.operand(v.args[1]), self.operand(v.args[2])
            self.emit("MSET_SELF", cur, (k, val), span=v.span)
            return
        if cur is None or cur in self.maybe:
            r = self.temp() if cur is None else cur
            self.into(v, r)
            if cur is None:
                self.scopes[-1][name] = r
                self.names[r] = name
            self.maybe.discard(r)
            return
        self.into(v, cur)

    def s_Destructure(self, st, dst):
        rec = self.operand(st.value)
        slots = []
        for name in st.names:
            slots.append(self.bind(name))
        for r in slots:
            self.maybe.discard(r)
        self.ext(self.temp(), H.destructure, (rec, tuple(st.names), tuple(slots)))

    def s_ExprS(self, st, dst):
        if dst is None:
            self.into(st.expr, self.temp())
        else:
            self.into(st.expr, dst)

    def s_Guard(self, st, dst):
        if st.braceless:
            skip = self.branch(st.cond, st.negated)
            if len(st.body) == 1 and type(st.body[0]) is A.ExprS:
                self.do_return(self.operand(st.body[0].expr))
            else:
                t = self.temp()
                self.scoped(st.body, t)
                self.do_return(t)
            self.land(skip)
            return
        if st.else_body is None:
            skip = self.branch(st.cond, st.negated)
            self.scoped(st.body, dst)
            self.land(skip)
            return
        target = _Target("guard", dst)
        self.targets.append(target)
        other = self.branch(st.cond, st.negated)
        self.scoped(st.body, dst)
        done = self.emit("JUMP")
        self.land(other)
        self.scoped(st.else_body, dst)
        self.targets.pop()
        self.land([done] + target.ends)

    def s_MatchS(self, st, dst):
        self.match_stmt(st, self.operand(st.subject), dst)

    def match_stmt(self, st, subject, dst):
        self.land(self.arms(st.arms, subject, dst))

    def arms(self, arms, subject, dst) -> list[int]:
        """Each arm: test, bind, body; returns the jumps to the match's end."""
        ends = []
        for arm in arms:
            self.scopes.append({})
            test = self.match_test(arm.pattern, subject)
            self.body(arm.body, dst)
            self.scopes.pop()
            ends.append(self.emit("JUMP"))
            self.land([test])
        return ends

    def match_test(self, pat, subject) -> int:
        bind = -1
        if pat.kind in ("wild", "ok", "err", "type") and pat.binding is not None:
            bind = self.define(pat.binding)
        return self.emit("MATCH", bind, subject, (pat, None))

    def s_While(self, st, dst):
        self.loop(st, dst, None)

    def s_ForEach(self, st, dst):
        it = self.temp()
        self.ext(it, H.iterate, self.operand(st.coll))
        self.loop(st, dst, it)

    def s_ForRange(self, st, dst):
        it = self.temp()
        self.ext(it, H.count, (self.operand(st.start), self.operand(st.stop)))
        self.loop(st, dst, it)

    def loop(self, st, dst, it):
        """Test at the bottom: one compare-and-branch per iteration."""
        saved_loop = self.loop_span
        self.loop_span = st.span
        if dst is not None:
            self.emit("MOVE", dst, self.nil)
        target = _Target("loop", dst)
        self.targets.append(target)
        enter = self.emit("JUMP")
        top = self.here()
        before = set(self.scopes[-1])
        if it is None:
            body_dst = self.temp() if dst is not None and _has_continue(st.body) else dst
            self.body(st.body, body_dst)
            created = [self.scopes[-1][n] for n in self.scopes[-1] if n not in before]
        else:
            self.scopes.append({})
            var = self.define(st.name)
            body_dst = self.temp() if dst is not None and _has_continue(st.body) else dst
            self.body(st.body, body_dst)
            self.scopes.pop()
            created = []
        if body_dst is not dst:
            self.emit("MOVE", dst, body_dst)
        # a name first bound in a `wh` body stays bound after it, if the body ran
        self.maybe.update(created)
        self.ever_maybe.update(created)
        self.land([enter] + target.conts)
        self.stmt_span = st.span
        if it is None:
            self.branch(st.cond, True, top)
        else:
            self.emit("FOR", var, it, top)
        self.targets.pop()
        self.land(target.ends)
        self.loop_span = saved_loop

    def s_Return(self, st, dst):
        self.do_return(self.operand(st.value))

    def s_Break(self, st, dst):
        self.leave("loop", self.operand(st.value) if st.value is not None else self.nil)

    def s_Continue(self, st, dst):
        self.leave("cont", self.nil)

    def leave(self, how, value) -> None:
        """`brk`/`cnt`: to the innermost loop (its end / its next test), match
        expression (which takes the value; nil for `cnt`) or function (nil)."""
        for t in reversed(self.targets):
            if t.kind == "fn":
                self.emit("RET", self.nil)
                return
            if t.kind == "inline":
                self.emit("MOVE", t.dst, self.nil)
                t.ends.append(self.emit("JUMP"))
                return
            if t.kind == "loop" and how == "cont":
                t.conts.append(self.emit("JUMP"))
                return
            if t.kind in ("loop", "match"):
                if t.dst is not None:
                    self.emit("MOVE", t.dst, value)
                t.ends.append(self.emit("JUMP"))
                return

    def do_return(self, reg) -> None:
        """`ret`, a braceless guard and `!` propagation: leave the innermost
        function, guard-with-else or match expression with this value."""
        for t in reversed(self.targets):
            if t.kind == "fn":
                self.emit("RET", reg)
                return
            if t.kind in ("guard", "match", "inline"):
                if t.dst is not None:
                    self.emit("MOVE", t.dst, reg)
                t.ends.append(self.emit("JUMP"))
                return

    def land(self, jumps) -> None:
        at = self.here()
        for j in jumps if isinstance(jumps, list) else [jumps]:
            self.patch(j, at)

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
        saved = self.scopes, self.maybe, self.loop_span
        self.scopes, self.maybe = [params], set()
        target = _Target("inline", dst)
        self.targets.append(target)
        self.body(decl.body, dst)
        self.targets.pop()
        self.land(target.ends)
        self.scopes, self.maybe, self.loop_span = saved
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
            elif len(args) == 1:
                self.emit("CALL1", out, code, args[0], span=e.span)
            elif len(args) == 2:
                self.emit("CALL2", out, code, args, span=e.span)
            else:
                self.emit("CALLN", out, code, args, span=e.span)
        elif name not in eng.functions and name not in eng.tool_decls and _fixed_builtin(name, len(args)):
            fn = B.lookup(name).fn
            if len(args) == 1:
                self.emit("BUILTIN1", out, fn, args[0], span=e.span)
            elif len(args) == 2:
                self.emit("BUILTIN2", out, fn, args, span=e.span)
            else:
                self.emit("BUILTINN", out, fn, args, span=e.span)
        else:
            self.ext(out, H.call_named, (name, args), span=e.span)
        if e.unwrap == "!":
            ok = self.emit("UNWRAP", dst, out)
            self.do_return(out)
            self.land(ok)
        elif e.unwrap:
            self.ext(dst, H.unwrap_panic, out)

    def e_Field(self, e, dst):
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
        self.ext(dst, H.make_list, tuple(self.operand(x) for x in e.items))

    def e_RecordE(self, e, dst):
        regs = tuple(self.operand(x) for _, x in e.fields)
        self.ext(dst, H.record, (e.type_name, tuple(n for n, _ in e.fields), regs))

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
        target = _Target("match", t)
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


def _has_bare_match(stmts) -> bool:
    return any(type(s) is A.MatchS and s.subject is None for s in stmts)


def _has_continue(stmts) -> bool:
    """Does a `cnt` in this loop body (not in a nested loop) target the loop?"""
    for s in stmts:
        if type(s) is A.Continue:
            return True
        if type(s) is A.Guard and (_has_continue(s.body) or _has_continue(s.else_body or ())):
            return True
        if type(s) is A.MatchS and any(_has_continue(a.body) for a in s.arms):
            return True
    return False


def compile_function(engine, code: Code) -> Code:
    return Compiler(engine, code).compile()
