"""Table-driven lexer and LALR(1) driver: lark's tables, run without lark.

lark stays the parser generator (tables.py asks it for the tables once and
caches them as plain data); this module only *runs* them, so a program run
never imports lark. It reproduces what lark's basic lexer and LALR parser do
for our two grammars: the same ordered regex alternation, the same reduce
sequence and tree shaping (``?rule`` inlining, ``-> alias`` names,
``_helper`` rules spliced into their parent), and on a syntax error the same
offending token and expected-terminal set.
"""

from __future__ import annotations

import re


class Term:
    """A terminal fed to the parser: its grammar name and a payload."""

    __slots__ = ("type", "value")

    def __init__(self, type: str, value):
        self.type = type
        self.value = value

    def __repr__(self):
        return f"Term({self.type!r}, {self.value!r})"


class Subtree:
    """A reduced rule with no builder method (a ``_helper`` rule, spliced away)."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list):
        self.data = data
        self.children = children


class UnexpectedChar(Exception):
    """No terminal matches at ``pos_in_stream``."""

    def __init__(self, pos_in_stream: int):
        super().__init__(pos_in_stream)
        self.pos_in_stream = pos_in_stream


class UnexpectedTerm(Exception):
    """The parser cannot take ``token``; ``expected`` are the terminals it could."""

    def __init__(self, token: Term, expected: set[str]):
        super().__init__(token, expected)
        self.token = token
        self.expected = expected


class Lexer:
    """Longest-priority-first regex alternation, as lark's basic lexer builds it."""

    def __init__(self, table: dict):
        pattern = "|".join(f"(?P<{name}>{regexp})" for name, regexp in table["terminals"])
        self._match = re.compile(pattern, table["flags"]).match
        self._ignore = frozenset(table["ignore"])

    def lex(self, text: str) -> list[tuple[str, str, int, int]]:
        """(terminal, text, start, end) for every kept token; UnexpectedChar on a stray character."""
        out = []
        match, ignore = self._match, self._ignore
        pos, n = 0, len(text)
        while pos < n:
            m = match(text, pos)
            if m is None:
                raise UnexpectedChar(pos)
            end = m.end()
            if m.lastgroup not in ignore:
                out.append((m.lastgroup, m.group(), pos, end))
            pos = end
        return out


class Parser:
    """Runs an LALR table, calling ``builder.<rule name or alias>(children)`` at each reduce."""

    def __init__(self, table: dict, builder_class: type):
        self.states = table["states"]
        self.start, self.end = table["start"], table["end"]
        self.rules = table["rules"]
        self.builder_class = builder_class

    def _reducers(self, builder) -> list:
        reducers = []
        for origin, size, name, inline, include in self.rules:
            build = getattr(builder, name, None)
            if build is None:
                build = (lambda data: lambda children: Subtree(data, children))(name)
            reducers.append((origin, size, build, inline, include))
        return reducers

    def parse(self, terms: list[Term], *args):
        """Reduce ``terms`` to the start rule's built value; UnexpectedTerm on a syntax error."""
        states, end_state = self.states, self.end
        reducers = self._reducers(self.builder_class(*args))
        state_stack = [self.start]
        values: list = []
        last = len(terms)
        for k in range(last + 1):
            token = terms[k] if k < last else Term("$END", "")
            while True:
                state = state_stack[-1]
                action = states[state].get(token.type)
                if action is None:
                    raise UnexpectedTerm(token, {s for s in states[state] if s.isupper()})
                if action >= 0:
                    state_stack.append(action)
                    values.append(token)
                    break
                origin, size, build, inline, include = reducers[-1 - action]
                if size:
                    children = values[-size:]
                    del state_stack[-size:]
                    del values[-size:]
                else:
                    children = []
                if include is not None:
                    children = _filter(children, include)
                values.append(children[0] if inline and len(children) == 1 else build(children))
                state_stack.append(states[state_stack[-1]][origin])
                if k == last and state_stack[-1] == end_state:
                    return values[-1]


def _filter(children: list, include: tuple) -> list:
    """Keep the listed children; splice in the children of ``_helper`` rules."""
    out: list = []
    for i, expand in include:
        if expand:
            out += children[i].children
        else:
            out.append(children[i])
    return out
