"""Static checks run before any engine: the one verifier every engine shares.

Order: duplicate declarations (T001/T002), aliases and type names
(T030/T031/T003, ``decls``), then per function undefined names with "did you
mean" (T004/T005), call arity (T006), loop control outside a loop (T028) and
braceless-guard bodies that name a function (T027), then type inference
(``types``). A program that fails any of them never starts running. Where a
check cannot be sure it stays silent: a false rejection costs an agent more
than a runtime error.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloCheckError
from ilo.diagnostics.suggest import with_suggestion
from ilo.runtime import builtins as B
from ilo.checks.decls import check_type_names, resolve_aliases
from ilo.checks.types import check_types
from ilo.syntax import ast as A


def verify(program: A.Program) -> dict:
    """Raise the first static error; return the local types proved (see ``check_types``)."""
    seen_fn: dict[str, A.Node] = {}
    seen_type: dict[str, A.Node] = {}
    for d in program.decls:
        if isinstance(d, A.TypeDecl):
            if d.name in seen_type:
                raise IloCheckError("ILO-T001", f"type '{d.name}' is declared twice", span=d.span,
                                    hint="rename one of them or merge their fields")
            seen_type[d.name] = d
        elif isinstance(d, (A.FnDecl, A.ToolDecl)):
            if d.name in seen_fn:
                raise IloCheckError("ILO-T002", f"function '{d.name}' is declared twice", span=d.span,
                                    hint="rename one of them; ilo has no overloading")
            seen_fn[d.name] = d
    aliases = resolve_aliases(program)
    check_type_names(program, aliases)
    checker = _Checker(program, seen_fn)
    for d in program.decls:
        if isinstance(d, A.FnDecl):
            checker.function(d)
    return check_types(program, aliases)


class _Checker:
    def __init__(self, program, functions):
        self.program = program
        self.functions = functions
        self.types = program.types
        self.fn_name = ""

    # ---- helpers ----
    def known_callable(self, name: str) -> bool:
        return name in self.functions or B.lookup(name) is not None or name in self.types

    def needs_args(self, name: str) -> bool:
        """A user function with parameters, or a builtin that cannot be called bare."""
        target = self.functions.get(name)
        if target is not None:
            return isinstance(target, A.FnDecl) and bool(target.params)
        spec = B.lookup(name)
        return spec is not None and spec.arities is not None and 0 not in spec.arities

    def function(self, decl: A.FnDecl):
        self.fn_name = decl.name
        scope = {p.name for p in decl.params}
        self.body(decl.body, scope, in_loop=False)

    def body(self, stmts, scope: set, in_loop: bool):
        for st in stmts:
            self.stmt(st, scope, in_loop)

    def stmt(self, st, scope: set, in_loop: bool):
        span = st.span
        if isinstance(st, A.Let):
            self.expr(st.value, scope, span)
            scope.add(st.name)
        elif isinstance(st, A.Destructure):
            self.expr(st.value, scope, span)
            scope.update(st.names)
        elif isinstance(st, A.ExprS):
            self.expr(st.expr, scope, span)
        elif isinstance(st, A.Guard):
            self.expr(st.cond, scope, span)
            if st.braceless and st.body and isinstance(st.body[0], A.ExprS):
                val = st.body[0].expr
                if isinstance(val, A.Ref) and val.name not in scope and self.needs_args(val.name):
                    raise IloCheckError("ILO-T027", f"braceless guard returns the function '{val.name}' "
                                        "itself, not a call", span=span,
                                        hint=f"to call it, use braces: cond{{{val.name} args}}")
            self.body(st.body, scope, in_loop)
            if st.else_body:
                self.body(st.else_body, scope, in_loop)
        elif isinstance(st, A.MatchS):
            if st.subject is not None:
                self.expr(st.subject, scope, span)
            for arm in st.arms:
                self.arm(arm, scope, in_loop)
        elif isinstance(st, A.ForEach):
            self.expr(st.coll, scope, span)
            scope.add(st.name)
            self.body(st.body, scope, True)
        elif isinstance(st, A.ForRange):
            self.expr(st.start, scope, span)
            self.expr(st.stop, scope, span)
            scope.add(st.name)
            self.body(st.body, scope, True)
        elif isinstance(st, A.While):
            self.expr(st.cond, scope, span)
            self.body(st.body, scope, True)
        elif isinstance(st, A.Return):
            self.expr(st.value, scope, span)
        elif isinstance(st, (A.Break, A.Continue)):
            if not in_loop:
                word = "brk" if isinstance(st, A.Break) else "cnt"
                raise IloCheckError("ILO-T028", f"`{word}` used outside a loop", span=span,
                                    hint="brk and cnt only work inside `wh` or `@` loops; use `ret` to leave a function")
            if isinstance(st, A.Break) and st.value is not None:
                self.expr(st.value, scope, span)

    def arm(self, arm, scope, in_loop):
        if arm.pattern.binding:
            scope.add(arm.pattern.binding)
        self.body(arm.body, scope, in_loop)

    def expr(self, e, scope: set, span):
        if e is None:
            return
        if isinstance(e, A.Ref):
            n = e.name
            if n in scope or n == "_" or self.known_callable(n) or n in self.program.tools:
                return
            if n in ("cnt", "brk"):
                raise self.loop_control_value(n, e.span or span)
            pool = list(scope) + list(self.functions) + list(self.types)
            raise with_suggestion(IloCheckError(
                "ILO-T004", f"undefined variable '{n}'", span=e.span or span,
                hint="bind it first with `name=expr`, or add it as a parameter",
                notes=[f"in function '{self.fn_name}'"]), n, pool)
        if isinstance(e, A.Call):
            self.call(e, scope, span)
            for a in e.args:
                self.expr(a, scope, span)
            return
        if isinstance(e, A.MatchE):
            if e.subject is not None:
                self.expr(e.subject, scope, span)
            for arm in e.arms:
                self.arm(arm, scope, False)
            return
        if isinstance(e, A.RecordE):
            for _, x in e.fields:
                self.expr(x, scope, span)
            return
        if isinstance(e, A.With):
            self.expr(e.obj, scope, span)
            for _, x in e.updates:
                self.expr(x, scope, span)
            return
        if isinstance(e, A.MakeClosure):
            for c in e.captures:
                self.expr(c, scope, span)
            return
        if isinstance(e, A.ListE):
            for x in e.items:
                self.expr(x, scope, span)
            return
        for f in e._fields:
            v = getattr(e, f)
            if isinstance(v, A.Node):
                self.expr(v, scope, span)

    def call(self, e: A.Call, scope: set, span):
        n = e.name
        if n in scope:
            return
        decl = self.functions.get(n)
        if decl is not None:
            want = len(decl.params)
            if len(e.args) != want:
                sig = " ".join(f"{p.name}:{A.type_str(p.type)}" for p in decl.params) or "no parameters"
                raise IloCheckError("ILO-T006", f"arity mismatch: '{n}' expects {want} args, got {len(e.args)}",
                                    span=e.span or span, hint=f"{n} takes {sig}",
                                    notes=[f"in function '{self.fn_name}'"])
            return
        spec = B.lookup(n)
        if spec is not None:
            if spec.arities is not None and len(e.args) not in spec.arities:
                want = " or ".join(str(a) for a in spec.arities)
                raise IloCheckError("ILO-T006", f"arity mismatch: '{spec.name}' expects {want} args, "
                                    f"got {len(e.args)}", span=e.span or span,
                                    hint=_builtin_sig(spec), notes=[f"in function '{self.fn_name}'"])
            return
        if n in self.types:
            return
        pool = list(self.functions) + list(B.BUILTINS) + list(self.types) + list(scope)
        raise with_suggestion(IloCheckError(
            "ILO-T005", f"undefined function '{n}' (called with {len(e.args)} args)", span=e.span or span,
            hint="declare it, or check the builtin's name", notes=[f"in function '{self.fn_name}'"]), n, pool)

    def loop_control_value(self, word: str, span) -> IloCheckError:
        """`cnt`/`brk` used where a value goes (`=c "skip" cnt`): they are statements, not names."""
        role = "continue with the next pass" if word == "cnt" else "leave the loop"
        return IloCheckError("ILO-T004", f"`{word}` is loop control ({role}), not a variable: it cannot be "
                             "a braceless guard's value or an operand", span=span,
                             notes=[f"in function '{self.fn_name}'"],
                             hint=f"give the guard braces and make `{word}` a statement: `cond{{{word}}}`, "
                                  f"e.g. `=c \"skip\"{{{word}}}`")


def _builtin_sig(spec) -> str:
    if spec.params:
        return f"{spec.name} takes " + " ".join(spec.params) + f" and returns {spec.ret}"
    return f"see `ilo help` for {spec.name}"
