"""LALR pass (structure.lark): declarations, headers, types and bracket structure.

Input is the token list from lexer.py; output is a list of declaration
records whose function and lambda bodies are still flat token lists, ready
for the arity-directed pass in parser.py.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from ilo.diagnostics.errors import IloParseError, Span
from ilo.syntax import ast as A
from ilo.syntax import tables
from ilo.syntax.lalr import Parser, Term, UnexpectedTerm
from ilo.syntax.lexer import Tok

STMT_KEYWORDS = {"wh", "ret", "brk", "cnt"}
MAX_NESTING = 400  # deeper bracket nesting is refused before any recursive pass sees it
SIGIL_TERMS = {"L": "LIST", "O": "OPT", "R": "RES", "M": "MAP", "S": "SUM", "F": "FN"}
SIMPLE_TERMS = {"num": "NUM", "str": "STR", ":": "COLON", ";": "SEMI", ">": "GT", ",": "COMMA",
                "_": "UNDERSCORE", ")": "RPAR", "[": "LSQB", "]": "RSQB", "{": "LBRACE", "}": "RBRACE",
                "type": "TYPE", "tool": "TOOL", "use": "USE"}
OPEN = {"(", "[", "{"}
CLOSE = {")", "]", "}"}
TERM_TEXT = {"GT": "`>`", "COLON": "`:`", "SEMI": "`;`", "RPAR": "`)`", "RSQB": "`]`", "RBRACE": "`}`",
             "LBRACE": "`{`", "NAME": "a name", "PNAME": "a parameter name", "STR": "a text literal",
             "NUM": "a number", "SEP": "the end of the declaration", "$END": "the end of input"}


class FnHeader:
    """A function declaration whose body is still a token list."""

    __slots__ = ("name", "params", "ret", "body", "span", "name_span")

    def __init__(self, name: str, params: list, ret: tuple, body: list, span: Span, name_span: Span):
        self.name = name
        self.params = params
        self.ret = ret
        self.body = body     # list[Tok]
        self.span = span
        self.name_span = name_span

    def __repr__(self):
        return f"FnHeader({self.name!r}, params={self.params!r}, ret={self.ret!r}, body={self.body!r})"


@functools.lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(tables.tables()["parser"], _Build)


def parse_terms(terms: list[Term], kept: list[Tok]) -> list:
    """Run structure.lark's table over marked terminals; UnexpectedTerm on a syntax error."""
    return _parser().parse(terms, kept)


BUILTIN_TYPE_NAMES = {"n", "t", "b"}
_declared_types: ContextVar[frozenset] = ContextVar("ilo_declared_types", default=frozenset())


@contextmanager
def declared_types(toks: list[Tok]):
    """Record the file's `type`/`alias` names while it is parsed, so `x>point` reads as a header."""
    names = frozenset(toks[k + 1].value for k in range(len(toks) - 1)
                      if (toks[k].kind == "type" or (toks[k].kind == "ident" and toks[k].value == "alias"))
                      and toks[k + 1].kind == "ident")
    reset = _declared_types.set(names)
    try:
        yield
    finally:
        _declared_types.reset(reset)


def _type_follows(toks: list[Tok], j: int) -> bool:
    """Does a return type start at ``j`` (the token after ``name>``)?

    A header needs a type after `>`; otherwise ``x > 2`` at statement start is
    the infix comparison, as upstream reads it. A bare type name counts only
    when a body can follow it (``a > n`` ending a body compares with ``n``)."""
    t = toks[j] if j < len(toks) else None
    if t is None:
        return False
    if t.kind in ("sig", "_"):
        return True
    if t.kind != "ident":
        return False
    if t.value not in BUILTIN_TYPE_NAMES and t.value not in _declared_types.get():
        return j == 2 or (j >= 3 and toks[j - 3].kind in ("nl", "sep"))  # the name starts a line
    return j + 1 < len(toks) and toks[j + 1].kind not in (")", "]", "}")


def is_fn_decl_start(toks: list[Tok], i: int) -> bool:
    t = toks[i] if i < len(toks) else None
    if t is None or t.kind != "ident" or t.value in STMT_KEYWORDS:
        return False
    nk = toks[i + 1].kind if i + 1 < len(toks) else None
    if nk == ">":
        return _type_follows(toks, i + 2)
    return nk == "ident" and i + 2 < len(toks) and toks[i + 2].kind == ":"


def is_fn_decl_start_strict(toks: list[Tok], i: int) -> bool:
    """A header with its `>` before the next `;` or `}` (not a record literal)."""
    if not is_fn_decl_start(toks, i):
        return False
    depth = 0
    for t in toks[i + 1:]:
        k = t.kind
        if k in OPEN:
            depth += 1
        elif k in (")", "]"):
            depth -= 1
        elif depth > 0:
            continue
        elif k == ">":
            return True
        elif k in (";", "}", "nl"):
            return False
    return False


def starts_decl(toks: list[Tok], i: int, strict: bool) -> bool:
    if i >= len(toks):
        return False
    if toks[i].kind in ("type", "tool", "use"):
        return True
    if toks[i].kind == "ident" and toks[i].value == "alias" and i + 1 < len(toks) and toks[i + 1].kind == "ident":
        return i + 2 < len(toks) and toks[i + 2].kind in ("sig", "ident", "_", "(")
    return is_fn_decl_start_strict(toks, i) if strict else is_fn_decl_start(toks, i)


def looks_like_lambda(toks: list[Tok], i: int) -> bool:
    k1 = toks[i + 1].kind if i + 1 < len(toks) else None
    k2 = toks[i + 2].kind if i + 2 < len(toks) else None
    if not ((k1 == "ident" and k2 == ":") or k1 == ">"):
        return False
    depth = 1
    for t in toks[i + 1:]:
        if t.kind in OPEN:
            depth += 1
        elif t.kind in CLOSE:
            depth -= 1
            if depth == 0:
                return False
        elif t.kind == ">" and depth == 1:
            return True
    return False


def mark(toks: list[Tok], breaks=frozenset(), semis=frozenset()) -> tuple[list[Tok], list[Term]]:
    """Drop layout newlines, insert declaration boundaries, name terminals.

    ``breaks`` holds source offsets where a new declaration starts with no
    separator before it (``x f>n;...`` once ``x`` has ended a body);
    ``semis`` holds offsets where a function body follows its header with
    no ``;`` (``f>n 5``, or the body on the next unindented line)."""
    kept: list[Tok] = []
    depth = 0
    at_decl_start = True
    for i, t in enumerate(toks):
        k = t.kind
        if breaks and t.start in breaks and k != "nl" and kept and kept[-1].kind != "sep":
            kept.append(Tok("sep", "", t.start, t.start))
            at_decl_start = True
        if semis and t.start in semis and k != "nl":
            kept.append(Tok(";", ";", t.start, t.start))
        if k == "nl":
            if depth == 0 and starts_decl(toks, i + 1, strict=False):
                kept.append(Tok("sep", "\n", t.start, t.end))
                at_decl_start = True
            continue
        if k == ";" and depth == 0 and kept and starts_decl(toks, i + 1, strict=True):
            kept.append(Tok("sep", ";", t.start, t.end))
            at_decl_start = True
            continue
        if k in OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise IloParseError("ILO-P003", f"brackets nested more than {MAX_NESTING} levels deep",
                                    span=Span(t.start, t.end),
                                    hint="bind intermediate results to names instead of nesting deeper")
        elif k in CLOSE:
            depth = max(0, depth - 1)
        if at_decl_start and k == "ident" and t.value == "alias" and starts_decl(toks, i, strict=False) \
                and not is_fn_decl_start(toks, i):
            t = Tok("alias", "alias", t.start, t.end)
        at_decl_start = False
        kept.append(t)
    terms = []
    for j, t in enumerate(kept):
        k = t.kind
        if k == "ident":
            name = "PNAME" if j + 1 < len(kept) and kept[j + 1].kind == ":" else "NAME"
        elif k == "sig":
            name = SIGIL_TERMS[t.value]
        elif k == "(":
            name = "LAMBDA" if looks_like_lambda(kept, j) else "LPAR"
        elif k == "sep":
            name = "SEP"
        elif k == "alias":
            name = "ALIAS"
        else:
            name = SIMPLE_TERMS.get(k, "OTHER")
        terms.append(Term(name, j))
    return kept, terms


def parse_structure(toks: list[Tok], source: str = "", breaks=frozenset()) -> list:
    """Declarations: FnHeader for functions, AST nodes for the rest."""
    breaks, semis = set(breaks), set()
    while True:
        kept, terms = mark(toks, breaks, semis)
        if not terms:
            return []
        try:
            return parse_terms(terms, kept)
        except UnexpectedTerm as exc:
            fix = _implicit_boundary(exc, kept)
            if fix is not None and fix[1] not in breaks and fix[1] not in semis:
                (breaks if fix[0] == "sep" else semis).add(fix[1])
                continue
            raise _diagnose(exc, kept) from None


def _implicit_boundary(exc: UnexpectedTerm, kept: list[Tok]):
    """A separator upstream's parser would not need: ("sep"|"semi", offset) or None.

    Declarations need no separator between them (``type p{x:n} f>n;1``), and
    a function header need not be followed by ``;`` before its body."""
    tok = exc.token
    if tok is None or tok.type in ("$END", "SEP", "RPAR", "RSQB", "RBRACE"):
        return None
    try:
        j = int(tok.value)
    except (TypeError, ValueError):
        return None
    expected = set(exc.expected or ())
    if "SEP" in expected and starts_decl(kept, j, strict=False):
        return ("sep", kept[j].start)
    if {"SEMI", "LBRACE", "LSQB"} <= expected:
        return ("semi", kept[j].start)
    return None


def _diagnose(exc: UnexpectedTerm, kept: list[Tok]) -> IloParseError:
    tok = getattr(exc, "token", None)
    expected = set(getattr(exc, "expected", ()) or ())
    if tok is None or tok.type == "$END":
        last = kept[-1]
        span = Span(last.start, last.end)
        in_body = "OTHER" in expected
        if not in_body and (expected & {"GT", "COLON"} or expected >= {"NAME", "LIST"}):
            return IloParseError("ILO-P020", "incomplete declaration: it runs off the end of the file",
                                 span=span, hint="a function header is `name p:type>ret;body`")
        if expected & {"RPAR", "RSQB", "RBRACE"}:
            return IloParseError("ILO-P010", "unclosed bracket at the end of input", span=span,
                                 hint="every `(`, `[` and `{` needs its closing partner")
        return IloParseError("ILO-P010", "unexpected end of input", span=span)
    got = kept[int(tok.value)]
    span = Span(got.start, got.end)
    binding = _top_level_binding(kept, int(tok.value))
    if binding is not None:
        return binding
    shown = f"`{got.value}`" if got.kind not in ("sep", "str", "num") else TERM_TEXT.get(tok.type, tok.type)
    if tok.type == "SEP" and expected & {"GT", "COLON", "NAME", "LIST", "PNAME", "LBRACE"}:
        return IloParseError("ILO-P020", "incomplete header: it runs off the end of the line", span=span,
                             hint="a function header is `name p:type>ret;body`; finish it on one line, "
                                  "or indent the continuation")
    idx = int(tok.value)
    colon_gt = tok.type == "PNAME" and idx + 2 < len(kept) and kept[idx + 1].kind == ":" \
        and kept[idx + 2].kind == ">"
    if colon_gt:
        span = Span(kept[idx + 1].start, kept[idx + 1].end)
    if colon_gt or (tok.type == "COLON" and "GT" in expected):
        return IloParseError("ILO-P003", "unexpected `:` before `>`: ilo signatures put no colon before "
                             "the return type", span=span,
                             hint="write `name>type;body` for no parameters, `name p:t>type;body` with them")
    if tok.type in ("RPAR", "RSQB", "RBRACE"):
        return IloParseError("ILO-P003", f"unmatched {shown}", span=span,
                             hint="check that brackets pair up")
    if expected and expected <= {"NAME", "UNDERSCORE", "LIST", "OPT", "RES", "MAP", "SUM", "FN", "LPAR"}:
        return IloParseError("ILO-P007", f"expected a type, got {shown}", span=span,
                             hint="types: n t b _ L x, R ok err, O x, M k v, F args ret, S a b, or a record name")
    if "GT" in expected and tok.type in ("NAME", "OTHER", "NUM", "STR"):
        hint = "a function header is `name p:type q:type>ret;body`"
        if tok.type == "NAME":
            hint = f"parameters need a type, e.g. `{got.value}:n`"
        return IloParseError("ILO-P003", f"expected `>` before the return type, got {shown}", span=span,
                             hint=hint)
    if not expected & {"SEP"} and tok.type != "SEP":
        want = " or ".join(sorted(TERM_TEXT.get(e, e) for e in expected if e in TERM_TEXT)) or "something else"
        return IloParseError("ILO-P003", f"unexpected {shown}, expected {want}", span=span)
    return IloParseError("ILO-P001", f"expected a declaration, got {shown}", span=span,
                         hint="a file holds declarations: `name p:type>ret;body`, `type name{...}`, "
                              "`tool ...` or `use \"file.ilo\"`")


RESERVED_HINTS = {
    "if": "ilo branches with `cond{body}` or `?x{arms}`",
    "return": "use `ret expr` for an early return; the last expression is the value",
    "let": "bind with `name=expr` inside a function body",
    "var": "bind with `name=expr` inside a function body",
    "const": "bind with `name=expr` inside a function body",
    "fn": "declare functions as `name p:type>ret;body`; lambdas are `(x:n>n;body)`",
    "def": "declare functions as `name p:type>ret;body`",
}


def _top_level_binding(kept: list[Tok], j: int) -> IloParseError | None:
    """`name=...` where a declaration should start: say what is wrong with it."""
    i = j - 1 if j > 0 and kept[j].kind == "=" else j
    t = kept[i]
    if i + 1 >= len(kept) or kept[i + 1].kind != "=" or (i > 0 and kept[i - 1].kind != "sep"):
        if t.kind == "reserved":
            return IloParseError("ILO-P001", f"`{t.value}` is a reserved word", span=Span(t.start, t.end),
                                 hint=RESERVED_HINTS.get(t.value))
        return None
    span = Span(t.start, t.end)
    if t.kind == "reserved":
        return IloParseError("ILO-P011", f"`{t.value}` is a reserved word and cannot be used as a name",
                             span=span, hint=RESERVED_HINTS.get(t.value))
    if t.kind != "ident":
        return None
    from ilo.runtime import builtins as B

    if t.value in ("brk", "cnt"):
        role = "break" if t.value == "brk" else "continue"
        return IloParseError("ILO-P011", f"`{t.value}` is reserved for {role} (loop control) and cannot be "
                             "used as a name", span=span, hint="pick another name, e.g. `count` or `c`")
    if t.value in B.BUILTINS:
        return IloParseError("ILO-P011", f"`{t.value}` is a builtin and cannot be used as a binding name",
                             span=span, hint=f"rename it, e.g. `my{t.value}` or `{t.value}v`")
    return IloParseError("ILO-P001", f"a binding `{t.value}=...` cannot stand at the top level", span=span,
                         hint="bindings live inside a function body: `main>n;x=1;x`")


class _Build:
    """Reduced rules -> declaration records (bodies as token lists); one method per rule or alias."""

    def __init__(self, kept: list[Tok]):
        self.kept = kept

    def tok(self, t: Term) -> Tok:
        return self.kept[t.value]

    def start(self, children):
        return [c for c in children if not isinstance(c, Term)]

    # ---- types ----
    def named(self, c):
        name = self.tok(c[0]).value
        return (name,) if name in ("n", "t", "b") else ("named", name)

    def any(self, c):
        return ("_",)

    def list(self, c):
        return ("L", c[1])

    def optional(self, c):
        return ("O", c[1])

    def result(self, c):
        return ("R", c[1], c[2])

    def map(self, c):
        return ("M", c[1], c[2])

    def sum(self, c):
        return ("S", tuple(self.tok(t).value for t in c[1:]))

    def fn(self, c):
        types = c[1:]
        return ("F", tuple(types[:-1]), types[-1])

    def type(self, c):  # parenthesised
        return c[1]

    # ---- declarations ----
    def param(self, c):
        t = self.tok(c[0])
        return A.Param(t.value, c[2], span=Span(t.start, t.end))

    def params(self, c):
        return list(c)

    def fields(self, c):
        return [x for x in c if isinstance(x, A.Node)]

    def tool_opt(self, c):
        return (self.tok(c[0]).value, self.tok(c[2]).value)

    def body(self, c):
        return _flatten(c, self.kept)

    def group(self, c):
        return ("group", c)

    def lambda_(self, c):
        return ("lambda", c)

    def token(self, c):
        return c[0]

    def fn_decl(self, c):
        name_tok, params, _gt, ret, body = c
        nt = self.tok(name_tok)
        end = body[-1] if body else self.kept[_gt.value]
        return FnHeader(nt.value, params, ret, body, Span(nt.start, end.end), Span(nt.start, nt.end))

    def type_decl(self, c):
        name = self.tok(c[1])
        return A.TypeDecl(name.value, c[3], span=Span(self.tok(c[0]).start, self.tok(c[4]).end))

    def tool_decl(self, c):
        name = self.tok(c[1]).value
        desc = self.tok(c[2]).value
        params, ret = c[3], c[5]
        opts = dict(x for x in c[6:] if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str))
        return A.ToolDecl(name, desc, params, ret, opts.get("timeout"), opts.get("retry"),
                          span=Span(self.tok(c[0]).start, self.tok(c[1]).end))

    def use_decl(self, c):
        path = self.tok(c[1]).value
        names = [self.tok(t).value for t in c[2:] if t.type == "NAME"] if len(c) > 2 else None
        return A.UseDecl(path, names, span=Span(self.tok(c[0]).start, self.tok(c[1]).end))

    def alias_decl(self, c):
        return A.AliasDecl(self.tok(c[1]).value, c[2], span=Span(self.tok(c[0]).start, self.tok(c[1]).end))


_Build.lambda_.__name__ = "lambda"
setattr(_Build, "lambda", _Build.lambda_)


def _flatten(items, kept) -> list[Tok]:
    """Body items back to a token list; a lambda head becomes one `fnhead` token."""
    out: list[Tok] = []

    def walk(x):
        if isinstance(x, Term):
            out.append(kept[x.value])
        elif isinstance(x, tuple) and x[0] == "group":
            for y in x[1]:
                walk(y)
        elif isinstance(x, tuple) and x[0] == "lambda":
            parts = x[1]
            opener = kept[parts[0].value]
            params, ret = parts[1], parts[3]
            out.append(Tok("fnhead", (params, ret), opener.start, kept[parts[2].value].end))
            for y in parts[4:]:
                walk(y)
        else:
            raise TypeError(f"unexpected body item {x!r}")

    for item in items:
        walk(item)
    return out
