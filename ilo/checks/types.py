"""Local type inference and the type errors it can prove before running.

Each function is inferred on its own from what is declared: parameter and
return types, record fields, builtin signatures (the runtime's registry, see
``builtin_sigs``), literals, and the types flowing through lets, loops,
matches, Results, Optionals, lists, maps and function references. Bindings
are typed per function, not per program point: a name bound once has the
type of its value; a name bound several times keeps a type only when every
binding agrees. Whatever inference cannot decide is unknown (``_``) and is
never reported, so a program is rejected only for an error it would
certainly hit — the runtime checks stay for everything else.

Codes (see ``ilo --explain``): T003 T007-T026 T034, and T005 for calling a
local that holds no function. Operator and match rules live in ``rules``,
builtin signatures in ``builtin_sigs``.
"""

from __future__ import annotations

from ilo.checks import builtin_sigs as BS
from ilo.checks.rules import binop, convert_hint, exhaustive, pattern_type
from ilo.checks.tys import BOOL, NIL, NUM, TEXT, UNK, compatible, join, kind, resolve, show
from ilo.diagnostics.errors import IloCheckError
from ilo.diagnostics.suggest import with_suggestion
from ilo.runtime import builtins as B
from ilo.syntax import ast as A

LIT_TYPES = {bool: BOOL, float: NUM, str: TEXT, type(None): NIL}


def check_types(program: A.Program, aliases: dict) -> dict:
    """Check every function; returns what was proved: function -> local -> type.

    A local whose type is not ``_`` holds a value of that type whenever the
    values that reached the function matched its declared types. Arguments of
    unknown type are not checked against declarations at run time, so an
    engine may use these types to choose a fast path but must keep the
    runtime check behind it; ``_`` proves nothing."""
    fns = program.functions
    proved = {}
    for d in program.decls:
        if isinstance(d, A.FnDecl):
            fn = _Fn(d, fns, program.types, aliases, program.source or "")
            fn.run()
            proved[d.name] = dict(fn.env)
    return proved


class _Fn:
    """Inference for one function: pass 1 types the bindings, pass 2 checks."""

    def __init__(self, decl, fns, types, aliases, source=""):
        self.source = source
        self.decl = decl
        self.fns = fns
        self.types = types
        self.aliases = aliases
        self.ret = self.resolve(decl.ret)
        self.params = {p.name: self.resolve(p.type) for p in decl.params}
        self.counts = _binding_counts(decl)
        self.env: dict = {}
        self.checking = False

    def resolve(self, t):
        return resolve(t, self.aliases, self.types)

    def err(self, code, msg, node, span, hint, suggest=None):
        """Report (in the checking pass); ``suggest=(name, pool)`` adds the
        closest name as the diagnostic's ``suggestion``."""
        if self.checking:
            err = IloCheckError(code, msg, span=getattr(node, "span", None) or span, hint=hint,
                                notes=[f"in function '{self.decl.name}'"])
            raise with_suggestion(err, *suggest) if suggest else err

    # ---- passes ----
    def run(self):
        self.env = dict(self.params)
        self.body(self.decl.body)
        self.checking = True
        last = self.body(self.decl.body)
        body = self.decl.body
        if body and isinstance(body[-1], A.ExprS):
            self.sum_value(self.ret, body[-1].expr, "ILO-T008",
                           f"'{self.decl.name}' returns {show(self.ret)}, but its last expression")
        if last is not None and not compatible(self.ret, last) and body:
            self.err("ILO-T008", f"'{self.decl.name}' returns {show(self.ret)}, but its last "
                     f"expression is {show(last)}", body[-1], None,
                     convert_hint(last, self.ret) or _wrap_hint(self.ret, last))

    def bind(self, name, t):
        if self.checking or name == "_":
            return
        multi = self.counts.get(name, 0) > 1
        self.env[name] = join(self.env[name], t) if multi and name in self.env else t

    def lookup(self, name):
        if not self.checking and self.counts.get(name, 0) > 1:
            return UNK
        return self.env.get(name, UNK)

    # ---- statements (return the statement's value type, None when not checked) ----
    def body(self, stmts):
        last = None
        for st in stmts:
            last = self.stmt(st)
        return last

    def stmt(self, st):
        sp = st.span
        if isinstance(st, A.ExprS):
            return self.infer(st.expr, sp)
        if isinstance(st, A.Let):
            self.bind(st.name, self.infer(st.value, sp))
        elif isinstance(st, A.Destructure):
            self.destructure(st, sp)
        elif isinstance(st, A.Guard):
            self.infer(st.cond, sp)
            self.body(st.body)
            self.body(st.else_body or [])
        elif isinstance(st, A.MatchS):
            return self.match(st.subject, st.arms, sp)
        elif isinstance(st, A.ForEach):
            self.bind(st.name, self.element_of(self.infer(st.coll, sp), st.coll, sp))
            self.body(st.body)
        elif isinstance(st, A.ForRange):
            for end, what in ((st.start, "start"), (st.stop, "end")):
                t = self.infer(end, sp)
                if kind(t) not in (None, "n"):
                    self.err("ILO-T014", f"range {what} must be n, got {show(t)}", end, sp,
                             "a range is `@i a..b{...}` with numbers a and b")
            self.bind(st.name, NUM)
            self.body(st.body)
        elif isinstance(st, A.While):
            self.infer(st.cond, sp)
            self.body(st.body)
        elif isinstance(st, (A.Return, A.Break)):
            self.infer(st.value, sp)
        return None

    def destructure(self, st, sp):
        t = self.infer(st.value, sp)
        fields = self.record_fields(t)
        for name in st.names:
            if fields is None:
                self.bind(name, UNK)
            elif name in fields:
                self.bind(name, fields[name])
            else:
                self.err("ILO-T019", f"no field '{name}' on type '{t[1]}'", st, sp,
                         _fields(fields), (name, fields))

    def element_of(self, t, node, sp):
        k = kind(t)
        if k == "L":
            return t[1]
        if k is not None:
            self.err("ILO-T014", f"`@` loops over a list, got {show(t)}", node, sp,
                     "use `@i a..b{...}` for numbers; `chars s` or `spl s sep` turn text into a list")
        return UNK

    def record_fields(self, t):
        if t[0] == "named" and t[1] in self.types:
            return {f.name: self.resolve(f.type) for f in self.types[t[1]].fields}
        return None

    # ---- matches ----
    def match(self, subject, arms, sp):
        st = self.infer(subject, sp) if subject is not None else UNK
        out = None
        for i, arm in enumerate(arms):
            p = arm.pattern
            if p.binding and p.binding != "_":
                self.bind(p.binding, pattern_type(p, st))
            t = self.body(arm.body)
            out = t if i == 0 else (join(out, t) if out is not None and t is not None else None)
        if self.checking:
            if st[0] == "S":
                self.sum_match(st, arms, sp)
            else:
                self.bare_names(st, arms)
                exhaustive(self, st, arms, sp)
        return out

    # ---- sum types: variant names are text values from a fixed set ----
    def sum_match(self, t, arms, sp):
        """Every arm names a variant; without `_` every variant needs an arm."""
        variants, covered = t[1], set()
        for a in arms:
            p = a.pattern
            if p.kind == "wild" or (p.kind == "type" and p.value == "t"):
                return
            if p.kind == "lit" and isinstance(p.value, str) and p.value in variants:
                covered.add(p.value)
                continue
            shown = f"`{p.value}`" if p.kind == "lit" else "this pattern"
            self.err("ILO-T024", f"{shown} is not a variant of {show(t)}", p, a.span or sp,
                     "the variants are: " + ", ".join(variants))
        missing = [v for v in variants if v not in covered]
        if missing:
            self.err("ILO-T024", f"match on {show(t)} does not cover every variant: missing "
                     + ", ".join(f"`{m}`" for m in missing), None, sp,
                     "add: " + " or ".join(f"`{m}:...`" for m in missing) + ", or a final `_:...` arm")

    def bare_names(self, t, arms):
        """P011: a bare name (`red:`) as a pattern only means a variant of a sum."""
        k = kind(t)
        for a in arms:
            p = a.pattern
            if (k is not None and p.kind == "lit" and isinstance(p.value, str) and p.span is not None
                    and self.source[p.span.start:p.span.end] == p.value):
                self.err("ILO-P011", f"expected a match pattern, got `{p.value}`: bare names are the "
                         f"variants of a sum type (S ...), and this subject is {show(t)}", p, None,
                         f'quote it to match text (`"{p.value}":`), or use `_:` for any other value')

    def sum_value(self, want, node, code, what):
        """T007/T008: a text literal where `S ...` is expected must be a variant."""
        if (want[0] == "S" and isinstance(node, A.Lit) and isinstance(node.value, str)
                and node.value not in want[1]):
            self.err(code, f"{what} \"{node.value}\" is not one of its variants", node, None,
                     "use one of: " + ", ".join(f'"{v}"' for v in want[1]))

    # ---- expressions ----
    def infer(self, e, sp):
        if e is None:
            return UNK
        method = getattr(self, "e_" + type(e).__name__, None)
        if method is None:
            for f in e._fields:
                v = getattr(e, f)
                if isinstance(v, A.Node):
                    self.infer(v, sp)
            return UNK
        return method(e, sp)

    def e_Lit(self, e, sp):
        return LIT_TYPES.get(type(e.value), UNK)

    def e_Ref(self, e, sp):
        if e.name in self.counts:
            return self.lookup(e.name)
        return self.function_type(e.name, 0)

    def function_type(self, name, captured):
        """The F type of a function (or closure over its last ``captured`` params) used as a value."""
        d = self.fns.get(name)
        if d is None:
            return BS.as_value(name)
        params = d.params[:len(d.params) - captured]
        return ("F", tuple(self.resolve(p.type) for p in params), self.resolve(d.ret))

    def e_ListE(self, e, sp):
        items = [self.infer(x, sp) for x in e.items]
        elem = items[0] if items else UNK
        for t in items[1:]:
            elem = join(elem, t)
        return ("L", elem)

    def e_OkE(self, e, sp):
        return ("R", self.infer(e.inner, sp), UNK)

    def e_ErrE(self, e, sp):
        return ("R", UNK, self.infer(e.inner, sp))

    def e_Not(self, e, sp):
        self.infer(e.operand, sp)
        return BOOL

    def e_Neg(self, e, sp):
        t = self.infer(e.operand, sp)
        if kind(t) not in (None, "n"):
            self.err("ILO-T012", f"`-` negates numbers, got {show(t)}", e, sp,
                     convert_hint(t, NUM) or "negation only applies to n")
        return NUM

    def e_Coalesce(self, e, sp):
        v, d = self.infer(e.value, sp), self.infer(e.default, sp)
        if v == NIL:
            return d
        return v[1] if v[0] == "O" else v

    def e_Ternary(self, e, sp):
        self.infer(e.cond, sp)
        a, b = self.infer(e.then, sp), self.infer(e.other, sp)
        if NIL in (a, b):
            other = b if a == NIL else a
            return other if other[0] == "O" or other == NIL else ("O", other)
        if not compatible(a, b):
            self.err("ILO-T003", f"the branches of `?` have different types: {show(a)} and {show(b)}",
                     e, sp, "make both branches the same type")
        return join(a, b)

    def e_MatchE(self, e, sp):
        t = self.match(e.subject, e.arms, sp)
        return UNK if t is None else t

    def e_MakeClosure(self, e, sp):
        for c in e.captures:
            self.infer(c, sp)
        return self.function_type(e.fn_name, len(e.captures))

    def e_BinOp(self, e, sp):
        lt, rt = self.infer(e.left, sp), self.infer(e.right, sp)
        return binop(self, e, lt, rt, sp)

    def e_Field(self, e, sp):
        t = self.infer(e.obj, sp)
        fields = self.record_fields(t)
        if fields is not None:
            if e.name in fields:
                return fields[e.name]
            if not e.safe:
                self.err("ILO-T019", f"no field '{e.name}' on type '{t[1]}'", e, sp,
                         _fields(fields), (e.name, fields))
            return UNK
        k = kind(t)
        if k == "M":
            return t[2]
        if k == "L" and e.name in self.counts:
            return t[1]  # `xs.i` with a bound `i` is an index
        if k is not None and not e.safe and t != NIL:
            if e.name in self.counts:
                self.err("ILO-T023", f"index `.{e.name}` on {show(t)}, which is not a list", e, sp,
                         "only lists are indexed; `at s i` reads one character of text")
            else:
                self.err("ILO-T018", f"field access `.{e.name}` on {show(t)}, which is not a record", e, sp,
                         "fields exist on records and maps; use `.?` when the shape is dynamic")
        return UNK

    def e_Index(self, e, sp):
        t = self.infer(e.obj, sp)
        k = kind(t)
        if k == "L":
            return t[1]
        if k is not None and not e.safe and t != NIL:
            self.err("ILO-T023", f"index `.{e.index}` on {show(t)}, which is not a list", e, sp,
                     "only lists are indexed; `at s i` reads one character of text")
        return UNK

    def e_RecordE(self, e, sp):
        decl = self.types.get(e.type_name)
        given = {name: self.infer(x, sp) for name, x in e.fields}
        if decl is None:
            self.err("ILO-T003", f"undefined type '{e.type_name}'", e, sp,
                     "declare it: type name{field:type;...}", (e.type_name, self.types))
            return UNK
        fields = self.record_fields(("named", e.type_name))
        self.field_values(given.items(), fields, ("ILO-T016", "ILO-T017", f"record '{e.type_name}'"), e, sp)
        missing = [f for f in fields if f not in given]
        if missing:
            self.err("ILO-T015", f"missing field '{missing[0]}' in record '{e.type_name}'", e, sp,
                     f"{e.type_name} needs " + " ".join(f"{f}:{show(t)}" for f, t in fields.items()))
        return ("named", e.type_name)

    def e_With(self, e, sp):
        t = self.infer(e.obj, sp)
        given = [(name, self.infer(x, sp)) for name, x in e.updates]
        fields = self.record_fields(t)
        if fields is None:
            if kind(t) not in (None, "record") and t != NIL:
                self.err("ILO-T020", f"`with` on {show(t)}, which is not a record", e, sp,
                         "`with` copies a record; for maps use `mset m k v`")
            return UNK
        self.field_values(given, fields, ("ILO-T021", "ILO-T022", f"`with` on '{t[1]}'"), e, sp)
        return t

    def field_values(self, given, fields, codes, e, sp):
        """Unknown fields and values of the wrong type in a record literal or `with`."""
        unknown_code, type_code, where = codes
        for name, t in given:
            if name not in fields:
                self.err(unknown_code, f"unknown field '{name}' in {where}", e, sp, _fields(fields),
                         (name, fields))
            elif not compatible(fields[name], t):
                self.err(type_code, f"field '{name}' in {where} expects {show(fields[name])}, got {show(t)}",
                         e, sp, convert_hint(t, fields[name]) or "give it a value of that type")

    def e_Call(self, e, sp):
        args = [self.infer(a, sp) for a in e.args]
        n = e.name
        if n in self.counts and n not in self.fns:
            ret = self.call_local(e, args, sp)
        elif n in self.fns:
            d = self.fns[n]
            if len(args) == len(d.params):
                for p, a, node in zip(d.params, args, e.args):
                    want = self.resolve(p.type)
                    self.sum_value(want, node, "ILO-T007", f"'{n}' expects {p.name}:{show(want)}, got")
                    if not compatible(want, a):
                        self.err("ILO-T007", f"'{n}' expects {p.name}:{show(want)}, got {show(a)}", node, sp,
                                 convert_hint(a, want) or f"pass a {show(want)}")
            ret = self.resolve(d.ret)
        elif B.lookup(n) is not None:
            ret = BS.check_call(self, e, args, sp)
        else:
            ret = UNK
        return self.unwrap(e, ret, sp)

    def call_local(self, e, args, sp):
        t = self.lookup(e.name)
        if t[0] == "F":
            if len(args) != len(t[1]):
                self.err("ILO-T006", f"arity mismatch: '{e.name}' expects {len(t[1])} args, got {len(args)}",
                         e, sp, f"'{e.name}' is {show(t)}")
            else:
                for i, (want, a) in enumerate(zip(t[1], args)):
                    if not compatible(want, a):
                        self.err("ILO-T007", f"argument {i + 1} of '{e.name}' expects {show(want)}, got {show(a)}",
                                 e.args[i], sp, convert_hint(a, want) or f"'{e.name}' is {show(t)}")
            return t[2]
        if kind(t) is not None and B.lookup(e.name) is None:
            if not args and e.unwrap:
                self.err("ILO-T034", f"`{e.unwrap}` follows '{e.name}', a {show(t)} value, not a function call",
                         e, sp, f"match on it: `?{e.name}{{~v:v;^e:^e}}`, or put `{e.unwrap}` on the call "
                         "that produced it")
            else:
                self.err("ILO-T005", f"'{e.name}' is a {show(t)}, not a function (called with {len(args)} args)",
                         e, sp, "only functions can be called; bind the call's result to another name")
        return UNK

    def unwrap(self, e, ret, sp):
        if not e.unwrap or ret == UNK:
            return ret
        k = ret[0]
        if k not in ("R", "O"):
            self.err("ILO-T025", f"`{e.name}{e.unwrap}` unwraps a Result or Optional, but '{e.name}' returns "
                     f"{show(ret)}", e, sp, f"call it without `{e.unwrap}`")
            return ret
        if e.unwrap == "!":
            ok = ("R",) if k == "R" else ("O", "nil")
            if self.ret != UNK and self.ret[0] not in ok:
                what = "an Err" if k == "R" else "nil"
                self.err("ILO-T026", f"`{e.name}!` passes {what} on, but '{self.decl.name}' returns "
                         f"{show(self.ret)}", e, sp,
                         f"declare '{self.decl.name}' as returning `{'R' if k == 'R' else 'O'} ...`, "
                         f"or use `{e.name}!!` to abort instead")
        return ret[1]


def _binding_counts(decl) -> dict:
    """How many times each local name is bound in the function (params count once)."""
    counts: dict[str, int] = {}

    def add(name):
        if name and name != "_":
            counts[name] = counts.get(name, 0) + 1

    for p in decl.params:
        add(p.name)
    for node in _nodes(decl.body):
        if isinstance(node, (A.Let, A.ForEach, A.ForRange)):
            add(node.name)
        elif isinstance(node, A.Destructure):
            for n in node.names:
                add(n)
        elif isinstance(node, A.Pattern):
            add(node.binding)
    return counts


def _nodes(items):
    stack = list(items)
    while stack:
        n = stack.pop()
        if isinstance(n, A.Node):
            yield n
            stack.extend(getattr(n, f) for f in n._fields)
        elif isinstance(n, (list, tuple)):
            stack.extend(n)


def _wrap_hint(want, got):
    if want[0] == "R" and kind(got) not in (None, "R"):
        return "wrap the value: `~v` for Ok, `^e` for Err"
    return "make the last expression the declared type, or change the header"


def _fields(fields):
    return "fields: " + ", ".join(fields)
