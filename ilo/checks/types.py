"""Type checks where the types are certain.

ilo is statically typed, but a checker that guesses rejects valid
programs. So this pass only reasons about what is known for sure:
literals, parameters with a declared scalar type (n, t, b), lists, and
bindings whose every assignment has the same known type. Anything else is
"unknown" and never reported.

Codes: T007 argument type at a call, T008 return type, T009 arithmetic,
T024 a match on a subject of known type that misses values,
T010 comparison, T019 field not on a declared record, T024 a match on a
subject of declared type that misses values, T025 `!` on a call that
cannot fail, T026 `!` in a function that cannot return an Err.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloCheckError
from ilo.diagnostics.suggest import with_suggestion
from ilo.runtime import builtins as B
from ilo.runtime.values import type_name
from ilo.syntax import ast as A

SCALARS = ("n", "t", "b")
ARITH = ("-", "*", "/")
ORDER = (">", "<", ">=", "<=")
CONVERT = {("n", "t"): "convert with `str x`", ("t", "n"): "convert with `num x` (it returns a Result)"}
NAMES = {"n": "number", "t": "text", "b": "bool", "L": "list"}


def check_types(program: A.Program) -> None:
    fns = {d.name: d for d in program.decls if isinstance(d, A.FnDecl)}
    types = program.types
    aliases = {d.name: d.target for d in program.decls if isinstance(d, A.AliasDecl)}
    for d in program.decls:
        if isinstance(d, A.FnDecl):
            _Fn(d, fns, types, aliases, program.source or "").run()


def resolve(t, aliases: dict, depth: int = 0):
    """A named type through its aliases (cycles are T030's business, so stop early)."""
    while t is not None and t[0] == "named" and t[1] in aliases and depth < 32:
        t, depth = aliases[t[1]], depth + 1
    return t


def simple(t) -> str | None:
    """'n' 't' 'b' 'L' for a declared type we can reason about, else None."""
    if t is None:
        return None
    if t[0] in SCALARS:
        return t[0]
    if t[0] == "L":
        return "L"
    return None


class _Fn:
    def __init__(self, decl, fns, types, aliases=None, source=""):
        self.decl = decl
        self.fns = fns
        self.types = types
        self.aliases = aliases or {}
        self.source = source
        self.env: dict[str, str | None] = {}
        self.records: dict[str, str] = {}  # variable -> declared record type name
        for p in decl.params:
            self.env[p.name] = simple(p.type)
            if p.type and p.type[0] == "named" and p.type[1] in types:
                self.records[p.name] = p.type[1]
        self.assigned: dict = {}
        self.assigned = _assignment_types(decl.body, self)

    def err(self, code, msg, span, hint=None):
        raise IloCheckError(code, msg, span=span, hint=hint, notes=[f"in function '{self.decl.name}'"])

    def run(self):
        for st in _walk_stmts(self.decl.body):
            if isinstance(st, A.MatchS):
                self.check_match(st.subject, st.arms, st.span)
            for e in _stmt_exprs(st):
                for sub in _walk_expr(e):
                    self.check(sub, st.span)
        self.check_return()

    def typeof(self, e) -> str | None:
        if isinstance(e, A.Lit):
            t = type_name(e.value)
            return t if t in SCALARS else None
        if isinstance(e, A.Ref):
            if e.name in self.env:
                declared = self.env[e.name]
                if e.name in self.assigned and self.assigned[e.name] != declared:
                    return None
                return declared
            return self.assigned.get(e.name)
        if isinstance(e, A.ListE):
            return "L"
        if isinstance(e, A.BinOp):
            if e.op in ("=", "!=") + ORDER:
                return "b"
            lt, rt = self.typeof(e.left), self.typeof(e.right)
            if e.op in ARITH and lt == rt == "n":
                return "n"
            if e.op == "+" and lt == rt and lt in ("n", "t", "L"):
                return lt
            if e.op == "+=":
                return "L"
            return None
        if isinstance(e, A.Not):
            return "b"
        if isinstance(e, A.Neg):
            return "n" if self.typeof(e.operand) == "n" else None
        if isinstance(e, A.Call) and not e.unwrap and e.name not in self.env:
            d = self.fns.get(e.name)
            if d is not None:
                return simple(d.ret)
        return None

    def declared(self, e):
        """The full declared type of a parameter or a user call, if certain."""
        if isinstance(e, A.Ref) and e.name in self.env and e.name not in self.assigned:
            return resolve(next((p.type for p in self.decl.params if p.name == e.name), None), self.aliases)
        if isinstance(e, A.Call) and not e.unwrap and e.name not in self.env and e.name in self.fns:
            return resolve(self.fns[e.name].ret, self.aliases)
        return None

    def is_bare_name(self, pat) -> bool:
        """A pattern written as a bare name (`red:`), not a quoted literal."""
        return pat.kind == "lit" and isinstance(pat.value, str) and pat.span is not None \
            and self.source[pat.span.start:pat.span.end] == pat.value

    def check_match(self, subject, arms, span):
        """T024: a match on a subject of known type must cover every value."""
        if subject is None or not arms:
            return
        t = self.declared(subject)
        if t is not None and t[0] == "S":
            return self.check_sum_match(t, arms, span)
        bare = next((a.pattern for a in arms if self.is_bare_name(a.pattern)), None)
        known = t[0] if t is not None else self.typeof(subject)
        if bare is not None and known is not None:
            self.err("ILO-P011", f"expected a match pattern, got `{bare.value}`: bare names are the variants "
                     f"of a sum type (S ...), and this subject is {NAMES.get(known, A.type_str(t))}",
                     bare.span, f'quote it to match text (`"{bare.value}":`), or use `_:` for any other value')
        if t is None or t[0] not in ("n", "t", "b", "R"):
            return
        kinds = {a.pattern.kind for a in arms}
        if "wild" in kinds:
            return
        letters = {a.pattern.value for a in arms if a.pattern.kind == "type"}
        lits = [a.pattern.value for a in arms if a.pattern.kind == "lit"]
        k = t[0]
        if k == "R":
            missing = [m for m, kind in (("~v", "ok"), ("^e", "err")) if kind not in kinds]
        elif k == "b":
            missing = [] if "b" in letters else [m for m, v in (("true", True), ("false", False))
                                                  if not any(x is v for x in lits)]
        else:
            missing = [] if k in letters else ["_"]
        if missing:
            self.err("ILO-T024", f"match on {A.type_str(t)} does not cover every value: missing "
                     + ", ".join(f"`{m}`" for m in missing), span,
                     "add the missing arms, or a final `_:...` arm")

    def check_propagate(self, callee: str, sp):
        """T026: `callee!` hands its Err to this function's caller, so this function must return R or O
        (user functions and builtins alike)."""
        ret = resolve(self.decl.ret, self.aliases)
        if ret is not None and ret[0] in SCALARS + ("L", "M", "S"):
            self.err("ILO-T026", f"`{callee}!` passes an Err on, but '{self.decl.name}' returns "
                     f"{A.type_str(self.decl.ret)}", sp,
                     f"declare '{self.decl.name}' as returning `R ...`, match on the result, "
                     f"or use `{callee}!!` to abort on Err")

    def check_sum_match(self, t, arms, span):
        """Arms of a sum match name its variants; without `_` every variant needs an arm."""
        variants = t[1]
        covered = set()
        for a in arms:
            p = a.pattern
            if p.kind == "wild" or (p.kind == "type" and p.value == "t"):
                return
            if p.kind == "lit" and isinstance(p.value, str) and p.value in variants:
                covered.add(p.value)
                continue
            shown = f"`{p.value}`" if p.kind == "lit" else "this pattern"
            self.err("ILO-T024", f"{shown} is not a variant of {A.type_str(t)}", p.span or a.span or span,
                     "the variants are: " + ", ".join(variants))
        missing = [v for v in variants if v not in covered]
        if missing:
            self.err("ILO-T024", f"match on {A.type_str(t)} does not cover every variant: missing "
                     + ", ".join(f"`{m}`" for m in missing), span,
                     "add: " + " or ".join(f"`{m}:...`" for m in missing) + ", or a final `_:...` arm")

    def check_sum_arg(self, fn, arg, p, sp):
        """T007: a text literal passed where `S ...` is expected must be one of its variants."""
        want = resolve(p.type, self.aliases)
        if want is None or want[0] != "S" or not isinstance(arg, A.Lit) or not isinstance(arg.value, str):
            return
        if arg.value not in want[1]:
            self.err("ILO-T007", f"'{fn}' expects {p.name}:{A.type_str(want)}, got \"{arg.value}\" "
                     "which is not one of its variants", arg.span or sp,
                     "pass one of: " + ", ".join(f'"{v}"' for v in want[1]))

    def check(self, e, span):
        sp = e.span or span
        if isinstance(e, A.MatchE):
            self.check_match(e.subject, e.arms, sp)
        if isinstance(e, A.BinOp):
            lt, rt = self.typeof(e.left), self.typeof(e.right)
            if lt is None or rt is None:
                return
            if e.op in ARITH and (lt != "n" or rt != "n"):
                self.err("ILO-T009", f"`{e.op}` needs two numbers, got {NAMES[lt]} and {NAMES[rt]}", sp,
                         _convert_hint(lt, rt))
            if e.op == "+" and lt != rt:
                self.err("ILO-T009", f"`+` adds numbers, joins text or lists; got {NAMES[lt]} and {NAMES[rt]}",
                         sp, _convert_hint(lt, rt))
            if e.op in ORDER and (lt != rt or lt not in ("n", "t")):
                self.err("ILO-T010", f"`{e.op}` compares two numbers or two texts, got {NAMES[lt]} and "
                         f"{NAMES[rt]}", sp, _convert_hint(lt, rt))
        elif isinstance(e, A.Call) and e.name not in self.env:
            d = self.fns.get(e.name)
            if d is None and e.unwrap == "!" and B.lookup(e.name) is not None:
                self.check_propagate(e.name, sp)
            if d is None or len(e.args) != len(d.params):
                return
            if e.unwrap:
                if d.ret is not None and d.ret[0] in SCALARS + ("L",):
                    self.err("ILO-T025", f"`{e.name}{e.unwrap}` unwraps a Result, but '{e.name}' returns "
                             f"{A.type_str(d.ret)}", sp, f"call it without `{e.unwrap}`")
                if e.unwrap == "!":
                    self.check_propagate(e.name, sp)
            for arg, p in zip(e.args, d.params):
                self.check_sum_arg(e.name, arg, p, sp)
                want = p.type[0] if p.type else None
                if want not in SCALARS:
                    continue
                got = self.typeof(arg)
                if got is not None and got != want:
                    self.err("ILO-T007", f"'{e.name}' expects {p.name}:{want}, got {NAMES[got]}",
                             arg.span or sp, _convert_hint(got, want))
        elif isinstance(e, A.Field) and not e.safe and isinstance(e.obj, A.Ref):
            tname = self.records.get(e.obj.name)
            if tname is None or e.obj.name in self.assigned:
                return
            fields = [f.name for f in self.types[tname].fields]
            if e.name not in fields:
                raise with_suggestion(IloCheckError(
                    "ILO-T019", f"field '{e.name}' not found on type '{tname}'", span=sp,
                    hint=f"fields of {tname}: {', '.join(fields)}", notes=[f"in function '{self.decl.name}'"]),
                    e.name, fields)

    def check_return(self):
        ret = self.decl.ret
        body = self.decl.body
        sum_ret = resolve(ret, self.aliases)
        if sum_ret is not None and sum_ret[0] == "S" and body and isinstance(body[-1], A.ExprS):
            last = body[-1].expr
            if isinstance(last, A.Lit) and isinstance(last.value, str) and last.value not in sum_ret[1]:
                self.err("ILO-T008", f"'{self.decl.name}' returns {A.type_str(sum_ret)}, but its last "
                         f"expression \"{last.value}\" is not one of its variants", body[-1].span,
                         "return one of: " + ", ".join(f'"{v}"' for v in sum_ret[1]))
        if ret is None or ret[0] not in SCALARS or not body or not isinstance(body[-1], A.ExprS):
            return
        got = self.typeof(body[-1].expr)
        if got is not None and got != ret[0]:
            self.err("ILO-T008", f"'{self.decl.name}' returns {ret[0]}, but its last expression is "
                     f"{NAMES[got]}", body[-1].span, _convert_hint(got, ret[0]))


def _convert_hint(got, want):
    return CONVERT.get((got, want)) or CONVERT.get((want, got))


def _assignment_types(body, fn) -> dict:
    """Type of each local binding when all its assignments agree, else None."""
    seen: dict[str, str | None] = {}
    for st in _walk_stmts(body):
        names = []
        if isinstance(st, A.Let):
            names = [(st.name, st.value)]
        elif isinstance(st, (A.ForEach, A.ForRange)):
            names = [(st.name, None)]
        elif isinstance(st, A.Destructure):
            names = [(n, None) for n in st.names]
        for name, value in names:
            t = fn.typeof(value) if value is not None else None
            if isinstance(st, A.ForRange):
                t = "n"
            if name in seen and seen[name] != t:
                t = None
            seen[name] = t
    for st in _walk_stmts(body):
        if isinstance(st, (A.MatchS,)):
            for arm in st.arms:
                if arm.pattern.binding:
                    seen[arm.pattern.binding] = None
    for e in (x for st in _walk_stmts(body) for e0 in _stmt_exprs(st) for x in _walk_expr(e0)):
        if isinstance(e, A.MatchE):
            for arm in e.arms:
                if arm.pattern.binding:
                    seen[arm.pattern.binding] = None
    return seen


def _walk_stmts(stmts):
    for st in stmts:
        yield st
        for f in ("body", "else_body"):
            sub = getattr(st, f, None) if f in st._fields else None
            if sub:
                yield from _walk_stmts(sub)
        if isinstance(st, A.MatchS):
            for arm in st.arms:
                yield from _walk_stmts(arm.body)


def _stmt_exprs(st):
    for f in st._fields:
        v = getattr(st, f)
        if isinstance(v, A.Node) and not isinstance(v, (A.Arm,)):
            yield v


def _walk_expr(e):
    if e is None or not isinstance(e, A.Node):
        return
    yield e
    if isinstance(e, (A.MatchE,)):
        yield from _walk_expr(e.subject)
        for arm in e.arms:
            for st in _walk_stmts(arm.body):
                for x in _stmt_exprs(st):
                    yield from _walk_expr(x)
        return
    for f in e._fields:
        v = getattr(e, f)
        if isinstance(v, A.Node):
            yield from _walk_expr(v)
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, A.Node):
                    yield from _walk_expr(item)
                elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], A.Node):
                    yield from _walk_expr(item[1])
