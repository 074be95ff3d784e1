"""``--dense`` / ``--expanded``: reformat a program without changing its tokens.

Both forms are built from the lexer's layout pass (``normalize_layout``),
which already turns indented continuation lines into ``;``, newlines inside
brackets into spaces and drops comments. Working at that level rather than
printing the AST means the formatted program lexes to exactly the same
tokens, with the same "touching or not" relation between neighbours (which
decides ``x!`` and a few other forms), so it behaves identically.

* dense: one declaration per line, runs of blanks collapsed to one space,
  no blanks around ``;``. Comments are dropped (it is the wire form).
* expanded: the dense form with each statement on its own line, indented
  two spaces per brace level; the layout rules read it back as ``;``.

Formatting twice changes nothing: both are fixed points.
"""

from __future__ import annotations

from ilo.syntax.lexer import normalize_layout, string_end

INDENT = "  "


def _chunks(text: str):
    """Split text into (is_string, piece) runs so string bodies stay untouched."""
    i, n, start = 0, len(text), 0
    while i < n:
        if text[i] == '"':
            if start < i:
                yield False, text[start:i]
            j = string_end(text, i)
            yield True, text[i:j]
            i = start = j
        else:
            i += 1
    if start < n:
        yield False, text[start:]


def dense(source: str) -> str:
    text, _ = normalize_layout(source)
    out: list[str] = []
    for is_str, piece in _chunks(text):
        if not is_str:
            piece = piece.replace("\t", " ").replace("\r", " ")
            while "  " in piece:
                piece = piece.replace("  ", " ")
            for sep in (";", "\n"):
                piece = piece.replace(f" {sep}", sep).replace(f"{sep} ", sep)
            while "\n\n" in piece:
                piece = piece.replace("\n\n", "\n")
        out.append(piece)
    return "".join(out).strip(" \n") + "\n"


def _lines(text: str) -> list[str]:
    """Split at newlines outside text literals (a literal may hold a raw newline)."""
    lines, cur = [], []
    for is_str, piece in _chunks(text):
        if is_str:
            cur.append(piece)
            continue
        parts = piece.split("\n")
        cur.append(parts[0])
        for part in parts[1:]:
            lines.append("".join(cur))
            cur = [part]
    lines.append("".join(cur))
    return [ln for ln in lines if ln]


def expanded(source: str) -> str:
    return "".join(_expand_line(ln) + "\n" for ln in _lines(dense(source)))


def _expand_line(line: str) -> str:
    """Break one dense declaration at ``;`` and braces outside ``(``/``[``."""
    out: list[str] = []
    parens = braces = 0
    n = len(line)
    i = 0

    def newline(level: int) -> None:
        out.append("\n" + INDENT * (level + 1))

    while i < n:
        c = line[i]
        if c == '"':
            j = string_end(line, i)
            out.append(line[i:j])
            i = j
            continue
        prev = line[i - 1] if i else ""
        nxt = line[i + 1] if i + 1 < n else ""
        if c in "([":
            parens += 1
        elif c in ")]":
            parens = max(0, parens - 1)
        if parens or c not in ";{}":
            out.append(c)
        elif c == ";":
            if prev in ";{" or nxt in (";", "}", "") or line.startswith(">>", i + 1):
                out.append(c)
            else:
                newline(braces)
        elif c == "{":
            braces += 1
            out.append(c)
            if nxt not in ("}", ";", "") and not line.startswith(">>", i + 1):
                newline(braces)
        else:  # "}"
            braces = max(0, braces - 1)
            if prev not in ("{", ";"):
                newline(braces)
            out.append(c)
        i += 1
    return "".join(out)
