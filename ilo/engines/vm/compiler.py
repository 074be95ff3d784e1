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

from ilo.engines.vm import builders
from ilo.engines.vm import handlers as H
from ilo.engines.vm.code import ARG, UNBOUND, Code, Target
from ilo.engines.vm.expressions import ExpressionCompiler, _walk
from ilo.engines.vm.scalars import scalar_records
from ilo.engines.vm.opcodes import JUMP_A, JUMP_B, JUMP_C, NAMES, OP, RELATION, STEPS, TESTS, jump_target
from ilo.syntax import ast as A

#: the relation with its operands swapped: ``c < x`` is ``x > c``
MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}

__all__ = ["UNBOUND", "Code", "Compiler", "compile_function"]

_LOOPS = (A.While, A.ForEach, A.ForRange)
#: statements that always leave a value (or leave the body): earlier values are dead
_DEFINITE = (A.ExprS, A.While, A.ForEach, A.ForRange, A.Return, A.Break, A.Continue)


class Compiler(ExpressionCompiler):
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
        self.targets: list[Target] = [Target("fn")]
        self.stmt_span = None
        self.loop_span = None
        for p in code.decl.params:
            self.scopes[0][p.name] = self.new_reg(None, p.name)
        self.nil = self.const(None)
        #: locals kept as one register per field (see scalars.py), and those registers
        self.scalar_names = scalar_records(code.decl.body) - {p.name for p in code.decl.params}
        self.scalars: dict[str, dict[str, int]] = {}

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
        self.fuse_guards()
        self.fuse_temporaries()
        self.fuse_producers()
        code = self.code
        code.instrs = self.instrs
        code.sites = self.sites
        self.regs = [UNBOUND if i in self.ever_maybe else v for i, v in enumerate(self.regs)]
        code.tail = self.regs[code.nparams:]
        code.slot_names = self.names
        code.leaf_guard = self.leaf_guard()
        return code

    def leaf_guard(self):
        """``fib n:n>n;<=n 1 n;...``: the caller's CALL1 tests this first guard
        itself, so a leaf call (half of a doubly recursive function's calls)
        needs no frame, and a call that fails it starts past it.

        Only for a one-parameter function whose first instruction is RET_IF
        comparing its parameter with a number constant and returning the
        parameter or a constant: ``(test, number, value)``, ``test(arg,
        number)`` being the guard (``value`` is ARG for the argument)."""
        if self.code.nparams != 1 or not self.instrs or self.instrs[0][0] != OP["RET_IF"]:
            return None
        _, a, b, (test, rel, r) = self.instrs[0]
        consts = {reg: self.regs[reg] for reg in (a, b, r) if str(self.names.get(reg, "")).startswith("=")}
        if a == 0 and type(consts.get(b)) is float:
            number = consts[b]
        elif b == 0 and type(consts.get(a)) is float:
            test, number = TESTS[MIRROR[rel]], consts[a]
        else:
            return None
        if r == 0:
            return (test, number, ARG)
        return (test, number, consts[r]) if r in consts else None

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

    def fuse_guards(self) -> None:
        """A braceless guard's test and its exit become one instruction.

        ``JF_<rel> -> pc+2; RET r`` (a guard that returns) becomes RET_IF, and
        ``JF_<rel> -> pc+3; MOVE d s; JUMP e`` (the same guard in an inlined
        function) MOVE_IF. The fused instruction takes the place of the test;
        the instructions after it stay (jumps may land on them) and it skips
        them when the test fails, so no jump target moves."""
        instrs = self.instrs
        ret, move, jump = OP["RET"], OP["MOVE"], OP["JUMP"]
        ret_if, move_if = OP["RET_IF"], OP["MOVE_IF"]
        for i, (op, a, b, c) in enumerate(instrs):
            rel = RELATION.get(op)
            if rel is None or not NAMES[op].startswith("JF_"):
                continue
            test = TESTS[rel]
            if c == i + 2 and instrs[i + 1][0] == ret:
                instrs[i] = (ret_if, a, b, (test, rel, instrs[i + 1][1]))
            elif c == i + 3 and instrs[i + 1][0] == move and instrs[i + 2][0] == jump:
                _, d, s, _ = instrs[i + 1]
                instrs[i] = (move_if, a, b, (test, rel, d, s, instrs[i + 2][1]))

    def fuse_temporaries(self) -> None:
        """A value made only to be used by the next instruction is fused into it.

        ``SUB t = n, 1; CALL1 r = f(t)`` becomes ARITH_CALL1, ``ADD t = a, b;
        RET t`` ARITH_RET, ``MUL t = x, y; ADD_SELF s, t`` ARITH_ACC (``t`` a
        temporary), and ``EXT t = record ...; APPEND_SELF xs, t`` EXT_APPEND
        (a record or list built only to be appended), whenever nothing else
        mentions ``t``. The fused instruction takes the first one's place; the
        second stays where it is and is skipped (a call returns past it; as
        only the first writes ``t``, nothing jumps to it)."""
        instrs = self.instrs
        arith = {OP[n] for n in ("ADD", "SUB", "MUL", "DIV")}
        call1, ret, add_self = OP["CALL1"], OP["RET"], OP["ADD_SELF"]
        ext, append = OP["EXT"], OP["APPEND_SELF"]
        uses = _register_mentions(instrs)
        for i in range(len(instrs) - 1):
            op, t, x, y = instrs[i]
            nxt = instrs[i + 1]
            if uses.get(t) != 2:
                continue
            if op == ext:
                if nxt[0] == append and nxt[2] == t and nxt[1] != t:
                    instrs[i] = (OP["EXT_APPEND"], nxt[1], x, (1, y, t))
            elif op not in arith or t in self.names:
                continue
            elif nxt[0] == call1 and nxt[3] == t:
                instrs[i] = (OP["ARITH_CALL1"], nxt[1], nxt[2], (op, x, y))
            elif nxt[0] == ret and nxt[1] == t:      # `+a b` as the last value: one instruction
                instrs[i] = (OP["ARITH_RET"], op, x, y)
            elif nxt[0] == add_self and nxt[2] == t:  # `s=+s *x y`
                instrs[i] = (OP["ARITH_ACC"], nxt[1], op, (x, y))

    def fuse_producers(self) -> None:
        """Values made only for a list or record literal are made by its builder.

        The UNARY and arithmetic instructions right before an EXT or
        EXT_APPEND whose generated builder reads their result, when nothing
        else mentions the result and nothing jumps between them and the
        literal, move into the builder (``builders.fused``), which keeps
        their order and their error sites. The fused instruction takes the
        first one's place and skips the rest (EXT becomes EXT_SKIP)."""
        instrs, sites = self.instrs, self.sites
        ext, ext_append = OP["EXT"], OP["EXT_APPEND"]
        producing = {OP[n] for n in ("UNARY", "ADD", "SUB", "MUL", "DIV")}
        uses = _register_mentions(instrs)
        numbers = {r: self.regs[r] for r in self.consts.values() if type(self.regs[r]) is float}
        entries = {jump_target(ins) for ins in instrs}
        if instrs and instrs[0][0] == OP["RET_IF"]:
            entries.add(2)                  # where a call that fails the leaf guard starts
        for j, (op, a, b, c) in enumerate(instrs):
            if op != ext and op != ext_append or not hasattr(b, "builds"):
                continue
            regs = b.builds[-1]
            k = j
            while k > 0 and k not in entries:
                p_op, t = instrs[k - 1][:2]
                if p_op not in producing or uses.get(t) != 2 or regs.count(t) != 1:
                    break
                k -= 1
            if k == j:
                continue
            builder = builders.fused(b, [(instrs[i], sites[i][0]) for i in range(k, j)], numbers)
            if op == ext_append:
                instrs[k] = (ext_append, a, builder, (c[0] + j - k, c[1], c[2]))
            else:
                instrs[k] = (OP["EXT_SKIP"], a, builder, (j - k, c))

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
        if name in self.scalar_names and type(v) is A.RecordE:
            fields = {}
            for field, value in v.fields:
                fields[field] = r = self.new_reg(None, f"{name}.{field}")
                self.into(value, r)
            self.scalars[name] = fields
            return
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
        target = Target("guard", dst)
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
        target = Target("loop", dst)
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


def _register_mentions(instrs) -> dict:
    """How often each int appears among the instructions' operands (nested
    tuples included): an over-count for registers, which only makes the
    peephole passes fuse less."""
    counts: dict = {}

    def walk(x):
        if type(x) is int:
            counts[x] = counts.get(x, 0) + 1
        elif type(x) is tuple:
            for y in x:
                walk(y)

    steps = {OP["STEP_LT"], OP["STEP_LE"]}
    match, move_if = OP["MATCH"], OP["MOVE_IF"]
    for op, a, b, c in instrs:          # jump targets are instruction indexes: skipped
        if op not in JUMP_A:
            walk(a)
        if op not in JUMP_B:
            walk(b)
        if op in steps or op == match or op == move_if:
            walk(c[:2] if op in steps else c[:1] if op == match else c[:4])
        elif op not in JUMP_C:
            walk(c)
    return counts


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
