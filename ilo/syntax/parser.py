"""Arity-directed parser: the pass after the LALR structure pass that gives bodies their meaning.

ilo is prefix-first: ``+a b`` takes exactly two operands, and a call such
as ``fac -n 1`` takes as many arguments as ``fac`` declares. The structure
pass (structure.py, structure.lark) has already read declarations,
headers, types and bracket nesting; this pass reads each function body
with a table of known arities (builtins, plus user functions as their
headers are read).

The cursor and token helpers live here; statements.py and expressions.py
hold the grammar-specific halves.
"""

from __future__ import annotations

from ilo.diagnostics.errors import IloParseError, Span
from ilo.runtime import builtins as B
from ilo.syntax import ast as A
from ilo.syntax.expressions import ExpressionParser
from ilo.syntax.lexer import Tok, lex
from ilo.syntax.statements import StatementParser
from ilo.syntax.structure import (RESERVED_HINTS, FnHeader, declared_types, is_fn_decl_start, parse_structure,
                                  starts_decl)


def parse(source: str, filename: str | None = None) -> A.Program:
    """Source -> Program: tokens, the LALR structure pass, then the arity pass over bodies."""
    toks = lex(source)
    with declared_types(toks):
        return _parse_tokens(toks, source, filename)


def _parse_tokens(toks: list[Tok], source: str, filename: str | None) -> A.Program:
    breaks: set[int] = set()
    while True:
        decls = parse_structure(toks, source, breaks)
        try:
            return Parser(source).build(decls, filename)
        except _SiblingDecl as sib:
            # a body ended mid-line and a declaration follows with no `;`
            # (`idk x:n>n;x f>L n;...`): cut there and read the file again
            if sib.offset in breaks:
                raise sib.error from None
            breaks.add(sib.offset)


class _SiblingDecl(Exception):
    def __init__(self, offset: int, error: IloParseError):
        self.offset = offset
        self.error = error


class Parser(StatementParser, ExpressionParser):
    def __init__(self, source: str = ""):
        self.source = source
        self.toks: list[Tok] = []
        self.pos = 0
        self.arity: dict[str, int] = {}
        self.fn_slots: dict[str, set[int]] = {}
        for name, spec in B.BUILTINS.items():
            if spec.parse_arity is not None:
                self.arity[name] = spec.parse_arity
                self.fn_slots[name] = set(spec.fn_slots)
        for long, short in B.ALIASES.items():
            if short in self.arity:
                self.arity[long] = self.arity[short]
                self.fn_slots[long] = self.fn_slots[short]
        self.no_ws_call = False
        self.lifted: list[A.FnDecl] = []
        self.lambda_count = 0

    def build(self, decls, filename=None) -> A.Program:
        """Give each function body its meaning, in declaration order.

        A function's arity is known from its own header onwards (so it can
        recurse), and to every later declaration."""
        out = []
        for d in decls:
            if isinstance(d, FnHeader):
                self.check_binding_name(d.name, d.name_span, "function")
                self.register(d.name, d.params)
                body = self.parse_tokens_as_body(d.body)
                out.append(A.FnDecl(d.name, d.params, d.ret, body, False, span=d.span))
            else:
                if isinstance(d, A.ToolDecl):
                    self.register(d.name, d.params)
                out.append(d)
        out.extend(self.lifted)
        return A.Program(out, self.source, filename)

    def parse_tokens_as_body(self, toks: list[Tok]):
        self.toks, self.pos = toks, 0
        if self.kind() == ";":
            self.advance()
        if self.kind() == "{" and not self.is_destructure():
            body = self.parse_brace_body()
        else:
            body = self.parse_body()
        if not self.at_end():
            t = self.tok()
            err = self.error("ILO-P001", f"found {self.describe(t)} after a complete statement",
                             "separate statements with `;`; bind a call's result before using it in "
                             "an operator: `r=f x;+r 1`")
            if starts_decl(self.toks, self.pos, strict=False):
                raise _SiblingDecl(t.start, err)
            raise err
        return body

    # ---- token helpers ----
    def kind(self, off: int = 0) -> str | None:
        i = self.pos + off
        return self.toks[i].kind if 0 <= i < len(self.toks) else None

    def kind_at(self, i: int) -> str | None:
        return self.toks[i].kind if 0 <= i < len(self.toks) else None

    def tok(self, off: int = 0) -> Tok | None:
        i = self.pos + off
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def ident_at(self, i: int) -> str | None:
        t = self.toks[i] if 0 <= i < len(self.toks) else None
        return t.value if t is not None and t.kind == "ident" else None

    def advance(self) -> Tok:
        t = self.toks[self.pos]
        self.pos += 1
        return t

    def at_end(self) -> bool:
        return self.pos >= len(self.toks)

    def here(self) -> Span:
        t = self.tok()
        if t is None:
            return self.prev_span()
        return Span(t.start, t.end)

    def prev_span(self) -> Span:
        if self.pos > 0:
            t = self.toks[self.pos - 1]
            return Span(t.start, t.end)
        return Span(0, 0)

    def span_from(self, start: Span) -> Span:
        end = self.prev_span()
        return Span(start.start, max(start.start, end.end))

    def error(self, code: str, message: str, hint: str | None = None, span: Span | None = None):
        return IloParseError(code, message, hint=hint, span=span or self.here())

    def describe(self, t: Tok | None) -> str:
        if t is None:
            return "end of input"
        if t.kind in ("ident", "field"):
            return f"`{t.value}`"
        if t.kind == "num":
            return "a number"
        if t.kind == "str":
            return "a text literal"
        return f"`{t.value}`"

    def expect(self, kind: str, what: str | None = None) -> Tok:
        t = self.tok()
        if t is None or t.kind != kind:
            code = "ILO-P010" if t is None else "ILO-P003"
            raise self.error(code, f"expected {what or '`' + kind + '`'}, got {self.describe(t)}")
        return self.advance()

    def expect_ident(self, what: str = "an identifier") -> str:
        t = self.tok()
        if t is None or t.kind != "ident":
            if t is not None and t.kind == "reserved":
                raise self.error("ILO-P011", f"`{t.value}` is a reserved word",
                                 RESERVED_HINTS.get(t.value))
            raise self.error("ILO-P010" if t is None else "ILO-P005",
                             f"expected {what}, got {self.describe(t)}")
        self.advance()
        return t.value

    def is_fn_decl_start(self, i: int) -> bool:
        return is_fn_decl_start(self.toks, i)

    def check_binding_name(self, name: str, span: Span, what: str = "binding"):
        if name in ("cnt", "brk"):
            role = "continue" if name == "cnt" else "break"
            raise IloParseError("ILO-P011", f"`{name}` is reserved for {role} (loop control) and "
                                f"cannot be used as a {what} name", span=span,
                                hint="pick another name, e.g. `count` or `c`")
        if name in B.BUILTINS:
            raise IloParseError("ILO-P011", f"`{name}` is a builtin and cannot be used as a {what} name",
                                span=span, hint=f"rename it, e.g. `my{name}` or `{name}v`")

    def register(self, name: str, params):
        self.arity[name] = len(params)
        self.fn_slots[name] = {i for i, p in enumerate(params) if p.type and p.type[0] == "F"}

