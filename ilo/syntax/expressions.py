"""Expression pass: prefix operators, arity-directed calls, atoms, lambdas.

How many operands a call consumes comes from ``self.arity`` (builtins'
parse arities plus user functions as their headers are read), which is
what makes ``fac -n 1`` one call with one argument.
"""

from __future__ import annotations

from ilo.diagnostics.errors import Span
from ilo.runtime import builtins as B
from ilo.syntax import ast as A
from ilo.syntax.structure import RESERVED_HINTS
from ilo.syntax.tokensets import ATOM_START, COMPARISONS, INFIX_BP, OPERAND_START, PREFIX_BINOPS


class ExpressionParser:
    def parse_expr(self):
        start = self.here()
        k = self.kind()
        if k == "~":
            self.advance()
            e = A.OkE(self.parse_expr_inner())
        elif k == "^":
            self.advance()
            e = A.ErrE(self.parse_expr_inner())
        else:
            e = self.parse_expr_inner()
        if self.kind() == "with":
            self.advance()
            updates = []
            while self.kind() == "ident" and self.kind(1) == ":":
                name = self.advance().value
                self.advance()
                updates.append((name, self.parse_atom()))
            e = A.With(e, updates)
        while self.kind() == "??":
            self.advance()
            e = A.Coalesce(e, self.parse_expr_inner())
        while self.kind() == ">>":
            self.advance()
            name = self.expect_ident("a function name after `>>`")
            unwrap = self.postfix_unwrap()
            args = []
            outer = self.arity.get(name)
            while self.can_start_operand():
                idx = len(args)
                ctx = (name, outer - 1, idx) if outer else None
                args.append(self.parse_call_arg(idx in self.fn_slots.get(name, ()), ctx))
            args.append(e)
            e = A.Call(name, args, unwrap)
        if e.span is None:
            e.span = self.span_from(start)
        return e

    def postfix_unwrap(self) -> str:
        t = self.tok()
        prev = self.prev_span()
        if t is not None and t.kind in ("!", "!!") and t.start == prev.end and prev.end > 0:
            self.advance()
            return t.kind
        return ""

    def parse_expr_inner(self):
        start = self.here()
        k = self.kind()
        if k == "-":
            e = self.parse_minus()
        elif k == "!":
            self.advance()
            e = A.Not(self.parse_operand())
        elif k == "$":
            e = self.parse_dollar()
        elif k in PREFIX_BINOPS:
            e = self.parse_prefix_binop()
        elif k == "??":
            self.advance()
            value = self.parse_call_arg(False, None)
            e = A.Coalesce(value, self.parse_expr_inner())
        elif k == "?":
            if self.kind(1) in COMPARISONS:
                e = self.parse_prefix_ternary()
            else:
                e = self.parse_match(stmt=False)
        else:
            e = self.parse_infix(self.parse_call_or_atom(), 0)
        if e.span is None:
            e.span = self.span_from(start)
        return e

    def parse_dollar(self):
        self.advance()
        unwrap = self.postfix_unwrap()
        return A.Call("get", [self.parse_operand()], unwrap)

    def parse_infix(self, left, min_bp: int):
        while True:
            k = self.kind()
            bp = INFIX_BP.get(k)
            if bp is None or bp[0] < min_bp:
                return left
            self.advance()
            right = self.parse_infix(self.parse_operand(), bp[1])
            left = A.BinOp(k, left, right, span=Span(left.span.start if left.span else 0,
                                                       self.prev_span().end))

    def parse_minus(self):
        self.check_double_minus()
        start = self.here()
        self.advance()
        first = self.parse_operand()
        if self.can_start_operand():
            second = self.parse_operand()
            return A.BinOp("-", first, second, span=self.span_from(start))
        return A.Neg(first, span=self.span_from(start))

    def check_double_minus(self):
        arith = ("+", "*", "/")
        atoms = ATOM_START
        ks = [self.kind(i) for i in range(8)]
        if (ks[0] == "-" and ks[1] == "-" and ks[2] in arith and ks[3] in atoms and ks[4] in atoms
                and ks[5] in arith and ks[6] in atoms and ks[7] in atoms):
            raise self.error("ILO-P021", "ambiguous double minus: `- -OP a b OP c d` parses as "
                             "-((a OP b) - (c OP d))",
                             "to negate the sum write `- 0 +OP a b OP c d`; to subtract, bind first: "
                             "`p=OP a b;q=OP c d;- p q`")

    def parse_prefix_binop(self):
        start = self.here()
        k = self.kind()
        if k == "=" and self.kind(1) in ("<", ">") and self.tok(1).start == self.tok().end:
            repl = "<=" if self.kind(1) == "<" else ">="
            raise self.error("ILO-P003", f"`={self.kind(1)}` is not an ilo operator", f"use `{repl}a b`")
        if k in ("&", "|") and self.kind(1) == k:
            raise self.error("ILO-P003", f"unexpected `{k}{k}`: ilo uses a single `{k}`",
                             "ilo uses `&a b` for AND and `|a b` for OR")
        self.advance()
        left = self.parse_binop_operand()
        if not self.can_start_operand():
            raise self.error("ILO-P009" if not self.at_end() else "ILO-P010",
                             f"`{k}` takes two operands, got one",
                             "prefix operators take exactly two operands: `+a b`; "
                             "bind call results first: `r=f x;+r 1`")
        right = self.parse_binop_operand()
        return A.BinOp(k, left, right, span=self.span_from(start))

    def call_expansion_ok(self) -> bool:
        """The ident at the cursor is a known-arity function that should eat its args."""
        nk = self.kind(1)
        if nk == "ident" and self.kind(2) == ":":
            return False  # record construction
        if nk in (".", ".?"):
            return False
        if nk == "(" and self.kind(2) == ")":
            return False
        if nk in ("!", "!!") and self.tok(1).start == self.tok().end:
            return False
        return True

    def parse_binop_operand(self):
        t = self.tok()
        if t is not None and t.kind == "ident" and self.arity.get(t.value, 0) > 0 and self.call_expansion_ok():
            save = self.pos
            self.pos += 1
            nxt = self.can_start_operand()
            self.pos = save
            if nxt:
                return self.parse_call_arg(False, None)
        return self.parse_operand()

    def parse_call_arg(self, in_fn_slot: bool, outer):
        t = self.tok()
        start = self.here()
        if not in_fn_slot and t is not None and t.kind == "ident":
            name = t.value
            if name in ("fmt", "format") and outer is not None and self.call_expansion_ok():
                oname, oarity, idx = outer
                if idx + 1 != oarity:
                    raise self.error("ILO-P018", f"`{name}` must be the last argument to `{oname}`; "
                                     "wrap it in parens to use it earlier",
                                     f"write `({name} \"...\" ...)` so its arguments are grouped")
                self.advance()
                args = []
                while self.can_start_operand():
                    args.append(self.parse_call_arg(False, None))
                    if self.infix_stops_args():
                        break
                return A.Call(name, args, "", span=self.span_from(start))
            arity = self.arity.get(name, 0)
            if arity > 0 and self.call_expansion_ok():
                self.advance()
                args = []
                slots = self.fn_slots.get(name, ())
                for i in range(arity):
                    if not self.can_start_operand():
                        break
                    args.append(self.parse_call_arg(i in slots, (name, arity, i)))
                return A.Call(name, args, "", span=self.span_from(start))
        return self.parse_operand()

    def infix_stops_args(self) -> bool:
        k = self.kind()
        if k == "??":
            return True
        return k in INFIX_BP and not self.looks_like_prefix_binary(self.pos)

    def parse_call_or_atom(self):
        start = self.here()
        atom = self.parse_atom()
        if not isinstance(atom, A.Ref):
            return atom
        name = atom.name
        unwrap = self.postfix_unwrap()
        if self.kind() == "(" and self.kind(1) == ")":
            self.advance()
            self.advance()
            return A.Call(name, [], unwrap, span=self.span_from(start))
        if unwrap:
            args = []
            outer = self.arity.get(name)
            while self.can_start_operand():
                idx = len(args)
                ctx = (name, outer, idx) if outer else None
                args.append(self.parse_call_arg(idx in self.fn_slots.get(name, ()), ctx))
            return A.Call(name, args, unwrap, span=self.span_from(start))
        if self.kind() == "ident" and self.kind(1) == ":":
            fields = []
            while self.kind() == "ident" and self.kind(1) == ":":
                fname = self.advance().value
                self.advance()
                fields.append((fname, self.parse_atom()))
            return A.RecordE(name, fields, span=self.span_from(start))
        if name in ("rnd", "now", "mmap") and not self.can_start_operand():
            return A.Call(name, [], "", span=self.span_from(start))
        if self.no_ws_call:
            arity = self.arity.get(name, 0)
            if arity == 0 or not self.can_start_operand():
                return atom
            args = []
            slots = self.fn_slots.get(name, ())
            for i in range(arity):
                if not self.can_start_operand():
                    break
                args.append(self.parse_call_arg(i in slots, (name, arity, i)))
            return A.Call(name, args, "", span=self.span_from(start))
        if self.can_start_operand():
            if (self.kind() in INFIX_BP or self.kind() == "??") and not self.looks_like_prefix_binary(self.pos):
                return atom
            args = []
            outer = self.arity.get(name)
            slots = self.fn_slots.get(name, ())
            while self.can_start_operand():
                idx = len(args)
                ctx = (name, outer, idx) if outer else None
                args.append(self.parse_call_arg(idx in slots, ctx))
                if self.infix_stops_args():
                    break
            return A.Call(name, args, "", span=self.span_from(start))
        return atom

    def looks_like_prefix_binary(self, pos: int) -> bool:
        return self.scan_prefix_binary_end(pos) is not None

    def scan_prefix_binary_end(self, pos: int):
        if pos >= len(self.toks):
            return None
        count = 0
        look = pos + 1
        while look < len(self.toks) and count < 2:
            if self.is_fn_decl_start(look):
                break
            k = self.toks[look].kind
            if k in ("ident", "num", "str", "true", "false", "nil", "_"):
                count += 1
                look += 1
            elif k in ("(", "["):
                close = ")" if k == "(" else "]"
                count += 1
                depth = 1
                look += 1
                while look < len(self.toks) and depth > 0:
                    kk = self.toks[look].kind
                    if kk == k:
                        depth += 1
                    elif kk == close:
                        depth -= 1
                    look += 1
            elif k in PREFIX_BINOPS or k in ("-", "??"):
                end = self.scan_prefix_binary_end(look)
                if end is None:
                    break
                count += 1
                look = end
            else:
                break
        return look if count >= 2 else None

    def can_start_atom(self) -> bool:
        return self.kind() in ATOM_START

    def can_start_operand(self) -> bool:
        if self.is_fn_decl_start(self.pos):
            return False
        return self.kind() in OPERAND_START

    def parse_operand(self):
        start = self.here()
        k = self.kind()
        if k in PREFIX_BINOPS:
            return self.parse_prefix_binop()
        if k == "??":
            self.advance()
            value = self.parse_call_arg(False, None)
            return A.Coalesce(value, self.parse_expr_inner(), span=self.span_from(start))
        if k == "-":
            return self.parse_minus()
        if k == "!":
            self.advance()
            return A.Not(self.parse_operand(), span=self.span_from(start))
        if k == "~":
            self.advance()
            return A.OkE(self.parse_operand(), span=self.span_from(start))
        if k == "^":
            self.advance()
            return A.ErrE(self.parse_operand(), span=self.span_from(start))
        if k == "$":
            return self.parse_dollar()
        return self.parse_atom()

    def parse_atom(self):
        start = self.here()
        t = self.tok()
        k = t.kind if t else None
        if k == "num" or k == "str":
            self.advance()
            return A.Lit(t.value, span=self.span_from(start))
        if k in ("true", "false"):
            self.advance()
            return A.Lit(k == "true", span=self.span_from(start))
        if k == "nil":
            self.advance()
            return A.Lit(None, span=self.span_from(start))
        if k == "_":
            self.advance()
            return A.Ref("_", span=self.span_from(start))
        if k == "fnhead":
            return self.parse_lambda()
        if k == "(":
            self.advance()
            prev = self.no_ws_call
            self.no_ws_call = False
            try:
                e = self.parse_expr()
            finally:
                self.no_ws_call = prev
            if self.kind() != ")":
                raise self.error("ILO-P003", f"expected `)`, got {self.describe(self.tok())}",
                                 "parentheses hold one expression")
            self.advance()
            return e
        if k == "[":
            return self.parse_list()
        if k == "ident":
            self.advance()
            name = t.value
            if name == "mmap":
                return A.Call("mmap", [], "", span=self.span_from(start))
            nt = self.tok()
            if nt is not None and nt.kind in ("!", "!!") and nt.start == t.end \
                    and self.kind(1) == "(" and self.kind(2) == ")":
                self.pos += 3
                return A.Call(name, [], nt.kind, span=self.span_from(start))
            if self.kind() == "(" and self.kind(1) == ")":
                self.pos += 2
                return A.Call(name, [], "", span=self.span_from(start))
            e = A.Ref(name, span=self.span_from(start))
            while self.kind() in (".", ".?"):
                safe = self.advance().kind == ".?"
                ft = self.tok()
                if ft is not None and ft.kind == "index":
                    self.advance()
                    e = A.Index(e, ft.value, safe, span=self.span_from(start))
                elif ft is not None and ft.kind == "field":
                    self.advance()
                    e = A.Field(e, ft.value, safe, span=self.span_from(start))
                else:
                    raise self.error("ILO-P005", f"expected a field name after `.`, got {self.describe(ft)}",
                                     f"for a computed index use `at {name} i`")
            return e
        if k == "reserved":
            raise self.error("ILO-P009", f"`{t.value}` is a reserved word", RESERVED_HINTS.get(t.value))
        if t is None:
            raise self.error("ILO-P010", "expected an expression, got the end of input", span=self.prev_span())
        if k == "{":
            raise self.error("ILO-P009", "expected an expression, got `{`",
                             "a block needs a condition before it: `cond{body}`; maps are built with mmap/mset")
        raise self.error("ILO-P009", f"expected an expression, got {self.describe(t)}")

    def parse_list(self):
        start = self.here()
        self.advance()
        has_comma = self.list_has_top_level_comma()
        items = []
        while self.kind() != "]":
            if self.at_end():
                raise self.error("ILO-P010", "unclosed `[`", "close the list with `]`", span=start)
            if self.kind() == ";":
                raise self.error("ILO-P009", "`;` is not a list separator inside `[...]`",
                                 "separate list items with spaces or commas: `[1 2 3]`")
            if has_comma:
                items.append(self.parse_list_element())
            else:
                prev = self.no_ws_call
                self.no_ws_call = True
                try:
                    items.append(self.parse_list_element())
                finally:
                    self.no_ws_call = prev
            if self.kind() == ",":
                self.advance()
        self.advance()
        return A.ListE(items, span=self.span_from(start))

    def parse_list_element(self):
        start = self.here()
        if self.kind() == "~":
            self.advance()
            return A.OkE(self.parse_expr_inner(), span=self.span_from(start))
        if self.kind() == "^":
            self.advance()
            return A.ErrE(self.parse_expr_inner(), span=self.span_from(start))
        return self.parse_expr_inner()

    def list_has_top_level_comma(self) -> bool:
        depth = 0
        i = self.pos
        while i < len(self.toks):
            k = self.toks[i].kind
            if k in ("(", "[", "{"):
                depth += 1
            elif k in (")", "}"):
                depth -= 1
            elif k == "]":
                if depth == 0:
                    return False
                depth -= 1
            elif k == "," and depth == 0:
                return True
            i += 1
        return False

    # ---- lambdas ----
    def parse_lambda(self):
        """The structure pass read the head `(p:t ...>ret`; here the body up to the closing `)`."""
        head = self.advance()
        params, ret = head.value
        start = Span(head.start, head.end)
        prev = self.no_ws_call
        self.no_ws_call = False
        if self.kind() == ";":
            self.advance()
        body = []
        if self.kind() != ")":
            body.append(self.parse_stmt_spanned())
            while self.kind() == ";":
                self.advance()
                if self.kind() == ")":
                    break
                body.append(self.parse_stmt_spanned())
        self.no_ws_call = prev
        if self.kind() != ")":
            raise self.error("ILO-P003", f"expected `)` to close the lambda, got {self.describe(self.tok())}",
                             "inside a lambda body, group nested calls with parens: (x:n>n;+x (f x))")
        self.advance()
        name = f"__lit_{self.lambda_count}"
        self.lambda_count += 1
        free = free_variables(body, {p.name for p in params}, self)
        lifted_params = list(params) + [A.Param(c, ("_",)) for c in free]
        self.register(name, lifted_params)
        self.lifted.append(A.FnDecl(name, lifted_params, ret, body, True, span=self.span_from(start)))
        if not free:
            return A.Ref(name, span=self.span_from(start))
        return A.MakeClosure(name, [A.Ref(c) for c in free], span=self.span_from(start))



def free_variables(body, bound: set, parser) -> list[str]:
    """Names a lambda body reads that it neither binds nor can resolve as a function."""
    free: list[str] = []
    local = set(bound)

    def is_global(name):
        return name in parser.arity or B.lookup(name) is not None

    def expr(e):
        if e is None:
            return
        if isinstance(e, A.Ref):
            n = e.name
            if n not in local and n not in free and n != "_" and not is_global(n):
                free.append(n)
            return
        if isinstance(e, A.Call):
            n = e.name
            if n not in local and n not in free and not is_global(n):
                free.append(n)
            for a in e.args:
                expr(a)
            return
        if isinstance(e, A.MakeClosure):
            for c in e.captures:
                expr(c)
            return
        if isinstance(e, (A.MatchE,)):
            expr(e.subject)
            for arm in e.arms:
                arm_(arm)
            return
        for f in e._fields:
            v = getattr(e, f)
            if isinstance(v, A.Node):
                expr(v)
            elif isinstance(v, list):
                for item in v:
                    if isinstance(item, A.Node):
                        expr(item)
                    elif isinstance(item, tuple):
                        expr(item[1])

    def arm_(arm):
        if arm.pattern.binding:
            local.add(arm.pattern.binding)
        stmts(arm.body)

    def stmt(s):
        if isinstance(s, A.Let):
            expr(s.value)
            local.add(s.name)
        elif isinstance(s, A.Destructure):
            expr(s.value)
            local.update(s.names)
        elif isinstance(s, A.ForEach):
            expr(s.coll)
            local.add(s.name)
            stmts(s.body)
        elif isinstance(s, A.ForRange):
            expr(s.start)
            expr(s.stop)
            local.add(s.name)
            stmts(s.body)
        elif isinstance(s, A.While):
            expr(s.cond)
            stmts(s.body)
        elif isinstance(s, A.Guard):
            expr(s.cond)
            stmts(s.body)
            if s.else_body:
                stmts(s.else_body)
        elif isinstance(s, A.MatchS):
            expr(s.subject)
            for arm in s.arms:
                arm_(arm)
        elif isinstance(s, (A.Return, A.Break)):
            expr(s.value)
        elif isinstance(s, A.ExprS):
            expr(s.expr)

    def stmts(ss):
        for s in ss:
            stmt(s)

    stmts(body)
    return free
