"""Source -> tokens: layout pre-pass, the tokens.lark tokeniser, then small fix-ups.

Layout: a newline followed by an indented line continues the current
declaration (it acts as ``;``); a newline inside ``(`` or ``[`` is plain
space; an unindented newline is a declaration boundary (kept as an ``nl``
token). Offsets of every token point into the *original* source.
"""

from __future__ import annotations

import functools

from ilo.diagnostics.errors import IloParseError, Span
from ilo.syntax import lalr, tables

RESERVED = {"if", "return", "let", "fn", "def", "var", "const"}
KEYWORDS = {"type", "tool", "use", "with", "true", "false", "nil"}
SIGILS = {"L", "R", "F", "O", "M", "S"}
LOGICAL_WORDS = {"AND": "&a b", "OR": "|a b", "NOT": "!a"}


class Tok:
    """One token; compared by value. A plain slots class: dataclasses cost start-up time."""

    __slots__ = ("kind", "value", "start", "end")

    def __init__(self, kind: str, value, start: int, end: int):
        self.kind = kind    # "num" "str" "ident" "field" "index" "sig" "kw" "reserved" "nl" or the operator text
        self.value = value
        self.start = start
        self.end = end

    def __eq__(self, other):
        if type(other) is not Tok:
            return NotImplemented
        return (self.kind, self.value, self.start, self.end) == (other.kind, other.value, other.start, other.end)

    __hash__ = None

    def __repr__(self):
        return f"Tok({self.kind!r}, {self.value!r})"


@functools.lru_cache(maxsize=1)
def _lexer() -> lalr.Lexer:
    return lalr.Lexer(tables.tables()["lexer"])


def scan(text: str) -> list[tuple[str, str, int, int]]:
    """tokens.lark's terminals over layout-normalised text: (name, text, start, end)."""
    return _lexer().lex(text)


def string_end(text: str, i: int) -> int:
    """Offset just past the text literal whose opening quote is at ``i``."""
    j, n = i + 1, len(text)
    while j < n and text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, n)


def normalize_layout(source: str) -> tuple[str, list[int]]:
    """Rewrite newlines per the layout rules; return text and offset map."""
    out: list[str] = []
    omap: list[int] = []
    depth = braces = 0
    last_sig = ""
    i, n = 0, len(source)

    def push(text: str, at: int):
        out.append(text)
        omap.extend([at] * len(text))

    while i < n:
        c = source[i]
        if c == '"':
            j = string_end(source, i)
            for k in range(i, j):
                push(source[k], k)
            last_sig = '"'
            i = j
            continue
        if c == "-" and i + 1 < n and source[i + 1] == "-":
            while i < n and source[i] != "\n":
                i += 1
            continue
        if c == "\n":
            i += 1
            if depth > 0:
                push(" ", i - 1)
                while i < n and source[i] in " \t":
                    i += 1
                continue
            if i < n and source[i] in " \t":
                j = i
                while j < n and source[j] in " \t":
                    j += 1
                nxt = source[j:j + 2]
                if braces == 0 and "".join(out).strip() and _after_blank_line(source, i - 1) \
                        and source[j:j + 1] not in ("\n", "") and nxt != "--":
                    raise IloParseError(
                        "ILO-P001", "an indented line follows a blank line: a blank line ends the "
                        "declaration", span=Span(j, j + 1),
                        hint="remove the blank line to keep this line in the body above (or use a `--` "
                             "comment line to space it out), or start a new declaration at column 0")
                ends_semi = bool(out) and out[-1] == ";"
                if not (last_sig == "{" or ends_semi or nxt == ">>" or source[j:j + 1] in ("\n", "")
                        or source[j:j + 2] == "--"):
                    push(";", i - 1)
                i = j
                if i < n and source[i] == "}" and last_sig != "{" and out and out[-1] == ";":
                    out.pop()
                    omap.pop()
                continue
            if i < n and source[i] == "}":
                continue
            push("\n", i - 1)
            continue
        push(c, i)
        if not c.isspace():
            last_sig = c
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif c == "{":
            braces += 1
        elif c == "}":
            braces = max(0, braces - 1)
        i += 1
    omap.append(n)
    return "".join(out), omap


def _after_blank_line(source: str, nl: int) -> bool:
    """Is the line that ends at ``source[nl]`` (a newline) blank, after a non-blank line?"""
    start = source.rfind("\n", 0, nl)
    return start >= 0 and not source[start + 1:nl].strip()


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "f": "\f",
            "b": "\b", "v": "\v", "a": "\a", "0": "\0", "/": "/"}


def decode_string(body: str) -> str:
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            e = body[i + 1]
            out.append(_ESCAPES.get(e, "\\" + e))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def lex(source: str) -> list[Tok]:
    text, omap = normalize_layout(source)

    def orig(off: int) -> int:
        return omap[off] if off < len(omap) else len(source)

    toks: list[Tok] = []
    try:
        for kind, v, start, end in scan(text):
            s, e = orig(start), orig(end - 1) + 1 if end > start else orig(start)
            if kind == "COMMENT":
                continue
            if kind == "NUMBER":
                toks.append(Tok("num", float(v), s, e))
            elif kind == "STRING":
                toks.append(Tok("str", decode_string(v[1:-1]), s, e))
            elif kind == "FIELD":
                dot = ".?" if v.startswith(".?") else "."
                name = v[len(dot):]
                toks.append(Tok(dot, dot, s, s + len(dot)))
                if name.isdigit():
                    toks.append(Tok("index", int(name), s + len(dot), e))
                else:
                    toks.append(Tok("field", name, s + len(dot), e))
            elif kind == "IDENT":
                if v in RESERVED:
                    toks.append(Tok("reserved", v, s, e))
                elif v in KEYWORDS:
                    toks.append(Tok(v, v, s, e))
                else:
                    toks.append(Tok("ident", v, s, e))
            elif kind == "UWORD":
                toks.append(Tok("uword", v, s, e))
            elif kind == "NL":
                toks.append(Tok("nl", "\n", s, e))
            else:
                toks.append(Tok("=" if v == "==" else v, v, s, e))
    except lalr.UnexpectedChar as exc:
        pos = orig(exc.pos_in_stream)
        ch = source[pos:pos + 1]
        raise IloParseError("ILO-L001", f"unexpected character {ch!r}", span=Span(pos, pos + 1),
                            hint=_char_hint(ch)) from None
    return _fixups(toks, source)


def _char_hint(ch: str) -> str:
    if ch == "'":
        return "text literals use double quotes: \"like this\""
    if ch == "#":
        return "comments start with `--`"
    if ch == "%":
        return "use `mod a b` for the remainder"
    return "this character is not part of ilo's syntax"


def _fixups(toks: list[Tok], source: str) -> list[Tok]:
    out: list[Tok] = []
    for i, t in enumerate(toks):
        prev = out[-1] if out else None
        flush = prev is not None and prev.end == t.start
        if t.kind == "num" and source[t.start:t.start + 1] == "-":
            if prev is None or prev.kind in (";", "nl", "=", "{", "("):
                out.append(Tok("-", "-", t.start, t.start + 1))
                out.append(Tok("num", -t.value if t.value != 0 else 0.0, t.start + 1, t.end))
                continue
        if t.kind == "uword":
            word = t.value
            if flush and prev.kind == "ident":
                raise IloParseError(
                    "ILO-L003", f"identifiers are lowercase: `{prev.value}{word}` is not allowed",
                    span=Span(prev.start, t.end),
                    hint=f"use a hyphen or lowercase, e.g. `{prev.value}-{word.lower()}` or "
                         f"`{prev.value}{word.lower()}`")
            prev_type_pos = prev is not None and (prev.kind in (":", ">", "sig", "(")
                                                  or (prev.kind == "ident" and _in_type_context(out)))
            if word in LOGICAL_WORDS and not prev_type_pos:
                raise IloParseError("ILO-L001", f"`{word}` is not an ilo keyword",
                                    span=Span(t.start, t.end),
                                    hint=f"ilo writes it as a prefix operator: `{LOGICAL_WORDS[word]}`")
            lead = len(word) - len(word.lstrip("LRFOMS"))
            rest = word[lead:]
            if lead and (not rest or rest[0].islower()) and (prev_type_pos or len(word) == 1 or rest):
                # compact type sigils: `OR n n`, and `Ln` (= `L n`) as upstream's lexer reads it
                for k, ch in enumerate(word[:lead]):
                    out.append(Tok("sig", ch, t.start + k, t.start + k + 1))
                if rest:
                    out.append(Tok("ident", rest, t.start + lead, t.end))
                continue
            raise IloParseError("ILO-L003", f"unexpected capitalised word `{word}`",
                                span=Span(t.start, t.end),
                                hint="identifiers are lowercase with hyphens, e.g. `my-name`; "
                                     "capitals are only allowed after `.` in field access")
        if t.kind == "_" and flush and prev.kind == "ident" and i + 1 < len(toks) \
                and toks[i + 1].kind in ("ident", "reserved") and toks[i + 1].start == t.end:
            bad = f"{prev.value}_{toks[i + 1].value}"
            raise IloParseError("ILO-L002", f"underscores are not allowed in identifiers: `{bad}`",
                                span=Span(prev.start, toks[i + 1].end),
                                hint=f"use hyphens instead, e.g. `{bad.replace('_', '-')}`")
        out.append(t)
    return out


def _in_type_context(out: list[Tok]) -> bool:
    """A bare ident preceded by a type sigil or `:` (e.g. `M t n`) is in a type."""
    k = len(out) - 1
    while k >= 0 and out[k].kind == "ident" and len(str(out[k].value)) <= 1:
        k -= 1
    return k >= 0 and out[k].kind in ("sig", ":")
