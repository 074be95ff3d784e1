"""Statement pass: bodies, bindings, guards, loops, match arms.

Part of the arity-directed parser (see parser.py); the methods here read
statements and hand expressions to expressions.ExpressionParser.
"""

from __future__ import annotations

from ilo.diagnostics.errors import Span
from ilo.runtime import builtins as B
from ilo.syntax import ast as A
from ilo.syntax.structure import RESERVED_HINTS
from ilo.syntax.tokensets import COMPARISONS, GUARD_OPS, STMT_KEYWORDS, TYPE_LETTERS


class StatementParser:
    def at_body_end(self) -> bool:
        return self.kind() in (None, "}")

    def parse_body(self):
        stmts = []
        if self.at_body_end():
            return stmts
        stmts.append(self.parse_stmt_spanned())
        while self.kind() == ";":
            self.advance()
            if self.at_body_end():
                break
            stmts.append(self.parse_stmt_spanned())
        return stmts

    def parse_stmt_spanned(self):
        start = self.here()
        st = self.parse_stmt()
        st.span = self.span_from(start)
        return st

    def parse_brace_body(self):
        self.expect("{")
        body = self.parse_body()
        self.expect("}", "`}` to close the block")
        return body

    def is_destructure(self) -> bool:
        i = self.pos + 1
        while True:
            k = self.kind_at(i)
            if k in ("ident", ";"):
                i += 1
            elif k == "}":
                return self.kind_at(i + 1) == "="
            else:
                return False

    def parse_stmt(self):
        t = self.tok()
        k = t.kind
        if k == "reserved":
            raise self.error("ILO-P011" if self.kind(1) == "=" else "ILO-P003",
                             f"`{t.value}` is a reserved word", RESERVED_HINTS.get(t.value))
        if k == "?":
            if self.kind(1) in COMPARISONS:
                return A.ExprS(self.parse_prefix_ternary())
            return self.parse_match(stmt=True)
        if k == "@":
            return self.parse_foreach()
        if k == "ident":
            name = t.value
            if self.kind(1) == "=" and (name in STMT_KEYWORDS or name in B.BUILTINS):
                self.check_binding_name(name, self.here())
            if name == "ret":
                self.advance()
                return A.Return(self.parse_expr())
            if name == "brk":
                self.advance()
                value = None if self.kind() in (None, "}", ";") else self.parse_expr()
                return A.Break(value)
            if name == "cnt":
                self.advance()
                return A.Continue()
            if name == "wh":
                self.advance()
                cond = self.parse_expr()
                if self.kind() != "{":
                    raise self.error("ILO-P003", f"expected `{{` to open the loop body, got "
                                     f"{self.describe(self.tok())}", "a while loop is `wh cond{body}`")
                return A.While(cond, self.parse_brace_body())
            if self.kind(1) == "=":
                return self.parse_let()
            return self.finish_expr_stmt(self.parse_expr(), negated=False)
        if k == "{" and self.is_destructure():
            return self.parse_destructure()
        if k == "!":
            self.advance()
            inner = self.parse_expr_inner()
            if self.kind() == "{" or (self.is_guard_cond(inner) and self.can_start_operand()):
                return self.finish_expr_stmt(inner, negated=True)
            return A.ExprS(A.Not(inner, span=inner.span))
        if k == "^":
            self.advance()
            return A.ExprS(A.ErrE(self.parse_expr_inner()))
        return self.finish_expr_stmt(self.parse_expr(), negated=False)

    @staticmethod
    def is_guard_cond(e) -> bool:
        return isinstance(e, A.BinOp) and e.op in GUARD_OPS

    def finish_expr_stmt(self, expr, negated: bool):
        if self.kind() == "{":
            body = self.parse_brace_body()
            other = self.parse_brace_body() if self.kind() == "{" else None
            return A.Guard(expr, negated, body, other, False)
        if self.is_guard_cond(expr) and self.can_start_operand():
            bstart = self.here()
            value = self.parse_operand()
            if self.kind() not in (None, ";", "}", ")"):
                raise self.error("ILO-P016", "unexpected token after a braceless guard's value",
                                 self.early_return_hint(expr, bstart))
            return A.Guard(expr, negated, [A.ExprS(value, span=self.span_from(bstart))], None, True)
        if negated:
            return A.ExprS(A.Not(expr, span=expr.span))
        return A.ExprS(expr)

    def early_return_hint(self, cond, value_start) -> str:
        """A braceless guard returns early; plain braces do not, so the fix keeps the `ret`."""
        end, depth = self.pos, 0
        while end < len(self.toks):
            k = self.toks[end].kind
            if depth == 0 and k in (";", "}"):
                break
            depth += (k in ("(", "[", "{")) - (k in (")", "]", "}"))
            end += 1
        value = self.source[value_start.start:self.toks[end - 1].end] if self.source else "f x"
        c = self.source[cond.span.start:cond.span.end] if self.source and cond.span else ">=x 1"
        return (f"a braceless guard returns one operand early; for a call, bind it first "
                f"(`r={value};{c} r`) or return it inside braces (`{c}{{ret {value}}}`): "
                "braces without `ret` do not return")

    def parse_let(self):
        start = self.here()
        name = self.advance().value
        self.advance()  # =
        if self.kind() == "{" and self.kind(1) in ("str", "num", "}"):
            raise self.error("ILO-P009", f"`{name}={{...}}`: ilo has no map literal",
                             f"build maps with mmap and mset: `{name}=mset mmap \"k\" v`")
        value = self.parse_expr()
        if self.kind() == "{" and self.is_guard_cond(value):
            then = self.parse_brace_body()
            if self.kind() == "{":
                other = self.parse_brace_body()
                return A.Let(name, A.Ternary(value, body_value(then), body_value(other),
                                             span=self.span_from(start)))
            if then and isinstance(then[-1], A.ExprS):
                last = then[-1]
                then[-1] = A.Let(name, last.expr, span=last.span)
            elif not then:
                then = [A.Let(name, A.Lit(None))]
            return A.Guard(value, False, then, None, False)
        return A.Let(name, value)

    def parse_destructure(self):
        self.expect("{")
        names = [self.expect_ident("a field name")]
        while self.kind() == ";":
            self.advance()
            names.append(self.expect_ident("a field name"))
        self.expect("}")
        self.expect("=")
        return A.Destructure(names, self.parse_expr())

    def parse_foreach(self):
        self.advance()  # @
        name = self.expect_ident("a loop variable")
        first = self.parse_expr_inner()
        if self.kind() == "..":
            self.advance()
            stop = self.parse_expr_inner()
            return A.ForRange(name, first, stop, self.parse_brace_body())
        if self.kind() != "{":
            raise self.error("ILO-P003", f"expected `{{` to open the loop body, got {self.describe(self.tok())}",
                             "loops are `@x xs{body}` or `@i 0..n{body}`")
        return A.ForEach(name, first, self.parse_brace_body())

    # ---- match / ternary ----
    def looks_like_brace_ternary(self) -> bool:
        if self.kind() != "{":
            return False
        i = self.pos + 1
        if self.kind_at(i) == "}":
            return False
        brace, paren, bracket = 1, 0, 0
        while i < len(self.toks):
            k = self.toks[i].kind
            if k == "{":
                brace += 1
            elif k == "}":
                brace -= 1
                if brace == 0:
                    return self.kind_at(i + 1) == "{"
            elif k == "(":
                paren += 1
            elif k == ")":
                if paren == 0:
                    return False
                paren -= 1
            elif k == "[":
                bracket += 1
            elif k == "]":
                if bracket == 0:
                    return False
                bracket -= 1
            elif k in (":", ";") and brace == 1 and paren == 0 and bracket == 0:
                return False
            i += 1
        return False

    def parse_match(self, stmt: bool):
        start = self.here()
        self.advance()  # ?
        subject = None if self.kind() == "{" else self.parse_atom()
        if subject is not None and self.looks_like_brace_ternary():
            self.expect("{")
            a = self.parse_expr()
            self.expect("}")
            self.expect("{")
            b = self.parse_expr()
            self.expect("}")
            e = A.Ternary(subject, a, b, span=self.span_from(start))
            return A.ExprS(e) if stmt else e
        if subject is not None and self.kind() != "{" and self.can_start_operand():
            a = self.parse_operand()
            b = self.parse_operand()
            e = A.Ternary(subject, a, b, span=self.span_from(start))
            return A.ExprS(e) if stmt else e
        if self.kind() != "{":
            raise self.error("ILO-P003", f"expected `{{` after `?`, got {self.describe(self.tok())}",
                             "match is `?x{pat:body;...}`; ternary is `?cond a b`")
        self.advance()
        if stmt and subject is not None and self.arm_body_looks_like_stmt():
            raise self.error("ILO-P011", "`?x{...}` is match syntax; its body is read as pattern arms",
                             "for conditional execution on a bool use `=x true{body}`")
        arms = []
        while self.kind() != "}":
            if arms:
                self.expect(";", "`;` between match arms")
                if self.kind() == "}":
                    break
            arms.append(self.parse_arm())
        self.expect("}")
        if stmt:
            return A.MatchS(subject, arms)
        return A.MatchE(subject, arms, span=self.span_from(start))

    def arm_body_looks_like_stmt(self) -> bool:
        t = self.tok()
        if t is None or t.kind == "}":
            return False
        if t.kind == "ident":
            if t.value in TYPE_LETTERS and self.kind(1) in ("ident", "_") and self.kind(2) == ":":
                return False
            return self.kind(1) != ":"
        return t.kind in ("+", "-", "*", "/", "=", ">", ">=", "<", "<=", "!=", "!")

    def parse_arm(self):
        start = self.here()
        pat = self.parse_pattern()
        self.expect(":", "`:` after the match pattern")
        if self.kind() == "{" and not self.is_destructure():
            body = self.parse_brace_body()
        else:
            body = []
            if self.kind() not in (None, "}", ";"):
                body.append(self.parse_stmt_spanned())
                while self.kind() == ";" and not self.semi_starts_arm():
                    self.advance()
                    if self.kind() in (None, "}", ";"):
                        break
                    body.append(self.parse_stmt_spanned())
        return A.Arm(pat, body, span=self.span_from(start))

    def semi_starts_arm(self) -> bool:
        i = self.pos + 1
        k = self.kind_at(i)
        if k in ("^", "~"):
            return self.kind_at(i + 1) in ("ident", "_") and self.kind_at(i + 2) == ":"
        if k in ("_", "num", "str", "true", "false", "nil"):
            return self.kind_at(i + 1) == ":"
        if k == "ident" and self.kind_at(i + 1) == ":":
            return True
        if k == "ident" and self.toks[i].value in TYPE_LETTERS:
            return self.kind_at(i + 1) in ("ident", "_") and self.kind_at(i + 2) == ":"
        return False

    def parse_pattern(self):
        t = self.tok()
        k = t.kind if t else None
        if k in ("^", "~"):
            self.advance()
            name = "_" if self.kind() == "_" else None
            if name:
                self.advance()
            else:
                name = self.expect_ident("a binding name")
            return A.Pattern("err" if k == "^" else "ok", None, name)
        if k == "_":
            self.advance()
            return A.Pattern("wild", None, "_")
        if k == "num" or k == "str":
            self.advance()
            return A.Pattern("lit", t.value, None)
        if k == "-" and self.kind(1) == "num":
            self.advance()
            return A.Pattern("lit", -self.advance().value, None)
        if k in ("true", "false"):
            self.advance()
            return A.Pattern("lit", k == "true", None)
        if k == "nil":
            self.advance()
            return A.Pattern("lit", None, None)
        if k == "ident" and self.kind(1) == ":":
            # a sum type's variant (`?c{red:...}`): sum values are text at run time,
            # so it matches like the literal "red"; the verifier checks the subject
            self.advance()
            return A.Pattern("lit", t.value, None, span=Span(t.start, t.end))
        if k == "ident" and t.value in TYPE_LETTERS:
            self.advance()
            if self.kind() == "_":
                self.advance()
                name = "_"
            else:
                name = self.expect_ident("a binding name")
            return A.Pattern("type", t.value, name)
        raise self.error("ILO-P012" if t is None else "ILO-P011", f"expected a match pattern, got {self.describe(t)}",
                         'patterns: a literal (42, "x", true, nil), ~v, ^e, n v, t v, b v, l v, a sum variant, or _')

    def parse_prefix_ternary(self):
        start = self.here()
        self.advance()  # ?
        cond = self.parse_prefix_binop()
        a = self.parse_operand()
        b = self.parse_operand()
        return A.Ternary(cond, a, b, span=self.span_from(start))


def body_value(stmts):
    if stmts and isinstance(stmts[-1], A.ExprS):
        return stmts[-1].expr
    return A.Lit(None)
