"""The two grammars as plain-data tables: built by lark once, cached on disk.

tokens.lark and structure.lark stay the source of truth and lark stays the
generator, but lark costs tens of milliseconds to import, so a run reads
these tables (marshal, a few kilobytes) and lalr.py drives them. The cache
sits in ``__pycache__`` beside this file and is rebuilt (lark imported then,
and only then) when the grammar text, lark's version or FORMAT changes. A
read-only install builds the tables in memory instead.
"""

from __future__ import annotations

import marshal
import os

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMARS = ("tokens.lark", "structure.lark")
_tables: dict | None = None


def tables() -> dict:
    """{"lexer": tokens.lark's lexer table, "parser": structure.lark's LALR table}."""
    global _tables
    if _tables is None:
        _tables = _load()
    return _tables


def _load() -> dict:
    texts = []
    for name in GRAMMARS:
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            texts.append(f.read())
    key = [FORMAT, lark_version(), *texts]
    path = os.path.join(HERE, "__pycache__", "grammar-tables.marshal")
    try:
        with open(path, "rb") as f:
            cached = marshal.loads(f.read())  # one read: marshal.load(file) reads item by item
        if cached.get("key") == key:
            return cached
    except (OSError, EOFError, ValueError, TypeError, AttributeError):
        pass
    built = {"key": key, **build(*texts)}
    _store(path, built)
    return built


def _store(path: str, data: dict) -> None:
    """Write atomically; a read-only package directory just keeps the in-memory tables."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            marshal.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def lark_version() -> str:
    """lark's ``__version__``, read from its source without importing it."""
    from importlib.machinery import PathFinder

    spec = PathFinder.find_spec("lark")
    if spec is None or not spec.origin:
        return ""
    try:
        with open(spec.origin, encoding="utf-8") as f:
            for line in f:
                if line.startswith("__version__"):
                    return line.split("=", 1)[1].strip().strip("\"'")
    except OSError:
        pass
    return ""


def build(tokens_grammar: str, structure_grammar: str) -> dict:
    """Ask lark for both tables (the only place lark is imported outside tests)."""
    from lark import Lark

    tokens = Lark(tokens_grammar, parser="lalr", lexer="basic")
    structure = Lark(structure_grammar, parser="lalr", lexer=_replay_lexer(), maybe_placeholders=False)
    return {"lexer": lexer_table(tokens), "parser": parser_table(structure)}


def _replay_lexer():
    from lark.lexer import Lexer

    class Replay(Lexer):
        """Placeholder lexer: the structure grammar is fed terminals, never text."""

        def __init__(self, lexer_conf):
            pass

        def lex(self, data):
            return iter(data)

    return Replay


def lexer_table(lark) -> dict:
    """The basic lexer's terminals in its match order, with flags and the ignored names."""
    lexer = lark._build_lexer()
    scanner = lexer.scanner
    if lexer.callback:
        raise ValueError("string terminals shadowed by patterns (lark 'unless' callbacks) are not supported")
    return {"terminals": [(str(t.name), str(t.pattern.to_regexp())) for t in scanner.terminals],
            "flags": int(lexer.g_regex_flags), "ignore": sorted(map(str, lexer.ignore_types))}


def parser_table(lark) -> dict:
    """LALR states (shift: target state >= 0, reduce: -1 - rule index) and tree-shaping rules."""
    from lark.parsers.lalr_analysis import Shift

    table = lark.parser.parser.parser.parse_table
    rules, index = [], {}
    states: list = [None] * len(table.states)
    for state, actions in table.states.items():
        row = {}
        for symbol, (action, arg) in actions.items():
            if action is Shift:
                row[str(symbol)] = int(arg)
            else:
                if arg not in index:
                    index[arg] = len(rules)
                    rules.append(_rule(arg))
                row[str(symbol)] = -1 - index[arg]
        states[state] = row
    return {"states": states, "rules": rules, "start": table.start_states["start"],
            "end": table.end_states["start"]}


def _rule(rule) -> tuple:
    """(origin, length, builder name, inline single child?, kept children or None)."""
    if rule.options.keep_all_tokens:
        raise ValueError("`!rule` (keep all tokens) is not supported")
    include = tuple((i, not sym.is_term and sym.name.startswith("_"))
                    for i, sym in enumerate(rule.expansion) if not (sym.is_term and sym.filter_out))
    needs_filter = len(include) < len(rule.expansion) or any(expand for _, expand in include)
    name = str(rule.alias or rule.options.template_source or rule.origin.name)
    return (str(rule.origin.name), len(rule.expansion), name, bool(rule.options.expand1 and not rule.alias),
            include if needs_filter else None)
