"""Parity: the table-driven lexer/parser (lalr.py) against lark itself.

The front end runs tables lark generated (tables.py) through our own
driver, so lark is not imported on the run path. Here lark runs the same
grammars side by side over every upstream conformance program, every
example and seeded mutations of each (token deleted, inserted, swapped,
source truncated), and the two must agree on token streams, structure
results (built by the same ``_Build`` rules, applied by lark's Transformer)
and errors: offending terminal, expected set, and the final diagnostic's
code, message, hint and span.
"""

from __future__ import annotations

import functools
import random
import subprocess
import sys
from pathlib import Path

import pytest
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedToken

from ilo.diagnostics.errors import IloParseError, Span
from ilo.syntax import ast as A
from ilo.syntax import lalr, lexer, parser, structure, tables

from conftest import REPO_ROOT, SHARED_DIR

SYNTAX = REPO_ROOT / "ilo" / "syntax"
PROGRAMS = sorted((SHARED_DIR / "conformance" / "upstream").glob("*.ilo")) + sorted(
    (REPO_ROOT / "examples").glob("*.ilo"))
INSERTS = ["(", ")", "[", "]", "{", "}", ";", ":", ">", ",", "_", "=", "\n", "\n  ", "x", "f", "n", "t",
           "L", "R", "M", "F", "S", "O", "1", '"s"', "type", "tool", "use", "alias", "x:n", "f>n;", "..", "'"]
EDGE_CASES = ["", "\n", "\n\n", ";", "f", "f>", "f>n", "f x:n", "f x:>n;1", "type", "type p{", "type p{x:n",
              "tool t\"d\" x:n>n timeout:", "use", "use \"a.ilo\" [", "alias", "alias a", "(((", ")",
              "f>n;(x:n>n;", "f>n;" + "(" * 401 + ")" * 401, "main>n;1", "x=1", "if x", "f>n;1\ng>n;2"]
MUTATIONS = ("delete", "insert", "swap", "truncate")


@functools.lru_cache(maxsize=1)
def lark_lexer() -> Lark:
    return Lark((SYNTAX / "tokens.lark").read_text(), parser="lalr", lexer="basic")


@functools.lru_cache(maxsize=1)
def lark_structure() -> Lark:
    return Lark((SYNTAX / "structure.lark").read_text(), parser="lalr", lexer=tables._replay_lexer(),
                maybe_placeholders=False)


def lark_scan(text: str) -> list[tuple[str, str, int, int]]:
    try:
        return [(t.type, str(t), t.start_pos, t.end_pos) for t in lark_lexer().lex(text)]
    except UnexpectedCharacters as exc:
        raise lalr.UnexpectedChar(exc.pos_in_stream) from None


class _LarkBuild(structure._Build, Transformer):
    """The same rule methods, applied after the parse by lark's own Transformer."""

    def __init__(self, kept):
        structure._Build.__init__(self, kept)
        Transformer.__init__(self, visit_tokens=True)

    def __default_token__(self, token):
        return lalr.Term(token.type, int(token.value))


def lark_parse_terms(terms: list[lalr.Term], kept) -> list:
    try:
        tree = lark_structure().parse([Token(t.type, str(t.value)) for t in terms])
    except UnexpectedToken as exc:
        tok = exc.token
        term = lalr.Term(tok.type, "" if tok.type == "$END" else int(tok.value))
        raise lalr.UnexpectedTerm(term, set(exc.expected)) from None
    return _LarkBuild(kept).transform(tree)


def canon(x):
    """A comparable picture of parser output: node types, fields, spans, tokens."""
    if isinstance(x, A.Node):
        return (type(x).__name__, tuple(canon(getattr(x, f)) for f in x._fields), canon(x.span))
    if isinstance(x, A.Program):
        return ("Program", canon(x.decls))
    if isinstance(x, lalr.Term):
        return ("Term", x.type, x.value)
    if isinstance(x, lalr.Subtree):
        return ("Subtree", x.data, canon(x.children))
    if isinstance(x, (Span, lexer.Tok, structure.FnHeader)):
        return (type(x).__name__, tuple(canon(getattr(x, f)) for f in type(x).__slots__))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(canon(y) for y in x))
    if isinstance(x, dict):
        return ("dict", tuple((k, canon(v)) for k, v in x.items()))
    return x


def outcome(fn, *args):
    """("ok", canon(result)) or the error's identifying fields."""
    try:
        return ("ok", canon(fn(*args)))
    except IloParseError as exc:
        return ("parse-error", exc.code, str(exc), exc.hint, canon(exc.span))
    except lalr.UnexpectedChar as exc:
        return ("char", exc.pos_in_stream)
    except lalr.UnexpectedTerm as exc:
        return ("term", exc.token.type, exc.token.value, sorted(exc.expected))


def with_lark(monkeypatch, fn, *args):
    with monkeypatch.context() as m:
        m.setattr(lexer, "scan", lark_scan)
        m.setattr(structure, "parse_terms", lark_parse_terms)
        return outcome(fn, *args)


def assert_parity(source: str, monkeypatch) -> None:
    try:
        text, _ = lexer.normalize_layout(source)
    except IloParseError:
        text = None
    if text is not None:
        assert outcome(lexer.scan, text) == outcome(lark_scan, text), "token streams differ"
    try:
        toks = lexer.lex(source)
    except IloParseError:
        toks = None
    if toks is not None:
        try:
            kept, terms = structure.mark(toks)
        except IloParseError:
            terms = None
        if terms:
            ours = outcome(structure.parse_terms, terms, kept)
            assert ours == outcome(lark_parse_terms, terms, kept), "raw structure parse differs"
    assert outcome(parser.parse, source) == with_lark(monkeypatch, parser.parse, source), \
        "parse results or diagnostics differ"


def mutate(source: str, how: str, rng: random.Random) -> str:
    """One seeded token-level edit of ``source`` (a cut at a random offset for truncate)."""
    try:
        toks = lexer.lex(source)
    except IloParseError:
        toks = []
    if how == "truncate" or len(toks) < 2:
        return source[:rng.randrange(len(source) + 1)]
    i = rng.randrange(len(toks) - 1)
    a, b = toks[i], toks[i + 1]
    if how == "delete":
        return source[:a.start] + source[a.end:]
    if how == "insert":
        return source[:a.start] + rng.choice(INSERTS) + " " + source[a.start:]
    return source[:a.start] + source[b.start:b.end] + source[a.end:b.start] + source[a.start:a.end] + \
        source[b.end:]


def test_corpus_is_there():
    assert len(PROGRAMS) > 150, "the upstream conformance corpus is missing"


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.name)
def test_program_and_mutations_match_lark(path: Path, monkeypatch):
    source = path.read_text(encoding="utf-8")
    assert_parity(source, monkeypatch)
    rng = random.Random(path.name)
    for how in MUTATIONS:
        assert_parity(mutate(source, how, rng), monkeypatch)


@pytest.mark.parametrize("source", EDGE_CASES)
def test_edge_case_matches_lark(source, monkeypatch):
    assert_parity(source, monkeypatch)


SAMPLES = ["main>n;1", "f x:L n>R n t;+x 1", "type p{a:n;b:t}\nuse \"x.ilo\" [a b]", "f>n;(x:n>n;x)",
           "tool t\"d\" x:n>n timeout:5,retry:2", "f>n;(", "f x:>n;1", "alias a L n", "f>;1", "f x:n"]


def behaves_like_cached(table: dict) -> bool:
    """lark numbers its states differently from run to run: compare what the tables do."""
    if table["lexer"] != tables.tables()["lexer"]:
        return False
    cached = structure._parser()
    fresh = lalr.Parser(table["parser"], structure._Build)
    for src in SAMPLES:
        kept, terms = structure.mark(lexer.lex(src))
        if outcome(fresh.parse, terms, kept) != outcome(cached.parse, terms, kept):
            return False
    return True


def test_cached_tables_behave_like_a_fresh_build():
    assert behaves_like_cached(tables.build(*[(SYNTAX / name).read_text() for name in tables.GRAMMARS]))


def _grammar_dir(tmp_path: Path) -> Path:
    for name in tables.GRAMMARS:
        (tmp_path / name).write_text((SYNTAX / name).read_text())
    return tmp_path


def test_unwritable_cache_falls_back_to_memory(tmp_path, monkeypatch):
    here = _grammar_dir(tmp_path)
    (here / "__pycache__").write_text("a file where the cache directory would go")
    monkeypatch.setattr(tables, "HERE", str(here))
    built = tables._load()
    assert behaves_like_cached(built)
    assert sorted(p.name for p in here.iterdir()) == sorted([*tables.GRAMMARS, "__pycache__"])


def test_stale_or_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    here = _grammar_dir(tmp_path)
    monkeypatch.setattr(tables, "HERE", str(here))
    first = tables._load()
    assert tables._load() == first, "the second load reads the cache"
    (cache,) = (here / "__pycache__").iterdir()
    cache.write_bytes(b"not marshal data")
    rebuilt = tables._load()
    assert behaves_like_cached(rebuilt) and tables._load() == rebuilt
    changed = (here / "structure.lark").read_text() + "\n// changed\n"
    (here / "structure.lark").write_text(changed)
    assert tables._load()["key"][-1] == changed, "a changed grammar is rebuilt"
    assert tables._load()["key"][-1] == changed


def test_a_run_does_not_import_lark():
    tables.tables()  # the cache is written
    code = ("import sys; from ilo.syntax.parser import parse; parse('f x:n>n;*x 2\\ntype p{a:n}'); "
            "print(sorted(m for m in sys.modules if m == 'lark' or m.startswith('lark.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_lexer_error_position_matches_lark(monkeypatch):
    assert outcome(lexer.lex, "f>n;'a'") == with_lark(monkeypatch, lexer.lex, "f>n;'a'")
    assert outcome(lexer.lex, "f>n;'a'")[1] == "ILO-L001"


def test_spans_are_compared():
    assert canon(Span(1, 2)) != canon(Span(1, 3))


def test_plain_classes_keep_value_semantics():
    import pickle

    a, b = Span(1, 2), Span(1, 2)
    assert a == b and hash(a) == hash(b) and a != Span(1, 3) and repr(a) == "Span(start=1, end=2)"
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(AttributeError):
        a.start = 5
    assert lexer.Tok("num", 1.0, 0, 1) == lexer.Tok("num", 1.0, 0, 1) != lexer.Tok("num", 2.0, 0, 1)
